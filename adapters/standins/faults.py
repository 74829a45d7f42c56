"""The fault script of a stand-in: how its API misbehaves, changeable while it runs (``POST /_script``).

Modes apply to the business endpoints only (never to ``/_script`` or ``/_health``), optionally for the next
``times`` requests and then back to normal, so a test can say "down for three calls" without timing.
``slow_seconds`` delays every answer; ``duplicate_webhooks`` makes the stand-in call back twice.
``query_first`` is business, not a fault: the system asks the trader a question (a QUERY with the fields
concerned) before it decides a new document, and decides only once the answer arrives.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PATHS = ("/_script", "/_health")


class FaultMode(StrEnum):
    NORMAL = "normal"
    DOWN = "down"  # 503 Service Unavailable
    ERROR = "error"  # 500 Internal Server Error
    MALFORMED_JSON = "malformed-json"  # 200 with a body that is not JSON
    MALFORMED_SCHEMA = "malformed-schema"  # 200 with JSON that breaks the API's own schema


class FaultScript(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: FaultMode = FaultMode.NORMAL
    times: int | None = Field(default=None, ge=1, description="Apply the mode to this many requests, then normal.")
    slow_seconds: float = Field(default=0.0, ge=0, le=300)
    duplicate_webhooks: bool = False
    decide_after_seconds: float = Field(default=0.5, ge=0, le=86_400, description="When the system decides.")
    query_first: bool = Field(default=False, description="Ask the trader first; decide once the answer arrives.")


class ScriptedFaults:
    """The current script, shared by the middleware, the control endpoint and the stand-in's background work."""

    def __init__(self, script: FaultScript | None = None) -> None:
        self.script = script or FaultScript()
        self._left = self.script.times

    def replace(self, script: FaultScript) -> None:
        self.script, self._left = script, script.times

    def take_mode(self) -> FaultMode:
        """The mode for one business request (counts down ``times``)."""
        mode = self.script.mode
        if mode is FaultMode.NORMAL or self._left is None:
            return mode
        self._left -= 1
        if self._left <= 0:
            self.replace(self.script.model_copy(update={"mode": FaultMode.NORMAL, "times": None}))
        return mode

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(CONTROL_PATHS):
                await app(scope, receive, send)
                return
            if self.script.slow_seconds:
                await asyncio.sleep(self.script.slow_seconds)
            response = _fault_response(self.take_mode())
            if response is None:
                await app(scope, receive, send)
            else:
                await response(scope, receive, send)

        return wrapped

    async def control(self, request: Request) -> Response:
        """``POST /_script`` replaces the script; ``GET`` shows it."""
        if request.method == "POST":
            self.replace(FaultScript.model_validate_json(await request.body()))
        return JSONResponse(self.script.model_dump(mode="json"))


def _fault_response(mode: FaultMode) -> Response | None:
    if mode is FaultMode.DOWN:
        return JSONResponse({"error": "service unavailable"}, status_code=503)
    if mode is FaultMode.ERROR:
        return JSONResponse({"error": "internal error"}, status_code=500)
    if mode is FaultMode.MALFORMED_JSON:
        return Response(b'{"reference": "CHED', status_code=200, media_type="application/json")
    if mode is FaultMode.MALFORMED_SCHEMA:
        return JSONResponse({"unexpected": ["shape"], "reference": 42}, status_code=200)
    return None

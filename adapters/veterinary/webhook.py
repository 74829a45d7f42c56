"""The webhook the CHED system calls with its decision: a small ASGI server of the adapter's own.

The answer tells the system whether to call again: 200 once the decision is stored by the SDK (or was
already decided: a duplicate webhook changes nothing), 401 for a wrong token, 422 for a body that is not a
CHED decision, 503 when the decision could not be stored yet (the system retries).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.adapters.veterinary.ched_api import ChedDecision

WEBHOOK_PATH = "/webhooks/ched"
TOKEN_HEADER = "x-webhook-token"

# Given a decision, publish it through the SDK; returns "decided", "duplicate" or "unknown".
DecisionSink = Callable[[ChedDecision], Awaitable[str]]


def webhook_app(sink: DecisionSink, token: str | None) -> Starlette:
    async def receive(request: Request) -> Response:
        if token is not None and request.headers.get(TOKEN_HEADER) != token:
            return JSONResponse({"error": "bad webhook token"}, status_code=401)
        try:
            decision = ChedDecision.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"error": "not a CHED decision", "problems": exc.error_count()}, status_code=422)
        try:
            outcome = await sink(decision)
        except Exception as exc:
            return JSONResponse({"error": f"not stored yet: {type(exc).__name__}"}, status_code=503)
        return JSONResponse({"status": outcome})

    return Starlette(routes=[Route(WEBHOOK_PATH, receive, methods=["POST"])])


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the runtime owns SIGTERM/SIGINT, not this server
        yield


class WebhookServer:
    """uvicorn inside the adapter's event loop; ``port`` 0 binds a free one (``port`` holds it after start)."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = _QuietServer(config)
        self.host, self.port = host, port
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = task = asyncio.create_task(self._server.serve(), name="ched-webhook")
        while not self._server.started:
            if task.done():
                await task
                raise RuntimeError(f"webhook server did not start on {self.host}:{self.port}")
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._task is not None:
            self._server.should_exit = True
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

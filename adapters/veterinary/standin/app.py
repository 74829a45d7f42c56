"""The veterinary stand-in's HTTP API and its official veterinarian.

``POST /ched`` takes a notification (422 when it breaks the schema) and answers ``201`` with the CHED
reference (``200`` for a repeat of the same ``localReference``; ``AMENDED`` when it amended the undecided
CHED it names in ``replacesChedReference``); ``GET /ched/{ref}`` shows it, ``GET /ched?customsReferenceNumber=``
lists a consignment's CHEDs. ``POST /ched/{ref}/withdrawal`` withdraws one (never decided afterwards);
``POST /ched/{ref}/answers`` answers the veterinarian's request for information (409 on a withdrawn CHED).
Some seconds later (``decide_after_seconds`` of the fault script) the veterinarian decides and the stand-in
calls the notification's ``callbackUrl``, retrying until it gets a 2xx; with ``duplicate_webhooks`` it calls
twice. With ``query_first`` the veterinarian first requests information (``INFORMATION_REQUESTED``, a
question and the fields concerned) and decides once an answer arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from datetime import UTC, datetime

import httpx
import structlog
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from singlewindow.adapters.standins import ScriptedFaults
from singlewindow.adapters.veterinary.ched_api import (
    ChedAccepted,
    ChedAnswer,
    ChedList,
    ChedNotification,
    ChedSummary,
    ChedWithdrawal,
)
from singlewindow.adapters.veterinary.standin.policy import decide, information_request
from singlewindow.adapters.veterinary.standin.store import ChedStore, Notification

log = structlog.get_logger(__name__)
WEBHOOK_TOKEN_HEADER = "x-webhook-token"


def build_app(store: ChedStore, faults: ScriptedFaults) -> ASGIApp:
    async def create(request: Request) -> Response:
        try:
            notification = ChedNotification.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)}, status_code=422)
        stored, outcome = await store.create(notification.model_dump(mode="json"), faults.script.decide_after_seconds)
        body = ChedAccepted(
            chedReference=stored.ched_reference,
            localReference=stored.local_reference,
            status="AMENDED" if outcome == "amended" else "DECIDED" if stored.decision else "SUBMITTED",
        )
        return JSONResponse(body.model_dump(), status_code=200 if outcome == "existing" else 201)

    async def listing(request: Request) -> Response:
        found = await store.of_consignment(request.query_params.get("customsReferenceNumber", ""))
        cheds = [
            ChedSummary(
                chedReference=n.ched_reference,
                localReference=n.local_reference,
                status=n.status,
                replacedBy=n.replaced_by,
            )
            for n in found
        ]
        return JSONResponse(ChedList(cheds=tuple(cheds)).model_dump())

    async def withdraw(request: Request) -> Response:
        try:
            withdrawal = ChedWithdrawal.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)}, status_code=422)
        found = await store.withdraw(request.path_params["reference"], withdrawal.reason)
        if found is None:
            return JSONResponse({"error": "no such CHED"}, status_code=404)
        log.info("CHED withdrawn", ched=found.ched_reference, reason=withdrawal.reason)
        return JSONResponse({"chedReference": found.ched_reference, "status": "WITHDRAWN"})

    async def answer(request: Request) -> Response:
        try:
            answer = ChedAnswer.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)}, status_code=422)
        found = await store.get(request.path_params["reference"])
        if found is None:
            return JSONResponse({"error": "no such CHED"}, status_code=404)
        if found.withdrawn or found.replaced_by:
            return JSONResponse({"error": f"the CHED is {found.status.lower()}"}, status_code=409)
        added = await store.add_answer(found.ched_reference, answer.model_dump(), faults.script.decide_after_seconds)
        return JSONResponse({"chedReference": found.ched_reference, "recorded": added})

    async def show(request: Request) -> Response:
        found = await store.get(request.path_params["reference"])
        if found is None:
            return JSONResponse({"error": "no such CHED"}, status_code=404)
        return JSONResponse(
            {"chedReference": found.ched_reference, "decision": found.decision, "request": found.request}
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/ched", create, methods=["POST"]),
            Route("/ched", listing, methods=["GET"]),
            Route("/ched/{reference}/withdrawal", withdraw, methods=["POST"]),
            Route("/ched/{reference}/answers", answer, methods=["POST"]),
            Route("/ched/{reference}", show, methods=["GET"]),
            Route("/_script", faults.control, methods=["GET", "POST"]),
            Route("/_health", health, methods=["GET"]),
        ]
    )
    return faults.middleware(app)


def decision_document(notification: Notification, query_first: bool = False) -> dict[str, object]:
    request = ChedNotification.model_validate(notification.request)
    verdict = information_request(request) if query_first and not notification.answers else decide(request)
    return {
        "eventId": f"evt-{secrets.token_hex(8)}",
        "chedReference": notification.ched_reference,
        "localReference": notification.local_reference,
        "conditions": [],
        "reasons": [],
        **verdict,
        "officialVeterinarian": {"id": "KZ-OV-0117", "name": "Dr. Aidos Nurpeisov"},
        "decidedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


async def run_veterinarian(
    store: ChedStore, faults: ScriptedFaults, stop: asyncio.Event, token: str | None, poll_seconds: float = 0.1
) -> None:
    """Decide due notifications and call their webhooks until ``stop``; a failed callback is retried later."""
    async with httpx.AsyncClient(timeout=10.0) as http:
        while not stop.is_set():
            for notification in await store.due():
                if notification.decision is None:
                    document = decision_document(notification, faults.script.query_first)
                    await store.set_decision(notification.ched_reference, document)
                    refreshed = await store.get(notification.ched_reference)
                    assert refreshed is not None
                    if refreshed.withdrawn or refreshed.decision is None:
                        continue  # withdrawn or amended meanwhile: nothing to call back with
                    notification = refreshed
                await _call_back(http, store, notification, faults.script.duplicate_webhooks, token)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)


async def _call_back(
    http: httpx.AsyncClient, store: ChedStore, notification: Notification, twice: bool, token: str | None
) -> None:
    headers = {WEBHOOK_TOKEN_HEADER: token} if token else {}
    sent, delivered = 0, False
    for _ in range(2 if twice else 1):
        try:
            answer = await http.post(notification.callback_url, json=notification.decision, headers=headers)
            sent += 1
            delivered = delivered or answer.is_success
        except httpx.HTTPError as exc:
            log.info("callback failed; will retry", ched=notification.ched_reference, error=str(exc))
    await store.callback_result(notification.ched_reference, delivered, sent, retry_after=0.5)

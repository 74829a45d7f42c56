"""The officer console: the agency's queue, one document as the agency's view shows it (never more: the hub
queued only that view), and the officer's actions on it: claim, release, decide, record the vehicle's
arrival or exit. A UCR or submission id typed or scanned opens the consignment's document; the decision's
QR code (a hub-signed status proof) is verified by the hub and its verdict shown. Every action is one call
of the hub's API with the officer's own token, so the hub records who did it; the page shows the agency's
part of the history it keeps."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.web.console.forms import (
    CHANNELS,
    DECISIONS,
    EVENT_TYPES,
    border_event_from_form,
    decision_from_form,
)
from singlewindow.platform.web.middleware import session_of
from singlewindow.platform.web.portal import Portal

MAX_PAYLOAD_CHARS = 2000
PROOF_PREFIX = "NSW1."  # the hub-signed status proof's payload (docs/api.md)


def matching(items: Sequence[Mapping[str, Any]], payload: str) -> Mapping[str, Any] | None:
    """The open document whose submission id or UCR the payload carries (a QR code's text holds one of
    them whatever else it says), the oldest first."""
    text = payload.strip()
    if not text:
        return None
    for item in items:
        if str(item["submissionId"]) in text or str(item["ucr"]) in text:
            return item
    return None


def proven_items(items: Sequence[Mapping[str, Any]], verdict: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The open document of the consignment a signed proof names: looked up by the verified statement (the
    submission id is inside the signed part, never matched in the raw text), none for an unsigned proof."""
    if not verdict or not verdict.get("signed"):
        return []
    submission_id = (verdict.get("statement") or {}).get("submissionId")
    return [item for item in items if item["submissionId"] == submission_id][:1]


def console_routes(portal: Portal) -> list[Route]:
    def ticket_of(request: Request) -> int:
        raw = request.path_params["ticket"]
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0

    def back(ticket: int) -> Response:
        return RedirectResponse(f"/console/items/{ticket}", status_code=303)

    async def queue(request: Request, missing: str = "", verdict: Mapping[str, Any] | None = None) -> Response:
        async with portal.hub_of(request) as hub:
            items = await hub.officer_queue()
            me = await hub.me()
        proven = proven_items(items, verdict)
        return portal.pages.render(
            request, "console.html", items=items, me=me, missing=missing, verdict=verdict, proven=proven
        )

    async def listing(request: Request) -> Response:
        return await queue(request)

    async def take_next(request: Request) -> Response:
        await portal.posted(request)
        async with portal.hub_of(request) as hub:
            pulled = await hub.next_document()
        return back(pulled["ticket"]) if pulled else RedirectResponse("/console", status_code=303)

    async def open_payload(request: Request) -> Response:
        payload = request.query_params.get("payload", "")[:MAX_PAYLOAD_CHARS].strip()
        if payload.startswith(PROOF_PREFIX):
            return await proof(request, payload)
        async with portal.hub_of(request) as hub:
            found = matching(await hub.officer_queue(), payload)
        return back(int(found["ticket"])) if found else await queue(request, missing=payload)

    async def proof(request: Request, payload: str) -> Response:
        """A signed status proof (the decision's QR code): the hub's verdict on it, with the queue."""
        async with portal.hub_of(request) as hub:
            try:
                verdict = await hub.verify_status_proof(payload)
            except InvalidInput:
                verdict = {"verdict": "invalid", "signed": False, "current": False}
        return await queue(request, verdict=verdict)

    async def item(request: Request) -> Response:
        ticket = ticket_of(request)
        async with portal.hub_of(request) as hub:
            document = await hub.ticket(ticket)
            history = await hub.history(ticket)
            border = await hub.border_events(str(document["ucr"]))
            joint = await hub.joint_inspections(str(document["submissionId"]))
            me = await hub.me()
        codelists = portal.config.codelists
        crossing_points = codelists.options("border-crossing-points", portal.pages.language_of(request))
        return portal.pages.render(
            request, "console_item.html", item=document, history=history, border=border, me=me, joint=joint,
            view=json.dumps(document["document"], indent=2, ensure_ascii=False), decisions=DECISIONS,
            channels=CHANNELS, event_types=EVENT_TYPES, crossing_points=crossing_points,
        )  # fmt: skip

    async def claim(request: Request) -> Response:
        await portal.posted(request)
        async with portal.hub_of(request) as hub:
            await hub.claim(ticket_of(request))
        return back(ticket_of(request))

    async def release(request: Request) -> Response:
        await portal.posted(request)
        async with portal.hub_of(request) as hub:
            await hub.release(ticket_of(request))
        return RedirectResponse("/console", status_code=303)

    async def decide(request: Request) -> Response:
        form = await portal.posted(request)
        async with portal.hub_of(request) as hub:
            await hub.decide(decision_from_form(ticket_of(request), form, session_of(request).name))
        return back(ticket_of(request))

    async def border_event(request: Request) -> Response:
        form = await portal.posted(request)
        async with portal.hub_of(request) as hub:
            queued = await hub.ticket(ticket_of(request))
            me = await hub.me()
            officer = {"id": str(me["name"]), "name": session_of(request).name or str(me["name"])}
            await hub.record_border_event(border_event_from_form(queued, form, str(queued["agency"]), officer))
        return back(ticket_of(request))

    return [
        Route("/console", portal.guarded(listing), methods=["GET"]),
        Route("/console/next", portal.guarded(take_next), methods=["POST"]),
        Route("/console/open", portal.guarded(open_payload), methods=["GET"]),
        Route("/console/items/{ticket}", portal.guarded(item), methods=["GET"]),
        Route("/console/items/{ticket}/claim", portal.guarded(claim), methods=["POST"]),
        Route("/console/items/{ticket}/release", portal.guarded(release), methods=["POST"]),
        Route("/console/items/{ticket}/decide", portal.guarded(decide), methods=["POST"]),
        Route("/console/items/{ticket}/border-event", portal.guarded(border_event), methods=["POST"]),
    ]

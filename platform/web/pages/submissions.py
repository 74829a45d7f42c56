"""The trader's submissions: the list (filter by status, search), one submission with each agency's status
kept live by server-sent events from the hub's Watch, and the trader's actions on it (answer a query,
cancel). Everything is one call of the hub's API with the visitor's token."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import NswError
from singlewindow.platform.web.decision_pdf import decision_pdf, qr_svg
from singlewindow.platform.web.portal import Portal

LIST_LIMIT = 1000  # the API's most; the search runs over these, newest first
SEARCHED = ("submissionId", "traderReference", "ucr", "documentType")
MAX_QUERY_CHARS = 100
MAX_TEXT_CHARS = 2000


def matches(submission: Mapping[str, Any], query: str) -> bool:
    wanted = query.casefold()
    return any(wanted in str(submission.get(key, "")).casefold() for key in SEARCHED)


def open_queries(submission: Mapping[str, Any]) -> list[dict[str, str]]:
    """The agencies' questions still waiting for the trader's answer."""
    found = []
    for recipient in submission.get("recipients", []):
        decision = recipient.get("decision") or {}
        if recipient.get("effectiveStatus") == "QUERY":
            question = str((decision.get("query") or {}).get("question", ""))
            found.append({"recipient": str(recipient.get("recipient")), "question": question})
    return found


def _frames(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    async def frames() -> AsyncIterator[str]:
        yield ": watching\n\n"
        try:
            async for event in events:
                data = json.dumps(event, separators=(",", ":"))
                yield f"id: {event.get('resumeToken', '')}\nevent: {event.get('kind', 'message')}\ndata: {data}\n\n"
        except NswError:  # the hub went away: the browser's EventSource reconnects with Last-Event-ID
            return

    return frames()


def submission_routes(portal: Portal) -> list[Route]:
    async def home(request: Request) -> Response:
        return RedirectResponse("/submissions", status_code=303)

    async def listing(request: Request) -> Response:
        status = request.query_params.get("status") or None
        if status not in {s.value for s in Consolidated}:
            status = None
        query = (request.query_params.get("q") or "").strip()[:MAX_QUERY_CHARS]
        async with portal.hub_of(request) as hub:
            found = await hub.list(status, LIST_LIMIT)
        shown = [s for s in found if matches(s, query)] if query else found
        return portal.pages.render(
            request,
            "submissions.html",
            submissions=shown,
            statuses=[s.value for s in Consolidated],
            status=status or "",
            query=query,
        )

    async def _one(request: Request) -> dict[str, Any]:
        async with portal.hub_of(request) as hub:
            return await hub.get(request.path_params["id"])

    async def _invoice(request: Request) -> dict[str, Any] | None:
        """The submission's invoice when the hub charges fees for it (None otherwise)."""
        async with portal.hub_of(request) as hub:
            return await hub.invoice(request.path_params["id"])

    async def detail(request: Request) -> Response:
        submission = await _one(request)
        return portal.pages.render(
            request,
            "submission.html",
            submission=submission,
            queries=open_queries(submission),
            invoice=await _invoice(request),
        )

    async def _decided(request: Request) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The submission and, once terminal, the hub's signed proof of its status (issued by the hub, with
        the visitor's own grants)."""
        async with portal.hub_of(request) as hub:
            submission = await hub.get(request.path_params["id"])
            if not submission.get("terminal"):
                return submission, None
            return submission, await hub.status_proof(submission["submissionId"])

    async def decision(request: Request) -> Response:
        submission, proof = await _decided(request)
        if proof is None:
            return RedirectResponse(f"/submissions/{submission['submissionId']}", status_code=303)
        qr = qr_svg(proof["payload"], "QR: " + proof["statement"]["submissionId"])
        invoice = await _invoice(request)
        return portal.pages.render(
            request, "decision.html", submission=submission, queries=[], proof=proof, qr=qr, invoice=invoice
        )

    async def decision_document(request: Request) -> Response:
        submission, proof = await _decided(request)
        if proof is None:
            return RedirectResponse(f"/submissions/{submission['submissionId']}", status_code=303)
        name = f"decision-{submission['submissionId']}-v{submission['version']}.pdf"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        gettext = portal.pages.language_of(request).gettext
        return Response(decision_pdf(submission, proof, gettext), media_type="application/pdf", headers=headers)

    async def status_fragment(request: Request) -> Response:
        submission = await _one(request)
        return portal.pages.render(request, "_status.html", submission=submission, queries=open_queries(submission))

    async def events(request: Request) -> Response:
        submission_id = request.path_params["id"]
        hub = portal.hub_of(request)
        await hub.get(submission_id)  # refused before the stream opens, as the API does
        resume = request.headers.get("last-event-id")

        async def stream() -> AsyncIterator[dict[str, Any]]:
            async with hub:
                async for event in hub.watch(submission_id, resume):
                    yield event

        headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
        return StreamingResponse(_frames(stream()), media_type="text/event-stream", headers=headers)

    async def answer(request: Request) -> Response:
        form = await portal.posted(request)
        submission_id = request.path_params["id"]
        async with portal.hub_of(request) as hub:
            await hub.answer(
                submission_id, str(form.get("recipient", "")), str(form.get("answer", ""))[:MAX_TEXT_CHARS]
            )
        return RedirectResponse(f"/submissions/{submission_id}", status_code=303)

    async def cancel(request: Request) -> Response:
        form = await portal.posted(request)
        submission_id = request.path_params["id"]
        async with portal.hub_of(request) as hub:
            await hub.cancel(submission_id, str(form.get("reason", "")).strip()[:MAX_TEXT_CHARS] or None)
        return RedirectResponse(f"/submissions/{submission_id}", status_code=303)

    return [
        Route("/", portal.guarded(home), methods=["GET"]),
        Route("/submissions", portal.guarded(listing), methods=["GET"]),
        Route("/submissions/{id}", portal.guarded(detail), methods=["GET"]),
        Route("/submissions/{id}/status", portal.guarded(status_fragment), methods=["GET"]),
        Route("/submissions/{id}/decision", portal.guarded(decision), methods=["GET"]),
        Route("/submissions/{id}/decision.pdf", portal.guarded(decision_document), methods=["GET"]),
        Route("/submissions/{id}/events", portal.guarded(events), methods=["GET"]),
        Route("/submissions/{id}/answer", portal.guarded(answer), methods=["POST"]),
        Route("/submissions/{id}/cancel", portal.guarded(cancel), methods=["POST"]),
    ]

"""The console's joint (one-stop) inspections: the agency's open ones with their forms (accept or decline
the slot, record attendance and the agency's own findings), and a slot proposed from a document's page.
Each is one call of the hub's joint-inspection API with the officer's token: the hub checks who may act,
records who did, and shows the agency only its own findings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from singlewindow.platform.web.console.forms import joint_slot_from_form
from singlewindow.platform.web.portal import Portal

MAX_TEXT = 4000


def joint_routes(portal: Portal) -> list[Route]:
    def number(request: Request, name: str) -> int:
        raw = request.path_params[name]
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0

    def listing_page(inspection_id: int) -> Response:
        return RedirectResponse(f"/console/joint#inspection-{inspection_id}", status_code=303)

    async def listing(request: Request) -> Response:
        async with portal.hub_of(request) as hub:
            inspections = await hub.joint_inspections()
            me = await hub.me()
        return portal.pages.render(request, "console_joint.html", inspections=inspections, me=me)

    async def propose(request: Request) -> Response:
        form = await portal.posted(request)
        ticket = number(request, "ticket")
        slot, place = joint_slot_from_form(form)
        async with portal.hub_of(request) as hub:
            queued = await hub.ticket(ticket)
            proposed = await hub.propose_joint_inspection(str(queued["submissionId"]), slot, place)
        return listing_page(int(proposed["id"]))

    async def answer(request: Request) -> Response:
        form = await portal.posted(request)
        inspection_id = number(request, "id")
        reason = form.get("reason")
        text = reason.strip()[:500] if isinstance(reason, str) else ""
        async with portal.hub_of(request) as hub:
            await hub.answer_joint_inspection(inspection_id, form.get("accept") == "yes", text or None)
        return listing_page(inspection_id)

    async def attendance(request: Request) -> Response:
        form = await portal.posted(request)
        inspection_id = number(request, "id")
        findings = form.get("findings")
        text = findings.strip()[:MAX_TEXT] if isinstance(findings, str) else ""
        async with portal.hub_of(request) as hub:
            verdict = {"yes": True, "no": False}.get(str(form.get("compliant", "")))  # not stated: None
            await hub.record_joint_attendance(inspection_id, form.get("attended") == "yes", text, verdict)
        return listing_page(inspection_id)

    return [
        Route("/console/joint", portal.guarded(listing), methods=["GET"]),
        Route("/console/items/{ticket}/joint", portal.guarded(propose), methods=["POST"]),
        Route("/console/joint/{id}/response", portal.guarded(answer), methods=["POST"]),
        Route("/console/joint/{id}/attendance", portal.guarded(attendance), methods=["POST"]),
    ]

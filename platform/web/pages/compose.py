"""A new submission, or an amendment of one (the same form prefilled with the current document from the hub's
``GET /v1/submissions/{id}/document``): the form generated from the document type's schema (or a JSON document
uploaded), files attached through the hub's attachment store, and the submission itself. The hub's validator
judges the document when it is submitted; nothing is stored while it has problems, and each problem is shown next to
the field its JSON pointer names."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from singlewindow.platform.errors import InvalidInput, NotFound, PayloadTooLarge, Problem
from singlewindow.platform.inputs import parse_json
from singlewindow.platform.state.common import rfc3339_millis, utcnow
from singlewindow.platform.web.forms.nodes import build, problem_links
from singlewindow.platform.web.forms.spec import FieldSpec, codelists_of
from singlewindow.platform.web.forms.values import add_item, blank, document_of, read_form, remove_item
from singlewindow.platform.web.portal import Portal

ATTACHMENT_KINDS = ("INVOICE", "CMR", "PACKING_LIST", "PHOTO", "CERTIFICATE", "OTHER")
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def new_draft(spec: FieldSpec) -> dict[str, Any]:
    """A blank document with what the portal can fill for the trader: a fresh id, now, an original."""
    draft = blank(spec)
    assert isinstance(draft, dict)
    defaults = {"documentId": f"WEB-{secrets.token_hex(6).upper()}", "issuedAt": rfc3339_millis(utcnow()),
                "functionCode": "ORIGINAL"}  # fmt: skip
    for name, value in defaults.items():
        if spec.child(name) is not None:
            draft[name] = value
    return draft


def _fields(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if key.startswith("/") and isinstance(value, str)}


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(f"the file is larger than {limit} bytes", [Problem("", "maxBytes", f"at most {limit}")])
    return content


def _uploaded_document(content: bytes) -> dict[str, Any]:
    document = parse_json(content, syntax_path="")
    if not isinstance(document, dict):
        raise InvalidInput("the file must hold one JSON object", [Problem("", "type", "must be an object")])
    return document


def compose_routes(portal: Portal) -> list[Route]:
    def spec_of(request: Request) -> tuple[str, FieldSpec]:
        document_type = request.path_params["type"]
        if document_type not in portal.forms:
            raise NotFound(f"no form for {document_type!r}")
        return document_type, portal.forms[document_type]

    async def target_of(request: Request) -> tuple[str, FieldSpec]:
        """The document type of a new submission (``/new/{type}``) or of the one amended (``/submissions/{id}/
        amend``: the hub says which, with the visitor's grants, and 404s one it may not read)."""
        submission_id = request.path_params.get("id")
        if submission_id is None:
            return spec_of(request)
        async with portal.hub_of(request) as hub:
            document_type = str((await hub.get(submission_id))["documentType"])
        if document_type not in portal.forms:
            raise NotFound(f"no form for {document_type!r}")
        return document_type, portal.forms[document_type]

    async def render(
        request: Request,
        document_type: str,
        draft: Mapping[str, Any],
        problems: Sequence[Problem] = (),
        status_code: int = 200,
        notice: str = "",
    ) -> Response:
        spec = portal.forms[document_type]
        found = list(problems)
        by_pointer: dict[str, list[str]] = {}
        for problem in found:
            by_pointer.setdefault(problem.path, []).append(problem.message)
        root = build(spec, draft, "", by_pointer)
        async with portal.hub_of(request) as hub:
            caller = await hub.me()
        amending = request.path_params.get("id")
        return portal.pages.render(
            request,
            "compose.html",
            status_code,
            amending=amending,
            action=f"/submissions/{amending}/amend" if amending else f"/new/{document_type}",
            document_type=document_type,
            title=portal.title_of(document_type),
            root=root,
            used_codelists=sorted(codelists_of(spec)),
            problems=problem_links(root, [(p.path, p.message) for p in found]),
            acting_for=[g for g in caller["actingFor"] if g["scope"] == "submit"],
            attachment_kinds=ATTACHMENT_KINDS,
            notice=notice,
        )

    async def choose(request: Request) -> Response:
        types = [(name, portal.title_of(name)) for name in portal.forms]
        samples = {name: [p.stem for p in portal.config.specs.get(name).valid_examples] for name in portal.forms}
        return portal.pages.render(request, "choose.html", types=types, samples=samples)

    async def blank_form(request: Request) -> Response:
        document_type, spec = spec_of(request)
        sample = request.query_params.get("sample")
        draft: dict[str, Any] = new_draft(spec)
        for path in portal.config.specs.get(document_type).valid_examples:
            if path.stem == sample:
                draft = json.loads(path.read_text(encoding="utf-8"))
        return await render(request, document_type, draft)

    async def amend_form(request: Request) -> Response:
        document_type, _ = await target_of(request)
        async with portal.hub_of(request) as hub:
            current = await hub.document(request.path_params["id"])
        return await render(request, document_type, current["document"])

    async def posted(request: Request) -> Response:
        document_type, spec = await target_of(request)
        form = await portal.posted(request)
        draft = read_form(spec, _fields(form))
        assert isinstance(draft, dict)
        action = str(form.get("action", "submit"))
        if action.startswith("add:"):
            add_item(spec, draft, action[4:])
            return await render(request, document_type, draft)
        if action.startswith("remove:"):
            remove_item(draft, action[7:])
            return await render(request, document_type, draft)
        if action == "upload":
            return await upload_document(request, document_type, form)
        if action == "attach":
            return await attach(request, document_type, spec, draft, form)
        return await submit(request, document_type, document_of(spec, draft), draft, form)

    async def upload_document(request: Request, document_type: str, form: FormData) -> Response:
        upload = form.get("document-file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await render(request, document_type, new_draft(portal.forms[document_type]))
        try:
            document = _uploaded_document(await _read_upload(upload, MAX_DOCUMENT_BYTES))
        except InvalidInput as exc:
            return await render(request, document_type, new_draft(portal.forms[document_type]), exc.problems, 422)
        return await submit(request, document_type, document, document, form)

    async def attach(
        request: Request, document_type: str, spec: FieldSpec, draft: dict[str, Any], form: FormData
    ) -> Response:
        upload = form.get("attachment-file")
        if not isinstance(upload, UploadFile) or not upload.filename or spec.child("attachments") is None:
            return await render(request, document_type, draft)
        content = await _read_upload(upload, portal.config.max_attachment_bytes)
        media_type = (upload.content_type or "application/octet-stream").split(";")[0].strip().lower()
        kind = str(form.get("attachment-kind", "OTHER"))
        async with portal.hub_of(request) as hub:
            stored = await hub.put_attachment(content, media_type, upload.filename)
        entry = {"sha256": stored["sha256"], "mediaType": media_type, "fileName": upload.filename,
                 "sizeBytes": len(content), "kind": kind if kind in ATTACHMENT_KINDS else "OTHER"}  # fmt: skip
        attachments = draft.get("attachments")
        draft["attachments"] = [*(attachments if isinstance(attachments, list) else []), entry]
        notice = f"{upload.filename}: SHA-256 {stored['sha256']}"
        return await render(request, document_type, draft, notice=notice)

    async def submit(
        request: Request, document_type: str, document: dict[str, Any], draft: Mapping[str, Any], form: FormData
    ) -> Response:
        declarant = str(form.get("declarant", "")) or None
        amending = request.path_params.get("id")
        try:
            async with portal.hub_of(request) as hub:
                if amending:
                    submission_id = (await hub.amend(amending, document))["submissionId"]
                else:
                    answer = await hub.submit(document, document_type, declarant=declarant)
                    submission_id = answer["submission"]["submissionId"]
        except InvalidInput as exc:
            return await render(request, document_type, draft, exc.problems, 422)
        return RedirectResponse(f"/submissions/{submission_id}", status_code=303)

    return [
        Route("/new", portal.guarded(choose), methods=["GET"]),
        Route("/new/{type}", portal.guarded(blank_form), methods=["GET"]),
        Route("/new/{type}", portal.guarded(posted), methods=["POST"]),
        Route("/submissions/{id}/amend", portal.guarded(amend_form), methods=["GET"]),
        Route("/submissions/{id}/amend", portal.guarded(posted), methods=["POST"]),
    ]

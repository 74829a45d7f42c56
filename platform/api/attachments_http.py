"""HTTP for attachments: ``POST /v1/attachments`` (the body is the file, streamed; the size limit enforced
while reading, so an oversized upload gets 413 without being buffered), ``GET /v1/attachments/{sha256}``
(the file), ``GET /v1/attachments?submissionId=&version=`` (what a routed submission lists)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded
from singlewindow.platform.attachments import AttachmentService
from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.inputs import INT32_MAX, parse_count


def _declared_size_ok(request: Request, limit: int) -> None:
    declared = parse_count(request.headers.get("content-length"), "/content-length")
    if declared is not None and declared > limit:
        raise PayloadTooLarge(
            f"attachment is {declared} bytes; the limit is {limit}", [Problem("", "maxBytes", f"at most {limit}")]
        )


def _version(raw: str | None) -> int:
    version = parse_count(raw, "/version", minimum=1, maximum=INT32_MAX)  # ASCII digits: "²".isdigit() is True
    if version is None:
        raise InvalidInput("version must be a positive integer", [Problem("/version", "type", "an integer >= 1")])
    return version


def attachment_routes(service: AttachmentService, principals: PrincipalStore) -> list[Route]:
    async def put(request: Request) -> Response:
        principal = await caller(principals, request)
        _declared_size_ok(request, service.max_bytes)

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in request.stream():
                yield chunk

        info, created = await service.put(
            principal,
            chunks(),
            request.headers.get("content-type"),
            request.query_params.get("fileName") or request.headers.get("x-file-name"),
            request.query_params.get("sha256") or request.headers.get("x-content-sha256"),
        )
        return JSONResponse(info.as_dict(), status_code=201 if created else 200)

    async def get(request: Request) -> Response:
        principal = await caller(principals, request)
        info, path = await service.open(principal, request.path_params["sha256"])
        headers = {
            "x-content-sha256": info.sha256,
            "etag": f'"{info.sha256}"',
            "content-disposition": f"attachment; filename*=UTF-8''{quote(info.file_name)}",
        }
        return FileResponse(path, media_type=info.media_type, headers=headers)

    async def listed(request: Request) -> Response:
        principal = await caller(principals, request)
        submission_id = request.query_params.get("submissionId")
        if not submission_id:
            raise InvalidInput("submissionId is required", [Problem("/submissionId", "required", "must be given")])
        entries = await service.of_submission(principal, submission_id, _version(request.query_params.get("version")))
        return JSONResponse({"attachments": entries})

    return [
        Route("/v1/attachments", guarded(put), methods=["POST"]),
        Route("/v1/attachments", guarded(listed), methods=["GET"]),
        Route("/v1/attachments/{sha256}", guarded(get), methods=["GET"]),
    ]

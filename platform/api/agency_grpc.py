"""``nsw.agency.v1`` on grpc.aio: AttachmentService (Put/GetAttachment, streamed) and OfficerService
(Next/Decide). Framing only: the same services and parsers as the HTTP routes, so both give the same answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog

from singlewindow.platform.api.agency_services import AgencyServices
from singlewindow.platform.api.grpc_messages import error_status
from singlewindow.platform.api.officers_http import decision_input
from singlewindow.platform.api.proto import agency_pb2 as pb
from singlewindow.platform.api.proto import agency_pb2_grpc
from singlewindow.platform.attachments import AttachmentInfo, AttachmentService
from singlewindow.platform.errors import InvalidInput, NswError, Problem
from singlewindow.platform.identity import Principal
from singlewindow.platform.inputs import require_clean
from singlewindow.platform.officers import OfficerService, RecordedDecision
from singlewindow.platform.state.common import rfc3339_millis

log = structlog.get_logger(__name__)
Authenticate = Callable[[str | None], Awaitable[Principal]]
Context = grpc.aio.ServicerContext[Any, Any]
T = TypeVar("T")
CHUNK = 64 * 1024


def _authorization(context: Context) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else value.decode()
    return None


async def _abort(context: Context, error: BaseException) -> None:
    if not isinstance(error, NswError):
        log.exception("agency grpc call failed", exc_info=error)
    status = error_status(error)
    await context.abort(status.code, status.details, status.trailing_metadata)


def _info(info: AttachmentInfo) -> pb.AttachmentInfo:
    return pb.AttachmentInfo(
        sha256=info.sha256,
        size_bytes=info.size_bytes,
        media_type=info.media_type,
        file_name=info.file_name,
        uploaded_at=rfc3339_millis(info.uploaded_at),
    )


class AttachmentServicer:
    def __init__(self, service: AttachmentService, authenticate: Authenticate) -> None:
        self._service = service
        self._authenticate = authenticate

    async def PutAttachment(self, requests: AsyncIterator[pb.AttachmentChunk], context: Context) -> pb.AttachmentInfo:
        try:
            principal = await self._authenticate(_authorization(context))
            first = await anext(aiter(requests), None)
            if first is None or not first.HasField("info"):
                raise InvalidInput("the first chunk carries the file's info", [Problem("/info", "required", "")])

            async def chunks() -> AsyncIterator[bytes]:
                yield first.data
                async for chunk in requests:
                    yield chunk.data

            given = {"mediaType": first.info.media_type, "fileName": first.info.file_name, "sha256": first.info.sha256}
            require_clean(given, "/info")
            info, _ = await self._service.put(
                principal, chunks(), first.info.media_type, first.info.file_name, first.info.sha256 or None
            )
            return _info(info)
        except Exception as error:
            await _abort(context, error)
            raise

    async def GetAttachment(
        self, request: pb.GetAttachmentRequest, context: Context
    ) -> AsyncIterator[pb.AttachmentChunk]:
        try:
            principal = await self._authenticate(_authorization(context))
            info, path = await self._service.open(principal, request.sha256)
        except Exception as error:
            await _abort(context, error)
            raise
        yield pb.AttachmentChunk(info=_info(info))
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            while data := await asyncio.to_thread(handle.read, CHUNK):
                yield pb.AttachmentChunk(data=data)
        finally:
            handle.close()


def _decided(decision: RecordedDecision) -> pb.RecordedDecision:
    return pb.RecordedDecision(
        id=decision.id,
        ticket=decision.ticket,
        agency=decision.agency,
        submission_id=decision.submission_id,
        version=decision.version,
        decision_json=json.dumps(dict(decision.decision), ensure_ascii=False),
        decided_at=rfc3339_millis(decision.decided_at),
    )


def _decide_body(request: pb.DecideRequest) -> dict[str, Any]:
    """The HTTP API's JSON body of the same decision, so one parser checks both."""
    body: dict[str, Any] = {"ticket": request.ticket, "status": request.status}
    if request.channel:
        body["channel"] = request.channel
    body["conditions"] = [{"code": c.code, "text": c.text} for c in request.conditions]
    body["reasons"] = [{"code": r.code, "text": r.text} for r in request.reasons]
    if request.query_question:
        body["query"] = {"question": request.query_question}
        if request.query_respond_by:
            body["query"]["respondBy"] = request.query_respond_by
    if request.officer_name:
        body["officerName"] = request.officer_name
    return body


class OfficerServicer:
    def __init__(self, officers: OfficerService, authenticate: Authenticate) -> None:
        self._officers = officers
        self._authenticate = authenticate

    async def _call(self, context: Context, work: Callable[[Principal], Awaitable[T]]) -> T:
        try:
            return await work(await self._authenticate(_authorization(context)))
        except Exception as error:
            await _abort(context, error)
            raise

    async def Next(self, request: pb.NextRequest, context: Context) -> pb.QueuedDocument:
        async def work(principal: Principal) -> pb.QueuedDocument:
            queued = await self._officers.next(principal)
            if queued is None:
                return pb.QueuedDocument(empty=True)
            return pb.QueuedDocument(
                ticket=queued.ticket,
                agency=queued.agency,
                submission_id=queued.submission_id,
                version=queued.version,
                ucr=queued.ucr,
                view=queued.view,
                document_json=json.dumps(dict(queued.document), ensure_ascii=False),
                claim_expires_at=rfc3339_millis(queued.claim_expires_at) if queued.claim_expires_at else "",
            )

        return await self._call(context, work)

    async def Decide(self, request: pb.DecideRequest, context: Context) -> pb.RecordedDecision:
        async def work(principal: Principal) -> pb.RecordedDecision:
            return _decided(await self._officers.decide(principal, decision_input(_decide_body(request))))

        return await self._call(context, work)


ATTACHMENT_SERVICE: str = pb.DESCRIPTOR.services_by_name["AttachmentService"].full_name
OFFICER_SERVICE: str = pb.DESCRIPTOR.services_by_name["OfficerService"].full_name


def add_agency_services(server: grpc.aio.Server, agency: AgencyServices, authenticate: Authenticate) -> tuple[str, ...]:
    """Register both services on ``server``; returns their names (for reflection and health)."""
    attachments = AttachmentServicer(agency.attachments, authenticate)
    officers = OfficerServicer(agency.officers, authenticate)
    agency_pb2_grpc.add_AttachmentServiceServicer_to_server(attachments, server)  # type: ignore[no-untyped-call]
    agency_pb2_grpc.add_OfficerServiceServicer_to_server(officers, server)  # type: ignore[no-untyped-call]
    return ATTACHMENT_SERVICE, OFFICER_SERVICE

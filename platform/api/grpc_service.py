"""``nsw.submission.v1.SubmissionService`` on grpc.aio: framing only; the work is in ``SubmissionApi``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog

from singlewindow.platform.api.grpc_messages import error_status, submission_message, watch_message
from singlewindow.platform.api.operations import SubmissionApi, parse_document
from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.errors import NswError
from singlewindow.platform.identity import Principal

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _authorization(context: grpc.aio.ServicerContext[Any, Any]) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else value.decode()
    return None


async def _abort(context: grpc.aio.ServicerContext[Any, Any], error: BaseException) -> None:
    if not isinstance(error, NswError):
        log.exception("grpc call failed", exc_info=error)
    status = error_status(error)
    await context.abort(status.code, status.details, status.trailing_metadata)


class SubmissionServicer:
    """Registered with ``add_SubmissionServiceServicer_to_server``; one method per RPC."""

    def __init__(self, api: SubmissionApi) -> None:
        self._api = api

    async def _call(self, context: grpc.aio.ServicerContext[Any, Any], work: Callable[[Principal], Awaitable[T]]) -> T:
        try:
            return await work(await self._api.principal(_authorization(context)))
        except Exception as error:
            await _abort(context, error)
            raise  # abort raises; this line only satisfies the type checker

    def _document(self, text: str) -> dict[str, Any]:
        return parse_document(text, self._api.max_document_bytes, "/documentJson")

    async def Submit(self, request: pb.SubmitRequest, context: grpc.aio.ServicerContext[Any, Any]) -> pb.SubmitResponse:
        async def work(principal: Principal) -> pb.SubmitResponse:
            view, created = await self._api.submit(
                principal,
                request.document_type,
                self._document(request.document_json),
                request.trader_reference,
                request.declarant,
            )
            return pb.SubmitResponse(submission=submission_message(view), created=created)

        return await self._call(context, work)

    async def Amend(self, request: pb.AmendRequest, context: grpc.aio.ServicerContext[Any, Any]) -> pb.Submission:
        async def work(principal: Principal) -> pb.Submission:
            document = self._document(request.document_json)
            return submission_message(await self._api.amend(principal, request.submission_id, document))

        return await self._call(context, work)

    async def Cancel(self, request: pb.CancelRequest, context: grpc.aio.ServicerContext[Any, Any]) -> pb.Submission:
        async def work(principal: Principal) -> pb.Submission:
            return submission_message(await self._api.cancel(principal, request.submission_id, request.reason))

        return await self._call(context, work)

    async def RespondToQuery(
        self, request: pb.RespondToQueryRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.Submission:
        async def work(principal: Principal) -> pb.Submission:
            view = await self._api.respond_to_query(principal, request.submission_id, request.recipient, request.answer)
            return submission_message(view)

        return await self._call(context, work)

    async def Get(self, request: pb.GetRequest, context: grpc.aio.ServicerContext[Any, Any]) -> pb.Submission:
        async def work(principal: Principal) -> pb.Submission:
            return submission_message(await self._api.get(principal, request.submission_id))

        return await self._call(context, work)

    async def List(self, request: pb.ListRequest, context: grpc.aio.ServicerContext[Any, Any]) -> pb.ListResponse:
        async def work(principal: Principal) -> pb.ListResponse:
            views = await self._api.list(principal, request.status, request.limit)
            return pb.ListResponse(submissions=[submission_message(v) for v in views])

        return await self._call(context, work)

    async def Watch(
        self, request: pb.WatchRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.WatchEvent]:
        try:
            principal = await self._api.principal(_authorization(context))
            items = await self._api.watch(principal, request.resume_token, request.submission_id)
            async for item in items:
                yield watch_message(item)
        except Exception as error:
            await _abort(context, error)

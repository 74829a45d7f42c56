"""``nsw.permits.v1.PermitService`` on grpc.aio: framing only. Requests become the HTTP API's JSON bodies
(the proto's fields are those names in snake case) and go through the same parsers and ``PermitService``,
so both APIs give the same answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import grpc
import structlog
from google.protobuf import json_format
from google.protobuf.message import Message

from singlewindow.platform.api.grpc_messages import error_status
from singlewindow.platform.api.proto import permits_pb2 as pb
from singlewindow.platform.errors import NswError
from singlewindow.platform.identity import Principal
from singlewindow.platform.inputs import check_text, require_clean
from singlewindow.platform.permits import PermitService
from singlewindow.platform.permits.wire import (
    check_from_json,
    draft_from_json,
    reversal_from_json,
    status_from_json,
    write_off_from_json,
)

log = structlog.get_logger(__name__)
Authenticate = Callable[[str | None], Awaitable[Principal]]
Context = grpc.aio.ServicerContext[Any, Any]
M = TypeVar("M", bound=Message)


def _body(request: Message) -> dict[str, Any]:
    """The request as the HTTP API's JSON body, under the same input rules (proto strings may hold NUL)."""
    body = json_format.MessageToDict(request)
    require_clean(body)
    return body


def _message(value: Mapping[str, Any], cls: type[M]) -> M:
    return json_format.ParseDict(dict(value), cls())


def _number(request: pb.GetRequest) -> str:
    check_text(request.number, "/number")
    return request.number


def _authorization(context: Context) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return value if isinstance(value, str) else value.decode()
    return None


class PermitServicer:
    """Registered with ``add_PermitServiceServicer_to_server``; one method per RPC."""

    def __init__(self, service: PermitService, authenticate: Authenticate) -> None:
        self._service = service
        self._authenticate = authenticate

    async def _call(self, context: Context, work: Callable[[Principal], Awaitable[M]]) -> M:
        try:
            return await work(await self._authenticate(_authorization(context)))
        except Exception as error:
            if not isinstance(error, NswError):
                log.exception("permits grpc call failed", exc_info=error)
            status = error_status(error)
            await context.abort(status.code, status.details, status.trailing_metadata)
            raise  # abort raises; this line only satisfies the type checker

    async def Issue(self, request: pb.IssueRequest, context: Context) -> pb.Permit:
        async def work(principal: Principal) -> pb.Permit:
            permit = await self._service.issue(principal, draft_from_json(_body(request)))
            return _message(permit.as_dict(), pb.Permit)

        return await self._call(context, work)

    async def Get(self, request: pb.GetRequest, context: Context) -> pb.Permit:
        async def work(principal: Principal) -> pb.Permit:
            return _message((await self._service.get(principal, _number(request))).as_dict(), pb.Permit)

        return await self._call(context, work)

    async def SetStatus(self, request: pb.SetStatusRequest, context: Context) -> pb.Permit:
        async def work(principal: Principal) -> pb.Permit:
            number, status = status_from_json(_body(request))
            return _message((await self._service.set_status(principal, number, status)).as_dict(), pb.Permit)

        return await self._call(context, work)

    async def Check(self, request: pb.CheckRequest, context: Context) -> pb.CheckResponse:
        async def work(principal: Principal) -> pb.CheckResponse:
            result = await self._service.check(principal, check_from_json(_body(request)))
            body = {k: v for k, v in result.as_dict().items() if v is not None}
            return _message(body, pb.CheckResponse)

        return await self._call(context, work)

    async def WriteOff(self, request: pb.WriteOffRequest, context: Context) -> pb.WriteOffResponse:
        async def work(principal: Principal) -> pb.WriteOffResponse:
            ask, key = write_off_from_json(_body(request))
            return _message((await self._service.write_off(principal, ask, key)).as_dict(), pb.WriteOffResponse)

        return await self._call(context, work)

    async def ReverseWriteOff(self, request: pb.ReverseWriteOffRequest, context: Context) -> pb.ReversalResponse:
        async def work(principal: Principal) -> pb.ReversalResponse:
            number, key, reason = reversal_from_json(_body(request))
            result = await self._service.reverse(principal, number, key, reason)
            return _message(result.as_dict(), pb.ReversalResponse)

        return await self._call(context, work)

    async def Ledger(self, request: pb.GetRequest, context: Context) -> pb.LedgerResponse:
        async def work(principal: Principal) -> pb.LedgerResponse:
            entries = await self._service.ledger(principal, _number(request))
            return _message({"entries": [e.as_dict() for e in entries]}, pb.LedgerResponse)

        return await self._call(context, work)

"""nsw.agency.v1 over gRPC: the same attachment and officer services as HTTP, with the same answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest

from singlewindow.platform.api.agency_grpc import add_agency_services
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.grpc_messages import error_details
from singlewindow.platform.api.proto import agency_pb2 as pb
from singlewindow.platform.api.proto import agency_pb2_grpc
from singlewindow.platform.routing import decide, project

MAX_ATTACHMENT = 4096  # as in conftest.py


@pytest.fixture
async def stubs(
    env: Any,
) -> AsyncIterator[tuple[agency_pb2_grpc.AttachmentServiceStub, agency_pb2_grpc.OfficerServiceStub]]:
    async def who(authorization: str | None) -> Any:
        return await authenticate(env.embedded.hub.principals, authorization)

    server = grpc.aio.server()
    add_agency_services(server, env.services, who)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield agency_pb2_grpc.AttachmentServiceStub(channel), agency_pb2_grpc.OfficerServiceStub(channel)  # type: ignore[no-untyped-call]
    finally:
        await channel.close()
        await server.stop(0)


def bearer(env: Any, who: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {env.tokens[who]}")]


async def chunks(content: bytes, name: str = "cmr.pdf", size: int = 1000) -> AsyncIterator[pb.AttachmentChunk]:
    yield pb.AttachmentChunk(info=pb.AttachmentInfo(media_type="application/pdf", file_name=name), data=content[:size])
    for start in range(size, len(content), size):
        yield pb.AttachmentChunk(data=content[start : start + size])


async def test_put_and_get_attachment_over_grpc(env: Any, stubs: Any) -> None:
    attachments, _ = stubs
    content = b"%PDF-1.7 " + b"x" * 2500
    info = await attachments.PutAttachment(chunks(content), metadata=bearer(env, "trader"))
    assert info.sha256 == hashlib.sha256(content).hexdigest() and info.size_bytes == len(content)
    received = [
        c
        async for c in attachments.GetAttachment(
            pb.GetAttachmentRequest(sha256=info.sha256), metadata=bearer(env, "trader")
        )
    ]
    assert received[0].info.file_name == "cmr.pdf"
    assert b"".join(c.data for c in received) == content
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        async for _ in attachments.GetAttachment(
            pb.GetAttachmentRequest(sha256=info.sha256), metadata=bearer(env, "vet-adapter")
        ):
            pass
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_the_size_limit_holds_over_grpc(env: Any, stubs: Any) -> None:
    attachments, _ = stubs
    with pytest.raises(grpc.aio.AioRpcError) as too_big:
        await attachments.PutAttachment(chunks(b"y" * (MAX_ATTACHMENT + 10)), metadata=bearer(env, "trader"))
    assert too_big.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = error_details(too_big.value.trailing_metadata())
    assert details is not None and details.error == "payload_too_large"


async def test_officers_pull_and_decide_over_grpc(
    env: Any, stubs: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    _, officers = stubs
    document = example("apples")
    submission_id, _ = await env.submit(document)
    tables = env.embedded.hub.tables()
    route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
    view = project(tables.views.get(route.view), document, route.items, submission_id, 1, "border-guard")
    queued = await env.http.post(
        "/v1/officer/queue", json={"document": view, "attempt": 1}, headers=env.auth("bg-adapter")
    )
    assert queued.status_code == 201

    pulled = await officers.Next(pb.NextRequest(), metadata=bearer(env, "bg-officer-1"))
    assert not pulled.empty and pulled.view == "view-border-guard"
    assert json.loads(pulled.document_json) == json.loads(json.dumps(view))
    assert (await officers.Next(pb.NextRequest(), metadata=bearer(env, "bg-officer-2"))).empty
    with pytest.raises(grpc.aio.AioRpcError) as invalid:
        await officers.Decide(
            pb.DecideRequest(ticket=pulled.ticket, status="REJECTED"), metadata=bearer(env, "bg-officer-1")
        )
    assert invalid.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    reason = pb.CodedText(code="DRIVER", text="Driver's permit expired")
    decided = await officers.Decide(
        pb.DecideRequest(ticket=pulled.ticket, status="REJECTED", reasons=[reason]),
        metadata=bearer(env, "bg-officer-1"),
    )
    assert json.loads(decided.decision_json)["reasons"] == [{"code": "DRIVER", "text": "Driver's permit expired"}]
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await officers.Decide(
            pb.DecideRequest(ticket=pulled.ticket, status="ACCEPTED"), metadata=bearer(env, "vet-officer")
        )
    assert foreign.value.code() is grpc.StatusCode.NOT_FOUND

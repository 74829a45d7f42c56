"""The register over gRPC (nsw.permits.v1.PermitService): same parsers and answers as HTTP."""

from __future__ import annotations

import grpc
import pytest

from singlewindow.platform.api.grpc_server import build_grpc_listener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.proto import permits_pb2 as pb
from singlewindow.platform.api.proto import permits_pb2_grpc
from singlewindow.platform.api.status_codes import status_of
from singlewindow.platform.identity import Role
from singlewindow.platform.permits import PermitRefused
from singlewindow.platform.settings import HubSettings
from singlewindow.platform.testing import EmbeddedHub

ITEM = {"number": "KZ-VET-2026-7", "holder_id": "151140021876", "hs_code": "0202309000", "at": "2026-11-27"}


async def test_issue_check_write_off_and_ledger_over_grpc(embedded_hub: EmbeddedHub) -> None:
    hub = embedded_hub.hub
    vet = (await hub.principals.add("vet", Role.AGENCY, "veterinary")).token
    customs = (await hub.principals.add("customs", Role.AGENCY, "customs")).token
    listener = build_grpc_listener(SubmissionApi(hub, 1 << 20), HubSettings(host="127.0.0.1"), port=0)
    await listener.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{listener.port}") as channel:
            stub = permits_pb2_grpc.PermitServiceStub(channel)  # type: ignore[no-untyped-call]
            as_vet, as_customs = (("authorization", f"Bearer {vet}"),), (("authorization", f"Bearer {customs}"),)
            issued = await stub.Issue(
                pb.IssueRequest(
                    number="KZ-VET-2026-7", kind="VETERINARY_CERTIFICATE", holder_id="151140021876",
                    hs_codes=["0202"], description="Frozen beef", quantity=pb.Quantity(value="18000", unit="KGM"),
                    valid_from="2026-11-01", valid_until="2026-12-31",
                ),
                metadata=as_vet,
            )  # fmt: skip
            assert (issued.issuing_agency, issued.remaining.value) == ("veterinary", "18000.000")
            check = await stub.Check(
                pb.CheckRequest(**ITEM, quantity=pb.Quantity(value="18000", unit="KGM")), metadata=as_customs
            )
            assert check.ok and check.permit.number == "KZ-VET-2026-7"
            request = pb.WriteOffRequest(
                **ITEM,
                quantity=pb.Quantity(value="18000", unit="KGM"),
                submission_id="s_1",
                submission_version=1,
                goods_item=1,
            )
            first = await stub.WriteOff(request, metadata=as_customs)
            again = await stub.WriteOff(request, metadata=as_customs)
            assert (first.created, again.created, again.remaining.value) == (True, False, "0.000")
            request.submission_id = "s_2"
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.WriteOff(request, metadata=as_customs)
            assert refused.value.code() is status_of(PermitRefused("", ())).grpc  # the one error table
            assert "left on KZ-VET-2026-7" in (refused.value.details() or "")
            with pytest.raises(grpc.aio.AioRpcError) as denied:
                await stub.WriteOff(request, metadata=as_vet)
            assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED
            unknown = await stub.Check(
                pb.CheckRequest(**{**ITEM, "number": "NOPE"}, quantity=pb.Quantity(value="1", unit="KGM")),
                metadata=as_customs,
            )
            assert (
                not unknown.ok and [p.code for p in unknown.problems] == ["UNKNOWN"] and not unknown.HasField("permit")
            )
            ledger = await stub.Ledger(pb.GetRequest(number="KZ-VET-2026-7"), metadata=as_vet)
            assert [(e.submission_id, e.quantity.value) for e in ledger.entries] == [("s_1", "18000.000")]
            reverse = pb.ReverseWriteOffRequest(
                number="KZ-VET-2026-7", submission_id="s_1", submission_version=1, goods_item=1, reason="cancelled"
            )
            first_back = await stub.ReverseWriteOff(reverse, metadata=as_customs)
            again_back = await stub.ReverseWriteOff(reverse, metadata=as_customs)
            assert (first_back.created, again_back.created, again_back.remaining.value) == (True, False, "18000.000")
            assert (first_back.entry.kind, first_back.entry.reason) == ("REVERSAL", "cancelled")
            reverse.goods_item = 2
            with pytest.raises(grpc.aio.AioRpcError) as unknown_write_off:
                await stub.ReverseWriteOff(reverse, metadata=as_customs)
            assert unknown_write_off.value.code() is grpc.StatusCode.NOT_FOUND
            ledger = await stub.Ledger(pb.GetRequest(number="KZ-VET-2026-7"), metadata=as_vet)
            assert [e.kind for e in ledger.entries] == ["WRITE_OFF", "REVERSAL"]
    finally:
        await listener.stop(1)

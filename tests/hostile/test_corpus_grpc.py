"""The corpus over gRPC: every string field of the submission and permit services that takes a value, the
document as JSON text (the raw bodies), and int32 fields at their edges. Every call ends with a status
that is not INTERNAL or UNKNOWN (the gRPC 5xx), no traceback is logged and a refused call writes nothing;
NUL and lone surrogates (sent as the UTF-8 bytes a careless client produces) are INVALID_ARGUMENT-class."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from nswhostile import values
from nswhostile.checks import Checker
from nswhostile.documents import consignment
from nswhostile.served import Served

from singlewindow.platform.api.proto import permits_pb2, permits_pb2_grpc, submission_pb2, submission_pb2_grpc

SERVER_ERRORS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS}


class Answer:
    """What the checker needs of a gRPC outcome: a status_code (gRPC codes mapped onto HTTP classes)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self.code, self.text = code, details
        self.status_code = 200 if code == grpc.StatusCode.OK else (500 if code in SERVER_ERRORS else 400)


def call(rpc: Callable[..., Any], request: Any, metadata: Any) -> Answer:
    try:
        result = rpc(request, metadata=metadata, timeout=60)
        if hasattr(result, "__iter__") and not hasattr(result, "ListFields"):  # a stream: its first answer
            try:
                next(iter(result), None)
            finally:
                result.cancel()
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED or error.code() == grpc.StatusCode.CANCELLED:
            return Answer(grpc.StatusCode.OK, "stream open")
        return Answer(error.code(), error.details() or "")
    return Answer(grpc.StatusCode.OK, "")


def text(value: str) -> str:
    """A str that protobuf will serialise: a lone surrogate becomes U+FFFD the way most clients send it."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@pytest.fixture(scope="module")
def channel(hub: Served) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(hub.grpc_target, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]) as ch:
        yield ch


@pytest.fixture(scope="module")
def grpc_checker(hub: Served, hub_http: Any) -> Checker:
    return Checker("hub-grpc", hub_http, hub.log, hub.counts, hub.settle)


def _submit(field: str) -> Callable[[str], Any]:
    def build(value: str) -> Any:
        fields = {"document_type": "consignment", "document_json": json.dumps(consignment("beef"))}
        fields[field] = value
        return submission_pb2.SubmitRequest(**fields)

    return build


TARGETS: dict[str, tuple[str, str, str, Callable[[str], Any]]] = {
    # name: (who, service, method, request from a text value)
    "submit-document_type": ("trader-a", "submission", "Submit", _submit("document_type")),
    "submit-trader_reference": ("trader-a", "submission", "Submit", _submit("trader_reference")),
    "submit-declarant": ("broker-submit", "submission", "Submit", _submit("declarant")),
    "submit-document_json": ("trader-a", "submission", "Submit", _submit("document_json")),
    "get-id": ("trader-a", "submission", "Get", lambda v: submission_pb2.GetRequest(submission_id=v)),
    "cancel-id": (
        "trader-a",
        "submission",
        "Cancel",
        lambda v: submission_pb2.CancelRequest(submission_id=v, reason="x"),
    ),
    "list-status": ("trader-a", "submission", "List", lambda v: submission_pb2.ListRequest(status=v)),
    "watch-resume-token": ("trader-a", "submission", "Watch", lambda v: submission_pb2.WatchRequest(resume_token=v)),
    "permit-get-number": ("customs-agency", "permits", "Get", lambda v: permits_pb2.GetRequest(number=v)),
    "permit-issue-quantity": (
        "customs-agency",
        "permits",
        "Issue",
        lambda v: permits_pb2.IssueRequest(
            number="KZ-G-1",
            kind="IMPORT_LICENCE",
            holder_id="180540012345",
            hs_codes=["0808"],
            description="x",
            quantity=permits_pb2.Quantity(value=v, unit="KGM"),
            valid_from="2026-01-01",
            valid_until="2026-12-31",
        ),
    ),
    "permit-check-quantity": (
        "customs-agency",
        "permits",
        "Check",
        lambda v: permits_pb2.CheckRequest(
            number="KZ-G-1",
            holder_id="180540012345",
            hs_code="0808",
            quantity=permits_pb2.Quantity(value=v, unit="KGM"),
            at="2026-06-01",
        ),
    ),
}
MUST_REFUSE = {"nul"}


@pytest.mark.parametrize("value_name", sorted(values.TEXT))
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_grpc_field(target: str, value_name: str, hub: Served, channel: grpc.Channel, grpc_checker: Checker) -> None:
    who, service, method, build = TARGETS[target]
    stub = (
        submission_pb2_grpc.SubmissionServiceStub if service == "submission" else permits_pb2_grpc.PermitServiceStub
    )(channel)  # type: ignore[no-untyped-call]
    request = build(text(values.TEXT[value_name]))
    outcome = grpc_checker.observe(
        f"grpc {target}={value_name}", "POST", lambda: call(getattr(stub, method), request, hub.metadata(who))
    )
    assert outcome.ok, outcome.explain()
    if value_name in MUST_REFUSE:
        assert outcome.status == 400, outcome.explain()


@pytest.mark.parametrize("raw", sorted(values.RAW_BODIES))
def test_grpc_document_json(raw: str, hub: Served, channel: grpc.Channel, grpc_checker: Checker) -> None:
    stub = submission_pb2_grpc.SubmissionServiceStub(channel)  # type: ignore[no-untyped-call]
    document = values.RAW_BODIES[raw].decode("utf-8", "replace")
    request = submission_pb2.SubmitRequest(document_type="consignment", document_json=document)
    outcome = grpc_checker.observe(
        f"grpc document_json={raw}", "POST", lambda: call(stub.Submit, request, hub.metadata("trader-a"))
    )
    assert outcome.ok and outcome.status == 400, outcome.explain()


@pytest.mark.parametrize("limit", [-1, -(2**31), 2**31 - 1, 1001, 0])
def test_grpc_list_limits(limit: int, hub: Served, channel: grpc.Channel, grpc_checker: Checker) -> None:
    stub = submission_pb2_grpc.SubmissionServiceStub(channel)  # type: ignore[no-untyped-call]
    request = submission_pb2.ListRequest(limit=limit)
    outcome = grpc_checker.observe(
        f"grpc list limit={limit}", "GET", lambda: call(stub.List, request, hub.metadata("trader-a"))
    )
    assert outcome.ok, outcome.explain()
    if limit < 0 or limit > 1000:
        assert outcome.status == 400, outcome.explain()

"""Hostile input (issue 11, defects 3, 4 and 9): every case is a 4xx (or INVALID_ARGUMENT) with the hub's
problem body, on every route set of the HTTP listener and over gRPC, and none logs an error traceback.

One hub (embedded, SQLite) serves the submission API, attachments, the officer queue and the permits register
on one ASGI app (driven in-process) and one gRPC listener with the agency services.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import structlog
from starlette.applications import Starlette
from starlette.routing import Route

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.grpc_messages import error_details
from singlewindow.platform.api.grpc_server import build_grpc_listener
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.api.proto import (
    agency_pb2,
    agency_pb2_grpc,
    permits_pb2,
    permits_pb2_grpc,
    submission_pb2_grpc,
)
from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.identity import Role
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.settings import LimitSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import embedded_hub

DOCUMENT = json.loads(Catalog().get("consignment").valid_examples[0].read_text())
NAME = DOCUMENT["consignor"]["name"]


@dataclass
class Hostile:
    app: Starlette
    http: httpx.AsyncClient
    channel: grpc.aio.Channel
    tokens: dict[str, str]

    def auth(self, who: str = "trader") -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    def metadata(self, who: str = "trader") -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)


@pytest.fixture
async def hostile(tmp_path: Path) -> AsyncIterator[Hostile]:
    settings = Settings(limits=LimitSettings(max_document_bytes=256 * 1024))
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        tokens = {
            "trader": (await hub.principals.add("trader-a", Role.TRADER)).token,
            "vet": (await hub.principals.add("vet-adapter", Role.AGENCY, "veterinary")).token,
            "officer": (await hub.principals.add("vet-officer", Role.OFFICER, "veterinary")).token,
        }
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        agency = build_agency_services(hub, settings.model_copy(update={}), DocumentValidator(Catalog()))
        permits = permit_routes(PermitService(PermitStore(hub.engine)), api.principal)
        app = build_http_app(api, extra_routes=[*agency.routes(), *permits])
        listener = build_grpc_listener(api, settings.hub, port=0, agency=agency)
        await listener.start()
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{listener.port}")
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")
        try:
            yield Hostile(app, http, channel, tokens)
        finally:
            await http.aclose()
            await channel.close()
            await listener.stop(0)


@pytest.fixture
def no_error_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing at ERROR or above, with or without a traceback, from structlog or stdlib logging."""
    with caplog.at_level(logging.WARNING), structlog.testing.capture_logs() as captured:
        yield
    errors = [e for e in captured if e.get("log_level") in ("error", "critical", "exception") or "exc_info" in e]
    assert errors == [], errors
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


def submit_text(document_text: str) -> bytes:
    """A submit body around a raw document text (hostile JSON cannot be built with json.dumps)."""
    return b'{"documentType": "consignment", "document": ' + document_text.encode("utf-8", "surrogatepass") + b"}"


def with_name(raw: str) -> str:
    """The example consignment with the consignor's name replaced by a raw JSON string literal."""
    return json.dumps(DOCUMENT).replace(json.dumps(NAME), raw, 1)


DEEP = "[" * 1200 + "]" * 1200
MIDDLE = "[" * 100 + "]" * 100
PERMIT = {
    "number": "KZ-VET-2026-1",
    "kind": "VETERINARY_CERTIFICATE",
    "holderId": "180540012345",
    "hsCodes": ["0202"],
    "description": "Frozen beef",
    "quantity": {"value": "100", "unit": "KGM"},
    "validFrom": "2026-01-01",
    "validUntil": "2026-12-31",
}
WRITE_OFF = {
    "number": "KZ-VET-2026-1",
    "holderId": "180540012345",
    "hsCode": "0202309000",
    "quantity": {"value": "1", "unit": "KGM"},
    "at": "2026-06-01",
    "submissionId": "s_1",
    "submissionVersion": 1,
    "goodsItem": 1,
}

# (case id, method, url, body bytes or None, headers, who, expected status, expected (pointer, code) or None)
Headers = dict[str, str | bytes]
HTTP_CASES: list[tuple[str, str, str, bytes | None, Headers, str, int, tuple[str, str] | None]] = [
    ("nul-in-document", "POST", "/v1/submissions", submit_text(with_name('"A\\u0000B"')), {}, "trader", 422,
     ("/consignor/name", "invalid-character")),
    ("lone-surrogate", "POST", "/v1/submissions", submit_text(with_name('"A\\ud800B"')), {}, "trader", 422,
     ("/consignor/name", "invalid-character")),
    ("noncharacter", "POST", "/v1/submissions", submit_text(with_name('"A\\uffffB"')), {}, "trader", 422,
     ("/consignor/name", "invalid-character")),
    ("c0-control", "POST", "/v1/submissions", submit_text(with_name('"A\\u001bB"')), {}, "trader", 422,
     ("/consignor/name", "invalid-character")),
    ("nul-in-key", "POST", "/v1/submissions", submit_text('{"a\\u0000": 1}'), {}, "trader", 422,
     ("/a\ufffd", "invalid-character")),
    ("nested-1200", "POST", "/v1/submissions", submit_text(DEEP), {}, "trader", 422, ("", "maxDepth")),
    ("nested-100", "POST", "/v1/submissions", submit_text(MIDDLE), {}, "trader", 422, None),
    ("int-5000-digits", "POST", "/v1/submissions", submit_text('{"n": ' + "9" * 5000 + "}"), {}, "trader", 422,
     ("/n", "range")),
    ("int64-overflow", "POST", "/v1/submissions", submit_text('{"n": 9223372036854775808}'), {}, "trader", 422,
     ("/n", "range")),
    ("nan", "POST", "/v1/submissions", submit_text('{"n": NaN}'), {}, "trader", 422, ("/n", "number")),
    ("infinity", "POST", "/v1/submissions", submit_text('{"n": -Infinity}'), {}, "trader", 422, ("/n", "number")),
    ("float-overflow", "POST", "/v1/submissions", submit_text('{"n": 1e400}'), {}, "trader", 422, ("/n", "range")),
    ("empty-body", "POST", "/v1/submissions", b"", {}, "trader", 422, ("", "required")),
    ("nul-trader-reference", "POST", "/v1/submissions",
     b'{"documentType": "consignment", "traderReference": "A\\u0000", "document": {}}', {}, "trader", 422,
     ("/traderReference", "invalid-character")),
    ("limit-superscript", "GET", "/v1/submissions?limit=%C2%B2", None, {}, "trader", 422, ("/limit", "type")),
    ("limit-zero", "GET", "/v1/submissions?limit=0", None, {}, "trader", 422, ("/limit", "type")),
    ("limit-huge", "GET", "/v1/submissions?limit=" + "9" * 30, None, {}, "trader", 422, ("/limit", "type")),
    ("status-nul", "GET", "/v1/submissions?status=%00", None, {}, "trader", 422, ("/status", "invalid-character")),
    ("status-lowercase", "GET", "/v1/submissions?status=cleared", None, {}, "trader", 422, ("/status", "enum")),
    ("token-superscript", "GET", "/v1/submissions/watch?resumeToken=%C2%B2", None, {}, "trader", 422,
     ("/resumeToken", "type")),
    ("token-int64-overflow", "GET", "/v1/submissions/watch?resumeToken=99999999999999999999", None, {}, "trader",
     422, ("/resumeToken", "type")),
    ("last-event-id-superscript", "GET", "/v1/submissions/watch", None, {"last-event-id": b"\xb2"}, "trader", 422,
     ("/resumeToken", "type")),
    ("id-nul", "GET", "/v1/submissions/s_%00", None, {}, "trader", 422, ("/id", "invalid-character")),
    ("id-noncharacter", "GET", "/v1/submissions/%EF%BF%BF", None, {}, "trader", 422, ("/id", "invalid-character")),
    ("cancel-without-body", "POST", "/v1/submissions/s_1/cancel", None, {}, "trader", 422, ("", "required")),
    ("cancel-reason-nul", "POST", "/v1/submissions/s_1/cancel", b'{"reason": "x\\u0000"}', {}, "trader", 422,
     ("/reason", "invalid-character")),
    ("answer-surrogate", "POST", "/v1/submissions/s_1/answers", b'{"recipient": "sanitary", "answer": "\\udfff"}',
     {}, "trader", 422, ("/answer", "invalid-character")),
    ("attachment-name-nul", "POST", "/v1/attachments?fileName=a%00b.pdf", b"%PDF-1.4",
     {"content-type": "application/pdf"}, "trader", 422, ("/fileName", "invalid-character")),
    ("attachment-name-c1", "POST", "/v1/attachments", b"%PDF-1.4",
     {"content-type": "application/pdf", "x-file-name": b"a\x85b.pdf"}, "trader", 422,
     ("/x-file-name", "invalid-character")),
    ("attachments-version-superscript", "GET", "/v1/attachments?submissionId=s_1&version=%C2%B2", None, {}, "vet",
     422, ("/version", "type")),
    ("attachments-version-overflow", "GET", "/v1/attachments?submissionId=s_1&version=99999999999", None, {}, "vet",
     422, ("/version", "type")),
    ("officer-id-superscript", "POST", "/v1/officer/decisions/%C2%B2/published", None, {}, "vet", 422,
     ("/id", "type")),
    ("officer-id-overflow", "POST", "/v1/officer/decisions/99999999999999999999/published", None, {}, "vet", 422,
     ("/id", "type")),
    ("officer-ticket-overflow", "GET", "/v1/officer/queue/99999999999999999999", None, {}, "vet", 422,
     ("/ticket", "type")),
    ("officer-limit-superscript", "GET", "/v1/officer/decisions?limit=%C2%B2", None, {}, "vet", 422,
     ("/limit", "type")),
    ("officer-attempt-overflow", "POST", "/v1/officer/queue", b'{"document": {}, "attempt": 1099511627776}', {},
     "vet", 422, ("/attempt", "type")),
    ("officer-ticket-int64", "POST", "/v1/officer/decisions", b'{"ticket": 9223372036854775808, "status": "ACCEPTED"}',
     {}, "officer", 422, ("/ticket", "range")),
    ("officer-text-nul", "POST", "/v1/officer/decisions",
     b'{"ticket": 1, "status": "REJECTED", "reasons": [{"code": "X", "text": "\\u0000"}]}', {}, "officer", 422,
     ("/reasons/0/text", "invalid-character")),
    ("permit-quantity-1e28", "POST", "/v1/permits",
     json.dumps({**PERMIT, "quantity": {"value": "1e28", "unit": "KGM"}}).encode(), {}, "vet", 422,
     ("/quantity/value", "maximum")),
    ("permit-quantity-number-1e28", "POST", "/v1/permits",
     json.dumps({**PERMIT, "quantity": {"value": 1e28, "unit": "KGM"}}).encode(), {}, "vet", 422,
     ("/quantity/value", "maximum")),
    ("permit-quantity-nan", "POST", "/v1/permits",
     json.dumps({**PERMIT, "quantity": {"value": "NaN", "unit": "KGM"}}).encode(), {}, "vet", 422,
     ("/quantity/value", "minimum")),
    ("permit-description-nul", "POST", "/v1/permits", json.dumps({**PERMIT, "description": "a\x00"}).encode(), {},
     "vet", 422, ("/description", "invalid-character")),
    ("permit-number-nul", "GET", "/v1/permits?number=KZ%00", None, {}, "vet", 422, ("/number", "invalid-character")),
    ("write-off-int32-overflow", "POST", "/v1/permits/write-offs",
     json.dumps({**WRITE_OFF, "submissionVersion": 2**40}).encode(), {}, "vet", 422, ("/submissionVersion", "type")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "headers", "who", "status", "problem"),
    [pytest.param(*case[1:], id=case[0]) for case in HTTP_CASES],
)
async def test_hostile_http_input_is_a_4xx_with_a_problem(
    hostile: Hostile,
    no_error_logs: None,
    method: str,
    url: str,
    body: bytes | None,
    headers: Headers,
    who: str,
    status: int,
    problem: tuple[str, str] | None,
) -> None:
    response = await hostile.http.request(method, url, content=body, headers={**hostile.auth(who), **headers})
    assert response.status_code < 500
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["error"] in ("invalid_input", "payload_too_large") and answer["problems"], answer
    if problem is not None:
        assert (answer["problems"][0]["path"], answer["problems"][0]["code"]) == problem, answer


async def test_nothing_hostile_was_stored(hostile: Hostile, no_error_logs: None) -> None:
    await hostile.http.post("/v1/submissions", content=submit_text(with_name('"A\\u0000B"')), headers=hostile.auth())
    listed = await hostile.http.get("/v1/submissions", headers=hostile.auth())
    assert listed.status_code == 200 and listed.json() == {"submissions": []}


def _routes(app: Starlette) -> list[Route]:
    return [route for route in app.routes if isinstance(route, Route)]


async def test_every_route_answers_options_with_allow_and_a_wrong_method_405_with_allow(hostile: Hostile) -> None:
    paths = {route.path for route in _routes(hostile.app)}
    assert {"/v1/submissions", "/v1/attachments", "/v1/officer/decisions", "/v1/permits"} <= paths
    assert len(paths) == len(_routes(hostile.app)), "one route per path, so Allow lists every method"
    for path in sorted(paths):
        url = path.replace("{id}", "s_1").replace("{sha256}", "0" * 64).replace("{ticket}", "1")
        options = await hostile.http.options(url)
        assert options.status_code == 204, (path, options.status_code)
        allowed = {m.strip() for m in options.headers["allow"].split(",")}
        assert "OPTIONS" in allowed and allowed - {"OPTIONS", "HEAD"}, path
        wrong = next(m for m in ("PATCH", "DELETE", "PUT") if m not in allowed)
        refused = await hostile.http.request(wrong, url, headers=hostile.auth())
        assert refused.status_code == 405, (path, wrong)
        assert {m.strip() for m in refused.headers["allow"].split(",")} == allowed, path
        assert refused.json()["error"] == "method_not_allowed"
    both = await hostile.http.options("/v1/submissions")
    assert {m.strip() for m in both.headers["allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


async def grpc_refusal(call: Any) -> tuple[grpc.StatusCode, list[tuple[str, str]]]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    details = error_details(caught.value.trailing_metadata())
    return caught.value.code(), [(p.path, p.code) for p in details.problems] if details else []


async def test_hostile_grpc_input_is_invalid_argument(hostile: Hostile, no_error_logs: None) -> None:
    stub = submission_pb2_grpc.SubmissionServiceStub(hostile.channel)  # type: ignore[no-untyped-call]
    md = hostile.metadata()
    documents = {
        with_name('"A\\u0000B"'): ("/consignor/name", "invalid-character"),
        with_name('"A\\ud800B"'): ("/consignor/name", "invalid-character"),
        DEEP: ("/documentJson", "maxDepth"),
        '{"n": ' + "9" * 5000 + "}": ("/n", "range"),
        '{"n": NaN}': ("/n", "number"),
        '{"n": 9223372036854775808}': ("/n", "range"),
    }
    for text, expected in documents.items():
        code, problems = await grpc_refusal(
            stub.Submit(pb.SubmitRequest(document_type="consignment", document_json=text), metadata=md)
        )
        assert code is grpc.StatusCode.INVALID_ARGUMENT and problems[0] == expected, (text[:40], problems)
    calls = [
        (stub.Cancel(pb.CancelRequest(submission_id="s_1", reason="a\x00"), metadata=md), "/reason"),
        (stub.RespondToQuery(pb.RespondToQueryRequest(submission_id="s_1", recipient="x", answer="\x00"), metadata=md),
         "/answer"),
        (stub.Get(pb.GetRequest(submission_id="s_\x00"), metadata=md), "/id"),
        (stub.List(pb.ListRequest(status="\x00"), metadata=md), "/status"),
        (stub.Submit(pb.SubmitRequest(document_type="consignment\x00", document_json="{}"), metadata=md),
         "/documentType"),
    ]  # fmt: skip
    for call, path in calls:
        code, problems = await grpc_refusal(call)
        assert code is grpc.StatusCode.INVALID_ARGUMENT and problems[0] == (path, "invalid-character"), problems
    for token in ("\u00b2", "99999999999999999999"):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stub.Watch(pb.WatchRequest(resume_token=token), metadata=md):
                pass
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT, token

    permits = permits_pb2_grpc.PermitServiceStub(hostile.channel)  # type: ignore[no-untyped-call]
    vet = hostile.metadata("vet")
    issue = permits_pb2.IssueRequest(
        number="KZ-VET-2026-1", kind="VETERINARY_CERTIFICATE", holder_id="180540012345", hs_codes=["0202"],
        description="Frozen beef", quantity=permits_pb2.Quantity(value="1e28", unit="KGM"),
        valid_from="2026-01-01", valid_until="2026-12-31",
    )  # fmt: skip
    code, problems = await grpc_refusal(permits.Issue(issue, metadata=vet))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and problems == [("/quantity/value", "maximum")]
    issue.quantity.value, issue.description = "1", "beef\x00"
    code, problems = await grpc_refusal(permits.Issue(issue, metadata=vet))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and problems == [("/description", "invalid-character")]
    code, problems = await grpc_refusal(permits.Get(permits_pb2.GetRequest(number="\x00"), metadata=vet))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and problems == [("/number", "invalid-character")]

    attachments = agency_pb2_grpc.AttachmentServiceStub(hostile.channel)  # type: ignore[no-untyped-call]

    async def chunks() -> AsyncIterator[agency_pb2.AttachmentChunk]:
        info = agency_pb2.AttachmentInfo(media_type="application/pdf", file_name="a\x00.pdf")
        yield agency_pb2.AttachmentChunk(info=info, data=b"%PDF-1.4")

    code, problems = await grpc_refusal(attachments.PutAttachment(chunks(), metadata=hostile.metadata()))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and problems == [("/info/fileName", "invalid-character")]

"""The access matrix as tables: every refusal refused, every allowance allowed, over HTTP and gRPC.

Rows are (caller, operation) -> expected answer on trader-a's submission. ``ok`` means access was granted
(the operation may still be a 409 for its state); ``hidden`` is exactly the answer for an id that does not
exist (no difference between "not found" and "not yours"); ``denied`` is 403 (readable, not writable);
``unauth`` is 401. The broker-user x exchange/queue matrix is tests/integration/topology/test_permissions.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest
from nswhostile.documents import consignment, submit, wait_status
from nswhostile.served import Served

from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.api.proto import submission_pb2_grpc

OPERATIONS = ("get", "watch", "amend", "answer", "cancel")
OK, HIDDEN, DENIED, UNAUTH = "ok", "hidden", "denied", "unauth"
ALL_OK = dict.fromkeys(OPERATIONS, OK)
ALL_HIDDEN = dict.fromkeys(OPERATIONS, HIDDEN)
READ_ONLY = {"get": OK, "watch": OK, "amend": DENIED, "answer": DENIED, "cancel": DENIED}

SUBMISSION_MATRIX: dict[str, dict[str, str]] = {
    "trader-a": ALL_OK,  # the declarant
    "trader-b": ALL_HIDDEN,  # another trader
    "broker-submit": ALL_OK,  # a valid submit grant from trader-a
    "broker-read": READ_ONLY,  # a read-only grant
    "broker-expired": ALL_HIDDEN,  # an expired grant
    "broker-none": ALL_HIDDEN,  # no grant
    "operator": ALL_OK,
    "vet-agency": ALL_HIDDEN,  # agencies see their views, never the submission API
    "vet-officer": ALL_HIDDEN,
    "nobody": dict.fromkeys(OPERATIONS, UNAUTH),
    "bad-token": dict.fromkeys(OPERATIONS, UNAUTH),
}
HTTP_STATUS = {HIDDEN: 404, DENIED: 403, UNAUTH: 401}
GRPC_CODE = {
    HIDDEN: grpc.StatusCode.NOT_FOUND,
    DENIED: grpc.StatusCode.PERMISSION_DENIED,
    UNAUTH: grpc.StatusCode.UNAUTHENTICATED,
}
MISSING = "s_00000000deadbeef"


def headers(hub: Served, who: str) -> dict[str, str]:
    if who == "nobody":
        return {}
    if who == "bad-token":
        return {"authorization": "Bearer not-a-token"}
    return hub.auth(who)


def metadata(hub: Served, who: str) -> tuple[tuple[str, str], ...]:
    return tuple(headers(hub, who).items())


@pytest.fixture(scope="module")
def owned(hub: Served, hub_http: httpx.Client) -> dict[str, Any]:
    """trader-a's submission, settled, and the UCR an amendment must keep."""
    document = consignment("apples")
    submission_id = submit(hub_http, hub.auth("trader-a"), document)
    wait_status(hub_http, hub.auth("trader-a"), submission_id, "CLEARED", "HELD")
    return {"id": submission_id, "document": document}


def http_call(hub: Served, client: httpx.Client, who: str, operation: str, submission_id: str, document: Any) -> Any:
    auth = headers(hub, who)
    url = f"/v1/submissions/{submission_id}"
    if operation == "get":
        return client.get(url, headers=auth)
    if operation == "watch":
        with client.stream("GET", f"{url}/watch", headers=auth) as streamed:
            if streamed.status_code != 200:
                streamed.read()  # a refusal's body; an open stream is left at once
            return streamed
    if operation == "amend":
        changed = {**document, "issuedAt": document["issuedAt"][:-4] + "999Z"}
        return client.post(f"{url}/amend", json={"document": changed}, headers=auth)
    if operation == "answer":
        return client.post(f"{url}/answers", json={"recipient": "sanitary", "answer": "Cold store 7"}, headers=auth)
    return client.post(f"{url}/cancel", json={"reason": "access matrix"}, headers=auth)


def shape(response: Any, submission_id: str) -> tuple[int, str]:
    """Status and body with the id taken out, to compare a refusal with the answer for an unknown id."""
    text = response.text if response.status_code != 200 else ""
    return response.status_code, text.replace(submission_id, "<id>")


CASES = [(who, op) for who, row in SUBMISSION_MATRIX.items() for op in OPERATIONS if op != "cancel" or row[op] != OK]


@pytest.mark.parametrize(("who", "operation"), CASES)
def test_submission_matrix_http(
    who: str, operation: str, hub: Served, hub_http: httpx.Client, owned: dict[str, Any]
) -> None:
    expected = SUBMISSION_MATRIX[who][operation]
    response = http_call(hub, hub_http, who, operation, owned["id"], owned["document"])
    if expected == OK:
        assert response.status_code not in (401, 403, 404), (who, operation, response.status_code)
        assert response.status_code < 500
        return
    assert response.status_code == HTTP_STATUS[expected], (who, operation, response.text)
    if expected == HIDDEN:
        unknown = http_call(hub, hub_http, who, operation, MISSING, owned["document"])
        assert shape(response, owned["id"]) == shape(unknown, MISSING), "a foreign id answers unlike an unknown one"


@pytest.mark.parametrize("who", [w for w, row in SUBMISSION_MATRIX.items() if row["cancel"] == OK])
def test_cancel_allowed(who: str, hub: Served, hub_http: httpx.Client) -> None:
    submission_id = submit(hub_http, hub.auth("trader-a"), consignment("beef"))
    response = hub_http.post(f"/v1/submissions/{submission_id}/cancel", json={"reason": "x"}, headers=hub.auth(who))
    assert response.status_code in (200, 409), response.text  # 409: the agencies cleared it first


@pytest.fixture(scope="module")
def stub(hub: Served) -> Iterator[submission_pb2_grpc.SubmissionServiceStub]:
    with grpc.insecure_channel(hub.grpc_target) as channel:
        yield submission_pb2_grpc.SubmissionServiceStub(channel)  # type: ignore[no-untyped-call]


def grpc_call(stub: Any, hub: Served, who: str, operation: str, submission_id: str, document: Any) -> grpc.StatusCode:
    meta = metadata(hub, who)
    try:
        if operation == "get":
            stub.Get(pb.GetRequest(submission_id=submission_id), metadata=meta, timeout=30)
        elif operation == "watch":
            stream = stub.Watch(pb.WatchRequest(submission_id=submission_id), metadata=meta, timeout=2)
            next(iter(stream), None)
            stream.cancel()
        elif operation == "amend":
            changed = {**document, "issuedAt": document["issuedAt"][:-4] + "998Z"}
            stub.Amend(pb.AmendRequest(submission_id=submission_id, document_json=json.dumps(changed)), metadata=meta)
        elif operation == "answer":
            request = pb.RespondToQueryRequest(submission_id=submission_id, recipient="sanitary", answer="x")
            stub.RespondToQuery(request, metadata=meta, timeout=30)
        else:
            stub.Cancel(pb.CancelRequest(submission_id=submission_id, reason="x"), metadata=meta, timeout=30)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


@pytest.mark.parametrize(("who", "operation"), CASES)
def test_submission_matrix_grpc(who: str, operation: str, hub: Served, stub: Any, owned: dict[str, Any]) -> None:
    expected = SUBMISSION_MATRIX[who][operation]
    code = grpc_call(stub, hub, who, operation, owned["id"], owned["document"])
    if expected == OK:
        assert code not in (*GRPC_CODE.values(), grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN), (
            who,
            operation,
            code,
        )
    else:
        assert code == GRPC_CODE[expected], (who, operation, code)


LISTS = {
    "trader-a": True,
    "trader-b": False,
    "broker-submit": True,
    "broker-read": True,
    "broker-expired": False,
    "broker-none": False,
    "operator": True,
    "vet-agency": False,
}


@pytest.mark.parametrize("who", sorted(LISTS))
def test_lists_show_only_readable_submissions(
    who: str, hub: Served, hub_http: httpx.Client, owned: dict[str, Any]
) -> None:
    listed = hub_http.get("/v1/submissions?limit=1000", headers=hub.auth(who))
    assert listed.status_code == 200, listed.text
    ids = {s["submissionId"] for s in listed.json()["submissions"]}
    assert (owned["id"] in ids) is LISTS[who]


# A broker naming a declarant: one identical refusal whatever the reason, so principals cannot be probed.
NAMING_REFUSALS = {
    "unknown name": ("broker-submit", "no-such-principal"),
    "revoked trader": ("broker-submit", "trader-revoked"),
    "not a trader": ("broker-submit", "operator"),
    "trader without a grant": ("broker-submit", "trader-b"),
    "read-only grant": ("broker-read", "trader-a"),
    "expired grant": ("broker-expired", "trader-a"),
    "no grant at all": ("broker-none", "trader-a"),
}


def test_a_broker_naming_a_declarant_gets_one_refusal(hub: Served, hub_http: httpx.Client) -> None:
    answers = {}
    for case, (broker, declarant) in NAMING_REFUSALS.items():
        body = {"documentType": "consignment", "document": consignment("laptops"), "declarant": declarant}
        response = hub_http.post("/v1/submissions", json=body, headers=hub.auth(broker))
        answers[case] = (response.status_code, response.json())
    first = next(iter(answers.values()))
    assert first[0] == 403
    assert all(answer == first for answer in answers.values()), answers
    allowed = hub_http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": consignment("laptops"), "declarant": "trader-a"},
        headers=hub.auth("broker-submit"),
    )
    assert allowed.status_code == 201, allowed.text


# --- agency x agency, officer x agency ---------------------------------------------------------------------
def test_officer_queue_belongs_to_its_agency(hub: Served, hub_http: httpx.Client) -> None:
    ticket = hub.extra["bg_ticket"]
    for who, allowed in {
        "bg-agency": True,
        "bg-officer": True,
        "vet-agency": False,
        "vet-officer": False,
        "trader-a": False,
        "operator": False,
    }.items():
        response = hub_http.get(f"/v1/officer/queue/{ticket}", headers=hub.auth(who))
        assert (response.status_code == 200) is allowed, (who, response.status_code, response.text)
        if not allowed:
            assert response.status_code in (403, 404), (who, response.text)
    # The veterinary officer is never handed the border guard's document, nor may decide it.
    nothing = hub_http.post("/v1/officer/next", headers=hub.auth("vet-officer"))
    assert nothing.status_code == 204, nothing.text
    decided = hub_http.post(
        "/v1/officer/decisions", json={"ticket": ticket, "status": "ACCEPTED"}, headers=hub.auth("vet-officer")
    )
    assert decided.status_code in (403, 404), decided.text
    for who in ("trader-a", "bg-agency", "operator"):  # only officers pull and decide
        assert hub_http.post("/v1/officer/next", headers=hub.auth(who)).status_code == 403, who
    # An adapter reads only its own agency's officer decisions.
    assert hub_http.get("/v1/officer/decisions?published=false", headers=hub.auth("vet-agency")).status_code == 200
    assert hub_http.get("/v1/officer/decisions?published=false", headers=hub.auth("bg-officer")).status_code == 403


def test_attachment_lists_only_for_routed_agencies(hub: Served, hub_http: httpx.Client) -> None:
    submission_id = hub.extra["bg_submission"]  # apples: routed to the border guard, not to veterinary
    url = f"/v1/attachments?submissionId={submission_id}&version=1"
    assert hub_http.get(url, headers=hub.auth("bg-agency")).status_code == 200
    for who in ("vet-agency", "vet-officer", "trader-a", "broker-submit"):
        assert hub_http.get(url, headers=hub.auth(who)).status_code == 403, who


def test_attachment_metadata_is_per_upload(hub: Served, hub_http: httpx.Client) -> None:
    """The same bytes uploaded by two traders under two names: each sees its own name and media type;
    a third party that uploaded nothing reads nothing."""
    content = b"%PDF-1.4 hostile suite invoice"
    digest = hashlib.sha256(content).hexdigest()
    uploads = {"trader-a": ("invoice-a.pdf", "application/pdf"), "trader-b": ("secret-b.txt", "text/plain")}
    for who, (name, media) in uploads.items():
        put = hub_http.post(
            f"/v1/attachments?fileName={name}", content=content, headers={**hub.auth(who), "content-type": media}
        )
        assert put.status_code in (200, 201), put.text
    for who, (name, media) in uploads.items():
        got = hub_http.get(f"/v1/attachments/{digest}", headers=hub.auth(who))
        assert got.status_code == 200, got.text
        assert name in got.headers.get("content-disposition", ""), (who, got.headers)
        assert got.headers.get("content-type", "").startswith(media), (who, got.headers)
    assert hub_http.get(f"/v1/attachments/{digest}", headers=hub.auth("broker-none")).status_code in (403, 404)

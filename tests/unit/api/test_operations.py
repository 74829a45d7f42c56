"""The same operations over gRPC and HTTP give the same answers; errors carry the one table's codes."""

from __future__ import annotations

import json
from typing import Any

import grpc
import jsonpatch
import pytest
from google.protobuf import json_format

from singlewindow.platform.api.grpc_messages import error_details
from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.specs import Catalog

from .conftest import MAX_DOCUMENT_BYTES, Env, example

INVALID = Catalog().get("consignment").invalid_examples


def comparable(submission: dict[str, Any]) -> dict[str, Any]:
    """The fields both APIs must agree on (timestamps differ only in how many fraction digits they print)."""
    return {
        "submissionId": submission["submissionId"],
        "status": submission["status"],
        "version": submission["version"],
        "ucr": submission["ucr"],
        "traderReference": submission["traderReference"],
        "terminal": submission.get("terminal", False),
        "recipients": sorted(
            (r["recipient"], r["effectiveStatus"], (r.get("decision") or {}).get("status"))
            for r in submission.get("recipients", [])  # MessageToDict leaves out an empty list
        ),
    }


def from_proto(message: pb.Submission) -> dict[str, Any]:
    data = json_format.MessageToDict(message)
    for recipient in data.get("recipients", []):
        recipient["decision"] = json.loads(recipient["decisionJson"]) if recipient.get("decisionJson") else None
    return data


async def grpc_error(call: Any) -> tuple[grpc.StatusCode, pb.ErrorDetails | None]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value.code(), error_details(caught.value.trailing_metadata())


async def test_submit_get_and_list_answer_the_same_over_both_apis(env: Env) -> None:
    document = example("apples")
    reply = await env.stub.Submit(
        pb.SubmitRequest(document_type="consignment", document_json=json.dumps(document)),
        metadata=env.metadata("trader-a"),
    )
    assert reply.created and reply.submission.status == "RECEIVED"
    submission_id = reply.submission.submission_id

    # The same reference and document over HTTP is the same submission (idempotent across APIs).
    again = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": document},
        headers=env.headers("trader-a"),
    )
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["submission"]["submissionId"] == submission_id

    final = await env.wait_terminal("trader-a", submission_id)
    assert final["status"] == "CLEARED"
    over_grpc = await env.stub.Get(pb.GetRequest(submission_id=submission_id), metadata=env.metadata("trader-a"))
    assert comparable(from_proto(over_grpc)) == comparable(final)

    listed_grpc = await env.stub.List(pb.ListRequest(status="CLEARED"), metadata=env.metadata("trader-a"))
    listed_http = await env.http.get("/v1/submissions?status=CLEARED&limit=10", headers=env.headers("trader-a"))
    assert [comparable(from_proto(s)) for s in listed_grpc.submissions] == [
        comparable(s) for s in listed_http.json()["submissions"]
    ]
    assert [s.submission_id for s in listed_grpc.submissions] == [submission_id]
    none_held = await env.http.get("/v1/submissions?status=HELD", headers=env.headers("trader-a"))
    assert none_held.json() == {"submissions": []}


async def test_a_different_document_under_the_same_reference_is_a_conflict_on_both(env: Env) -> None:
    first = example("apples")
    await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": first},
        headers=env.headers("trader-a"),
    )
    changed = {**first, "ucr": first["ucr"] + "X"}
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": changed},
        headers=env.headers("trader-a"),
    )
    assert response.status_code == 409 and response.json()["error"] == "conflict"
    code, details = await grpc_error(
        env.stub.Submit(
            pb.SubmitRequest(document_type="consignment", document_json=json.dumps(changed)),
            metadata=env.metadata("trader-a"),
        )
    )
    assert code is grpc.StatusCode.FAILED_PRECONDITION and details is not None and details.error == "conflict"


async def test_invalid_documents_are_rejected_with_their_pointers_over_both(env: Env) -> None:
    assert len(INVALID) >= 10
    for path in INVALID:
        case = json.loads(path.read_text())
        base = json.loads((path.parent.parent / case["base"]).read_text())
        document = jsonpatch.apply_patch(base, case["patch"])
        expected = (case["expect"]["path"], case["expect"]["code"])
        response = await env.http.post(
            "/v1/submissions",
            json={"documentType": "consignment", "document": document},
            headers=env.headers("trader-a"),
        )
        body = response.json()
        assert response.status_code == 422 and body["error"] == "invalid_input", path.name
        assert expected in {(p["path"], p["code"]) for p in body["problems"]}, (path.name, body["problems"])
        code, details = await grpc_error(
            env.stub.Submit(
                pb.SubmitRequest(document_type="consignment", document_json=json.dumps(document)),
                metadata=env.metadata("trader-a"),
            )
        )
        assert code is grpc.StatusCode.INVALID_ARGUMENT and details is not None, path.name
        assert expected in {(p.path, p.code) for p in details.problems}, path.name
        assert [p.as_dict() if hasattr(p, "as_dict") else p for p in body["problems"]] == [
            json_format.MessageToDict(p) for p in details.problems
        ]
    listed = await env.http.get("/v1/submissions", headers=env.headers("trader-a"))
    assert listed.json() == {"submissions": []}, "nothing invalid is stored"


async def test_bad_requests_get_field_problems(env: Env) -> None:
    response = await env.http.post("/v1/submissions", content=b"{not json", headers=env.headers("trader-a"))
    assert response.status_code == 422 and response.json()["problems"][0]["code"] == "json"
    response = await env.http.post(
        "/v1/submissions", json={"documentType": "consignment", "document": {}}, headers=env.headers("trader-a")
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == "/traderReference"
    code, details = await grpc_error(
        env.stub.Submit(
            pb.SubmitRequest(document_type="consignment", document_json="[1]"),
            metadata=env.metadata("trader-a"),
        )
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT and details is not None
    assert [(p.path, p.code) for p in details.problems] == [("/documentJson", "type")]
    response = await env.http.get("/v1/submissions?status=DONE", headers=env.headers("trader-a"))
    assert response.status_code == 422 and response.json()["problems"][0]["path"] == "/status"


async def test_size_limit_answers_413_and_invalid_argument(env: Env) -> None:
    padding = "x" * (MAX_DOCUMENT_BYTES + 1)
    response = await env.http.post(
        "/v1/submissions",
        content=json.dumps({"documentType": "consignment", "document": {"traderReference": "BIG-1", "p": padding}}),
        headers=env.headers("trader-a"),
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    huge = "y" * (MAX_DOCUMENT_BYTES + 70 * 1024)
    response = await env.http.post(
        "/v1/submissions", content=json.dumps({"document": {"p": huge}}), headers=env.headers("trader-a")
    )
    assert response.status_code == 413, "the whole body is capped before it is read"
    code, details = await grpc_error(
        env.stub.Submit(
            pb.SubmitRequest(
                document_type="consignment", document_json=json.dumps({"traderReference": "BIG-2", "p": padding})
            ),
            metadata=env.metadata("trader-a"),
        )
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT and details is not None
    assert details.error == "payload_too_large" and details.problems[0].code == "maxBytes"


@pytest.mark.parametrize("authorization", [None, "Bearer nsw_not-a-token", "Basic abc", "Bearer"])
async def test_unauthenticated_calls_are_refused_on_both(env: Env, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    metadata = (("authorization", authorization),) if authorization is not None else ()
    for method, url in (("GET", "/v1/submissions"), ("GET", "/v1/submissions/s_1"), ("GET", "/v1/submissions/watch")):
        response = await env.http.request(method, url, headers=headers)
        assert response.status_code == 401 and response.json()["error"] == "unauthenticated", url
    response = await env.http.post("/v1/submissions", json={}, headers=headers)
    assert response.status_code == 401
    code, details = await grpc_error(env.stub.List(pb.ListRequest(), metadata=metadata))
    assert code is grpc.StatusCode.UNAUTHENTICATED and details is not None and details.error == "unauthenticated"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in env.stub.Watch(pb.WatchRequest(), metadata=metadata):
            pass
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_only_the_owner_and_a_granted_broker_can_read(env: Env) -> None:
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": example("laptops")},
        headers=env.headers("trader-a"),
    )
    submission_id = response.json()["submission"]["submissionId"]
    for who, http_status, grpc_code in (
        ("trader-a", 200, None),
        ("broker-granted", 200, None),
        # Someone else's submission answers exactly like a missing one, so ids cannot be probed.
        ("trader-b", 404, grpc.StatusCode.NOT_FOUND),
        ("broker-without", 404, grpc.StatusCode.NOT_FOUND),
    ):
        response = await env.http.get(f"/v1/submissions/{submission_id}", headers=env.headers(who))
        assert response.status_code == http_status, who
        call = env.stub.Get(pb.GetRequest(submission_id=submission_id), metadata=env.metadata(who))
        if grpc_code is None:
            assert (await call).submission_id == submission_id
        else:
            assert (await grpc_error(call))[0] is grpc_code, who
        listed = await env.http.get("/v1/submissions", headers=env.headers(who))
        ids = [s["submissionId"] for s in listed.json()["submissions"]]
        assert ids == ([submission_id] if http_status == 200 else []), who
        if http_status != 200:
            watched = await env.http.get(f"/v1/submissions/{submission_id}/watch", headers=env.headers(who))
            assert watched.status_code == 404, who
    # A read grant does not let the broker act.
    response = await env.http.post(
        f"/v1/submissions/{submission_id}/cancel", json={"reason": "x"}, headers=env.headers("broker-granted")
    )
    assert response.status_code == 403 and response.json()["error"] == "access_denied"
    response = await env.http.get("/v1/submissions/s_missing", headers=env.headers("trader-a"))
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_query_answer_amend_and_cancel_over_both(env: Env) -> None:
    document = example("apples")
    document["ucr"] = document["ucr"][:-1] + "Q"  # sanitary asks a question
    reply = await env.stub.Submit(
        pb.SubmitRequest(document_type="consignment", document_json=json.dumps(document)),
        metadata=env.metadata("trader-a"),
    )
    submission_id = reply.submission.submission_id
    held = await env.wait_terminal("trader-a", submission_id)
    assert held["status"] == "HELD"
    code, _ = await grpc_error(
        env.stub.RespondToQuery(
            pb.RespondToQueryRequest(submission_id=submission_id, recipient="customs", answer="?"),
            metadata=env.metadata("trader-a"),
        )
    )
    assert code is grpc.StatusCode.FAILED_PRECONDITION, "customs asked nothing: a conflict"
    answered = await env.http.post(
        f"/v1/submissions/{submission_id}/answers",
        json={"recipient": "sanitary", "answer": "Cold store 7, Almaty"},
        headers=env.headers("trader-a"),
    )
    assert answered.status_code == 200
    cleared = await env.wait_terminal("trader-a", submission_id)
    assert cleared["status"] == "CLEARED"

    # Amend (HTTP) then cancel (gRPC) a second consignment while sanitary holds it with a question.
    other = {**document, "traderReference": "AM-1", "ucr": document["ucr"][:-2] + "2Q"}
    created = await env.http.post(
        "/v1/submissions", json={"documentType": "consignment", "document": other}, headers=env.headers("trader-a")
    )
    other_id = created.json()["submission"]["submissionId"]
    assert (await env.wait_terminal("trader-a", other_id))["status"] == "HELD"
    amended_doc = {**other, "issuedAt": other["issuedAt"][:-4] + "999Z"}
    amended = await env.http.post(
        f"/v1/submissions/{other_id}/amend", json={"document": amended_doc}, headers=env.headers("trader-a")
    )
    assert amended.status_code == 200 and amended.json()["version"] == 2
    cancelled = await env.stub.Cancel(
        pb.CancelRequest(submission_id=other_id, reason="wrong truck"), metadata=env.metadata("trader-a")
    )
    assert cancelled.version == 2 and cancelled.status == "CANCELLED" and cancelled.terminal
    final = await env.stub.Get(pb.GetRequest(submission_id=other_id), metadata=env.metadata("trader-a"))
    assert comparable(from_proto(final)) == comparable(
        (await env.http.get(f"/v1/submissions/{other_id}", headers=env.headers("trader-a"))).json()
    )

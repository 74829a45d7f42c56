"""Answering the same query twice (issue 11, defect 5): the same answer again is 200 with the submission as the
first answer left it, another answer is 409; neither writes a second outbox message (which failed as a 500)."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import func, select

from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.storage.tables import events, outbox

from .conftest import Env, example


async def _count(env: Env, table: object, *where: object) -> int:
    async with env.embedded.hub.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def test_the_same_answer_twice_is_idempotent_and_another_answer_a_conflict(env: Env) -> None:
    document = example("apples")
    document["ucr"] = document["ucr"][:-1] + "Q"  # sanitary asks a question
    created = await env.http.post(
        "/v1/submissions", json={"documentType": "consignment", "document": document}, headers=env.headers("trader-a")
    )
    submission_id = created.json()["submission"]["submissionId"]
    assert (await env.wait_terminal("trader-a", submission_id))["status"] == "HELD"
    url = f"/v1/submissions/{submission_id}/answers"
    answer = {"recipient": "sanitary", "answer": "Cold store 7, Almaty"}

    first = await env.http.post(url, json=answer, headers=env.headers("trader-a"))
    assert first.status_code == 200, first.text
    messages = await _count(env, outbox)
    again = await env.http.post(url, json=answer, headers=env.headers("trader-a"))
    assert again.status_code == 200, again.text
    assert again.json()["submissionId"] == submission_id
    repeated = await env.stub.RespondToQuery(
        pb.RespondToQueryRequest(submission_id=submission_id, recipient="sanitary", answer=answer["answer"]),
        metadata=env.metadata("trader-a"),
    )
    assert repeated.submission_id == submission_id

    other = await env.http.post(url, json={**answer, "answer": "Cold store 9"}, headers=env.headers("trader-a"))
    assert other.status_code == 409 and other.json()["error"] == "conflict", other.text
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await env.stub.RespondToQuery(
            pb.RespondToQueryRequest(submission_id=submission_id, recipient="sanitary", answer="Cold store 9"),
            metadata=env.metadata("trader-a"),
        )
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION

    assert await _count(env, events, events.c.submission_id == submission_id, events.c.kind == "QUERY_ANSWERED") == 1
    assert await _count(env, outbox, outbox.c.type == "query-response") == 1
    assert await _count(env, outbox) >= messages  # status messages may follow; no second answer among them


async def test_the_same_answer_while_the_query_is_still_open_writes_nothing_new(env: Env) -> None:
    """Straight at the intake, racing the agency's next decision: the version lock decides."""
    document = example("apples")
    document["ucr"] = document["ucr"][:-2] + "3Q"
    document["traderReference"] = "ANSWER-RACE-1"
    created = await env.http.post(
        "/v1/submissions", json={"documentType": "consignment", "document": document}, headers=env.headers("trader-a")
    )
    submission_id = created.json()["submission"]["submissionId"]
    assert (await env.wait_terminal("trader-a", submission_id))["status"] == "HELD"
    for decider in env.deciders:  # nobody decides again, so the query stays open for both answers
        await decider.stop()
    url = f"/v1/submissions/{submission_id}/answers"
    answer = {"recipient": "sanitary", "answer": "Cold store 7"}
    replies = [await env.http.post(url, json=answer, headers=env.headers("trader-a")) for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    other = await env.http.post(url, json={**answer, "answer": "Cold store 8"}, headers=env.headers("trader-a"))
    assert other.status_code == 409, other.text
    assert await _count(env, events, events.c.submission_id == submission_id, events.c.kind == "QUERY_ANSWERED") == 1

"""Watch over gRPC and SSE: live changes, and a resume token continues without missing or repeating."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from singlewindow.platform.api.proto import submission_pb2 as pb

from .conftest import Env, example

IDLE = 0.6  # seconds without an event that end a read


async def grpc_events(env: Env, token: str = "", submission_id: str = "", idle: float = IDLE) -> list[dict[str, Any]]:
    call = env.stub.Watch(
        pb.WatchRequest(resume_token=token, submission_id=submission_id), metadata=env.metadata("trader-a")
    )
    events = []
    try:
        while True:
            message = await asyncio.wait_for(call.read(), idle)
            assert message is not grpc.aio.EOF
            events.append(
                {
                    "resumeToken": message.resume_token,
                    "kind": message.kind,
                    "submissionId": message.submission_id,
                    "version": message.version,
                    "status": message.status or None,
                    "recipient": message.recipient or None,
                }
            )
    except TimeoutError:
        call.cancel()
    return events


async def _frames(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, str]]:
    frame: dict[str, str] = {}
    async for line in lines:
        if not line:
            if frame:
                yield frame
            frame = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            frame[key] = value


async def sse_events(
    env: Env, last_event_id: str | None = None, path: str = "/v1/submissions/watch"
) -> list[dict[str, Any]]:
    headers = env.headers("trader-a") | ({"last-event-id": last_event_id} if last_event_id else {})
    events = []
    async with env.http.stream("GET", path, headers=headers, timeout=None) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = aiter(_frames(response.aiter_lines()))
        try:
            while True:
                frame = await asyncio.wait_for(anext(frames), IDLE)
                data = json.loads(frame["data"])
                assert frame["id"] == data["resumeToken"] and frame["event"] == data["kind"]
                events.append(
                    {k: data[k] for k in ("resumeToken", "kind", "submissionId", "version", "status", "recipient")}
                )
        except TimeoutError:
            pass
    return events


async def _submit(env: Env, stem: str) -> str:
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": example(stem)},
        headers=env.headers("trader-a"),
    )
    return str(response.json()["submission"]["submissionId"])


async def test_grpc_watch_sees_live_changes_then_resumes_exactly_after_a_token(env: Env) -> None:
    live = asyncio.create_task(grpc_events(env, idle=3.0))
    await asyncio.sleep(0.3)  # the stream is open before anything happens
    submission_id = await _submit(env, "apples")
    await env.wait_terminal("trader-a", submission_id)
    seen = await live
    kinds = [e["kind"] for e in seen]
    assert kinds[0] == "SUBMITTED" and "ROUTED" in kinds
    assert [e["status"] for e in seen if e["kind"] == "STATUS_CHANGED"][-1] == "CLEARED"
    tokens = [int(e["resumeToken"]) for e in seen]
    assert tokens == sorted(set(tokens)), "in order, no repeats"

    everything = await grpc_events(env)
    assert everything == seen, "a replay from the start gives what the live stream gave"
    for cut in (1, len(seen) // 2, len(seen) - 1):
        resumed = await grpc_events(env, token=seen[cut - 1]["resumeToken"])
        assert resumed == seen[cut:], f"resumed after event {cut}"
    assert await grpc_events(env, token=seen[-1]["resumeToken"], idle=0.3) == []


async def test_sse_resumes_with_last_event_id_and_agrees_with_grpc(env: Env) -> None:
    first = await _submit(env, "apples")
    second = await _submit(env, "laptops")
    await env.wait_terminal("trader-a", first)
    await env.wait_terminal("trader-a", second)
    await asyncio.sleep(0.2)
    everything = await sse_events(env)
    assert everything == await grpc_events(env)
    assert {e["submissionId"] for e in everything} == {first, second}
    middle = everything[len(everything) // 2 - 1]["resumeToken"]
    assert await sse_events(env, last_event_id=middle) == everything[len(everything) // 2 :]
    only_second = await sse_events(env, path=f"/v1/submissions/{second}/watch")
    assert only_second == [e for e in everything if e["submissionId"] == second]
    assert only_second == await grpc_events(env, submission_id=second)


async def test_bad_resume_token_is_invalid_input(env: Env) -> None:
    response = await env.http.get("/v1/submissions/watch", headers=env.headers("trader-a") | {"last-event-id": "abc"})
    assert response.status_code == 422 and response.json()["problems"][0]["path"] == "/resumeToken"
    call = env.stub.Watch(pb.WatchRequest(resume_token="abc"), metadata=env.metadata("trader-a"))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call.read()
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT

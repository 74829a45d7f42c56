"""The open-loop load of ``nsw bench pipeline``: submission i is due at start + i / rate, whether or not the
earlier ones have been answered, so a stall of the hub shows as latency instead of slowing the load down (a
closed loop would hide it). Latency is counted from the scheduled time, not from when the request left.

Submissions go through the hubs' HTTP intake with one ``httpx.AsyncClient`` (keep-alive connections, one
pool for all hubs, round robin), kept under the hubs' limit of connections per client address: the whole load
comes from one address, and beyond that limit a hub answers 429. Requests waiting for a connection wait in
the pool, and that wait is part of their latency. A refused (5xx, 429) or disconnected submit is sent again to
the next hub with the same trader reference, as a real client would: the intake is idempotent on (declarant,
trader reference), so the retry gets the submission the first attempt may have stored. A submission counts as
accepted only when an answer with its id arrived.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from singlewindow.platform.api.client import error_from_body

ATTEMPTS = 5  # per submission, over the hubs in turn
RETRY_PAUSE_SECONDS = 0.2  # times the attempt number
REQUEST_TIMEOUT_SECONDS = 30.0
TOO_MANY_REQUESTS = 429  # the hub's per-client connection limit: refused for now, like a 5xx
DOCUMENT_TYPE = "consignment"


def schedule(count: int, rate: float) -> list[float]:
    """When each submission is due, in seconds from the start of the load."""
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    return [index / rate for index in range(count)]


@dataclass
class OpenLoopResult:
    scheduled_at: dict[str, float] = field(default_factory=dict)  # accepted submission id -> due (epoch s)
    answer_seconds: list[float] = field(default_factory=list)  # due -> the intake's answer, per accepted one
    refused: list[str] = field(default_factory=list)  # "trader reference: why", after the last attempt
    retries: int = 0  # attempts after a 5xx or a lost connection
    started_at: float = 0.0  # epoch seconds when submission 0 was due


class _Refused(Exception):
    """A 4xx answer other than 429: the same request would fail the same way."""


async def _attempt(http: httpx.AsyncClient, url: str, document: dict[str, Any]) -> str | None:
    """The submission id, or None for an answer worth retrying elsewhere (5xx, connection lost)."""
    body = {"documentType": DOCUMENT_TYPE, "document": document, "traderReference": document["traderReference"]}
    try:
        response = await http.post(f"{url}/v1/submissions", json=body)
    except httpx.TransportError:
        return None
    if response.status_code >= 500 or response.status_code == TOO_MANY_REQUESTS:
        return None
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    if response.is_error:
        raise _Refused(str(error_from_body(response.status_code, payload)))
    return str(payload["submission"]["submissionId"])


async def _submit(
    http: httpx.AsyncClient, urls: Sequence[str], first: int, document: dict[str, Any], result: OpenLoopResult
) -> str:
    for attempt in range(ATTEMPTS):
        if attempt:
            result.retries += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt)
        submission_id = await _attempt(http, urls[(first + attempt) % len(urls)], document)
        if submission_id is not None:
            return submission_id
    raise _Refused(f"no hub answered after {ATTEMPTS} attempts (5xx, 429 or connection lost)")


async def open_loop(
    urls: Sequence[str],
    token: str,
    docs: Sequence[dict[str, Any]],
    rate: float,
    limit_seconds: float,
    max_connections: int,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> OpenLoopResult:
    """Send ``docs`` at ``rate`` per second over ``urls`` on at most ``max_connections``; return once every one
    is answered or refused (or ``limit_seconds`` have passed: those still unanswered are refused).
    ``transport``: httpx's, for tests."""
    result = OpenLoopResult()
    due = schedule(len(docs), rate)
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS, pool=None)  # waiting for a connection counts as latency
    headers = {"authorization": f"Bearer {token}"}
    loop = asyncio.get_running_loop()

    async def one(http: httpx.AsyncClient, index: int, document: dict[str, Any], scheduled: float) -> None:
        try:
            submission_id = await _submit(http, urls, index, document, result)
        except _Refused as exc:
            result.refused.append(f"{document['traderReference']}: {exc}")
            return
        result.answer_seconds.append(time.time() - scheduled)
        result.scheduled_at[submission_id] = scheduled

    async with httpx.AsyncClient(limits=limits, timeout=timeout, headers=headers, transport=transport) as http:
        start, result.started_at = loop.time(), time.time()
        tasks: list[asyncio.Task[None]] = []
        try:
            async with asyncio.timeout(limit_seconds):
                for index, document in enumerate(docs):
                    delay = start + due[index] - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(one(http, index, document, result.started_at + due[index])))
                await asyncio.gather(*tasks)
        except TimeoutError:
            unanswered = len(docs) - len(result.scheduled_at) - len(result.refused)
            result.refused.append(f"{unanswered} submissions unanswered within {limit_seconds:.0f} s")
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return result

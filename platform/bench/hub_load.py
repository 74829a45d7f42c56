"""The load of the hub bench, the same in both modes: ``concurrency`` workers submit ``count`` documents, then
the bench waits until exactly the accepted submissions (those whose answer arrived) have their terminal status
recorded, sampling the outbox backlog all along. Terminal times are read from ``terminal_statuses.recorded_at``
(written by whichever hub process folded the last decision), so no status polling through the API disturbs
what is measured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.bench.terminal_wait import await_terminal
from singlewindow.platform.errors import NswError
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage.tables import outbox

SubmitOne = Callable[[dict[str, Any]], Awaitable[str]]  # a document in, the new submission's id out
SAMPLE_SECONDS = 0.1
CLEARING_EXAMPLES = 3  # the first three shipped consignments (apples, beef, laptops) clear when all accept


def documents(count: int, run: str) -> list[dict[str, Any]]:
    """``count`` distinct consignments made from the shipped valid examples (own trader reference and UCR)."""
    examples = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in Catalog().get("consignment").valid_examples[:CLEARING_EXAMPLES]
    ]
    made = []
    for index in range(count):
        document = json.loads(json.dumps(examples[index % len(examples)]))
        document["traderReference"] = f"BENCH-{run}-{index:05d}"
        document["ucr"] = f"{document['ucr'][:-5]}{index:05d}"
        made.append(document)
    return made


@dataclass
class LoadResult:
    submitted_at: dict[str, float] = field(default_factory=dict)  # submission id -> wall clock at submit
    receipt_seconds: list[float] = field(default_factory=list)  # submit -> RECEIVED answer
    terminal_seconds: list[float] = field(default_factory=list)  # submit -> terminal status recorded
    failures: list[str] = field(default_factory=list)
    submit_phase_seconds: float = 0.0
    total_seconds: float = 0.0  # first submit -> last terminal status recorded
    backlog_peak: int = 0
    terminal: int = 0
    unfinished: list[str] = field(default_factory=list)  # accepted, not terminal by the deadline


async def _submit_all(submit: SubmitOne, docs: list[dict[str, Any]], concurrency: int, result: LoadResult) -> None:
    queue = list(reversed(docs))

    async def worker() -> None:
        while queue:
            document = queue.pop()
            wall, started = time.time(), time.perf_counter()
            try:
                submission_id = await submit(document)
            except NswError as exc:
                result.failures.append(f"{document['traderReference']}: {exc}")
                continue
            result.receipt_seconds.append(time.perf_counter() - started)
            result.submitted_at[submission_id] = wall

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _sample_backlog(engine: AsyncEngine, result: LoadResult) -> None:
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    while True:
        async with engine.connect() as connection:
            result.backlog_peak = max(result.backlog_peak, int((await connection.execute(query)).scalar_one()))
        await asyncio.sleep(SAMPLE_SECONDS)


async def run_load(
    submit: SubmitOne, engine: AsyncEngine, docs: list[dict[str, Any]], concurrency: int, limit_seconds: float
) -> LoadResult:
    """Submit everything, wait (at most ``limit_seconds`` in all) until every accepted one is terminal."""
    result = LoadResult()
    sampler = asyncio.create_task(_sample_backlog(engine, result))
    started = time.time()
    deadline = time.monotonic() + limit_seconds
    try:
        await asyncio.wait_for(_submit_all(submit, docs, concurrency, result), limit_seconds)
        result.submit_phase_seconds = time.time() - started
        finished = await await_terminal(engine, result.submitted_at.keys(), deadline)
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
    result.terminal_seconds = [recorded - result.submitted_at[sid] for sid, recorded in finished.items()]
    result.terminal = len(finished)
    result.unfinished = sorted(set(result.submitted_at) - finished.keys())
    result.total_seconds = max(max(finished.values(), default=started) - started, 0.0)
    return result

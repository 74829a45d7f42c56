"""The pure parts of ``nsw bench pipeline``: percentiles, the open-loop schedule and its retries (against an
httpx mock, nothing running), /proc parsing, the wait for exact ids (SQLite), the sweep's choice, the report's
keys. No timing is asserted."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.bench.agency_process import AgencyLogin
from singlewindow.platform.bench.hub_load import documents
from singlewindow.platform.bench.open_loop import ATTEMPTS, open_loop, schedule
from singlewindow.platform.bench.pipeline import PipelineBenchOptions, bus_bodies
from singlewindow.platform.bench.pipeline_hub import connection_budget, spread
from singlewindow.platform.bench.pipeline_report import PipelineReport, latency_ms, per_submission_ms, ratio
from singlewindow.platform.bench.procfs import (
    children_of,
    cpu_ticks,
    parent_pid,
    resident_kib,
    resident_mb,
    tree_cpu_seconds,
)
from singlewindow.platform.bench.raw_pipeline import RawPoint, best
from singlewindow.platform.bench.raw_pipeline_worker import read_bodies, write_bodies
from singlewindow.platform.bench.terminal_wait import await_terminal
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.settings import HttpSettings
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import terminal_statuses

# /proc/<pid>/stat of a process whose name holds a space and a parenthesis: utime 7, stime 3, cutime 20, cstime 5.
STAT = "4242 (nsw (hub) run) S 17 4242 4242 0 -1 4194560 900 0 0 0 7 3 20 5 20 0 4 0 1000 1 2 3"


def test_latency_is_nearest_rank_in_milliseconds() -> None:
    seconds = [n / 1000 for n in range(1, 101)]  # 1 .. 100 ms
    assert latency_ms(seconds) == pytest.approx({"p50": 50.0, "p95": 95.0, "p99": 99.0})
    assert latency_ms([]) == {"p50": None, "p95": None, "p99": None}


def test_open_loop_schedule_is_evenly_spaced_from_zero() -> None:
    assert schedule(4, 20) == pytest.approx([0.0, 0.05, 0.10, 0.15])
    assert schedule(0, 5) == []
    with pytest.raises(ValueError, match="positive"):
        schedule(3, 0)


def test_proc_stat_is_parsed_after_the_last_parenthesis() -> None:
    assert cpu_ticks(STAT) == 10
    assert cpu_ticks(STAT, with_children=True) == 35
    assert parent_pid(STAT) == 17
    with pytest.raises(ValueError, match="stat"):
        cpu_ticks("garbage")


def test_resident_memory_is_read_from_vmrss() -> None:
    assert resident_kib("Name:\tpython\nVmPeak:\t  9000 kB\nVmRSS:\t   51200 kB\nThreads:\t4\n") == 51200
    assert resident_kib("Name:\tkthreadd\nThreads:\t1\n") is None  # kernel threads have no VmRSS
    own = resident_mb(os.getpid())
    assert own is not None and own > 1
    assert resident_mb(2**22 + 12345) is None


def test_a_process_tree_counts_its_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert child.pid in children_of(os.getpid())
        tree = tree_cpu_seconds(os.getpid())
        assert tree is not None and tree > 0
    finally:
        child.communicate(b"")
    assert tree_cpu_seconds(2**22 + 12345) is None


def test_cpu_per_submission_and_ratio() -> None:
    per = per_submission_ms({"hub": 2.0, "agencies": None}, 400)
    assert per == {"hub": pytest.approx(5.0), "agencies": None}
    assert per_submission_ms({"hub": 2.0}, 0) == {"hub": None}
    assert ratio(50.0, 1000.0) == pytest.approx(0.05)
    assert ratio(50.0, None) is None and ratio(50.0, 0.0) is None


def test_the_sweep_keeps_the_fastest_complete_point() -> None:
    slow, fast, broken = (
        RawPoint(32, 32, 100, 100, 1.0),
        RawPoint(128, 512, 100, 100, 0.5),
        RawPoint(512, 512, 100, 90, 0.1),
    )
    assert best([slow, fast, broken]) is fast
    assert best([broken]) is broken  # none complete: the fastest, and the report names the shortfall
    assert fast.as_dict()["docs_per_s"] == 200.0
    with pytest.raises(ValueError, match="no raw points"):
        best([])


def test_agencies_are_dealt_over_the_processes() -> None:
    logins = [AgencyLogin(name, f"user-{name}", "amqp://x") for name in "abcde"]
    assert [[a.id for a in group] for group in spread(logins, 5)] == [["a"], ["b"], ["c"], ["d"], ["e"]]
    assert [[a.id for a in group] for group in spread(logins, 2)] == [["a", "c", "e"], ["b", "d"]]


def test_the_load_stays_under_the_hubs_connection_limit_per_client() -> None:
    limit = HttpSettings().max_connections_per_client  # the whole load comes from one address: beyond it, 429
    assert 0 < connection_budget() < limit


def test_bodies_go_to_a_producer_through_a_length_prefixed_file(tmp_path: Path) -> None:
    bodies = [b"", b"\x00\x01", b"x" * 70_000]
    write_bodies(tmp_path / "bodies.bin", bodies)
    assert read_bodies(tmp_path / "bodies.bin") == bodies


def test_raw_bodies_are_the_consignments_as_the_bus_carries_them() -> None:
    bodies, reply = bus_bodies(documents(3, "unit"))
    assert all(body[0] == 0 and 1_000 < len(body) < 2_100 for body in bodies)  # Avro, Confluent framing
    assert len(set(bodies)) == 3 and reply[0] == 0


def test_pipeline_options_are_bounded() -> None:
    assert PipelineBenchOptions().checked().hubs == 1
    with pytest.raises(InvalidInput, match="--agencies"):
        PipelineBenchOptions(agencies=6).checked()
    with pytest.raises(InvalidInput, match="longer than a bench phase"):
        PipelineBenchOptions(submissions=20_000, rate=10).checked()
    with pytest.raises(InvalidInput, match="--rate"):
        PipelineBenchOptions(rate=0).checked()
    with pytest.raises(InvalidInput, match="--sweep"):
        PipelineBenchOptions(sweep=(0, 32)).checked()
    with pytest.raises(InvalidInput, match="benches target only this machine"):
        PipelineBenchOptions(database_url="postgresql://postgres@10.1.2.3/postgres").checked()


def test_report_has_the_headline_keys_and_prints_the_ratio_last() -> None:
    report = PipelineReport(
        raw_docs_per_s=1000.0,
        hub_docs_per_s=50.0,
        latency_ms={"p50": 10.0, "p95": 20.0, "p99": 30.0},
        rss_mb={"hub-0": 120.5},
        cpu_ms_per_submission={"hub": 5.0, "agencies": 1.0, "broker": 0.5, "postgres": 2.0},
        database_per_submission={"transactions": 10.0, "rows_inserted": 5.8, "rows_updated": 3.3, "wal_bytes": 32000.0},
        raw={"best": {"prefetch": 128, "window": 128}},
        hub={"accepted": 10, "terminal": 10, "unfinished_count": 0},
        settings={"submissions": 10},
        environment={"cores": 2},
    )
    document = json.loads(report.to_json())
    for key in ("raw_docs_per_s", "hub_docs_per_s", "ratio", "latency_ms", "rss_mb", "cpu_ms_per_submission"):
        assert key in document, key
    assert document["database_per_submission"]["wal_bytes"] == 32000.0
    table = report.render()
    assert "rows ins/upd/del/fetched 5.8/3.3/n/a/n/a" in table and "32,000  B/submission" in table
    assert document["ratio"] == pytest.approx(0.05)
    assert document["settings"] == {"submissions": 10} and document["environment"] == {"cores": 2}
    assert table.splitlines()[-1] == "ratio hub/raw: 0.0500"


@pytest.fixture
async def terminal_db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(terminal_statuses.create)
    yield engine
    await engine.dispose()


async def _terminal(engine: AsyncEngine, submission_id: str, at: datetime) -> None:
    row = {"submission_id": submission_id, "version": 1, "status": "CLEARED", "recorded_at": at}
    async with engine.begin() as connection:
        await connection.execute(insert(terminal_statuses).values(message_id=f"{submission_id}.terminal", **row))


async def test_the_wait_is_for_exactly_the_given_ids(terminal_db: AsyncEngine) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for submission_id in ("s_a", "s_other_1", "s_other_2"):  # rows of submissions whose answer never arrived
        await _terminal(terminal_db, submission_id, at)

    async def later() -> None:
        await asyncio.sleep(0.3)
        await _terminal(terminal_db, "s_b", at)

    writer = asyncio.create_task(later())
    found = await await_terminal(terminal_db, {"s_a", "s_b", "s_c"}, time.monotonic() + 1.5)
    await writer
    assert found == {"s_a": at.timestamp(), "s_b": at.timestamp()}  # two terminal rows of others did not count
    # s_c never finished: the caller reports it by id


def _intake(log: list[tuple[str, str]], first_answers: dict[str, int]) -> httpx.MockTransport:
    """Hubs that answer each trader reference's first attempt with ``first_answers`` (a status, or 0 for a
    dropped connection), then as the idempotent intake does: the same submission id for the same reference."""

    def handle(request: httpx.Request) -> httpx.Response:
        reference = json.loads(request.content)["traderReference"]
        log.append((request.url.host, reference))
        attempts = sum(1 for _, seen in log if seen == reference)
        status = first_answers.get(reference, 201) if attempts == 1 else 200
        if status == 0:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if status >= 400:
            return httpx.Response(status, json={"error": "conflict" if status == 409 else "x", "message": "no"})
        return httpx.Response(status, json={"submission": {"submissionId": f"s_{reference}"}, "created": True})

    return httpx.MockTransport(handle)


async def test_open_loop_retries_on_another_hub_with_the_same_reference() -> None:
    docs = documents(6, "loop")
    refs = [d["traderReference"] for d in docs]
    log: list[tuple[str, str]] = []
    answers = {refs[1]: 503, refs[2]: 0, refs[3]: 409, refs[4]: 429}
    urls = ["http://hub-a", "http://hub-b"]
    result = await open_loop(urls, "token", docs, 200.0, 10.0, 4, transport=_intake(log, answers))
    assert set(result.scheduled_at) == {f"s_{r}" for r in refs if r != refs[3]}
    assert result.retries == 3
    assert [host for host, ref in log if ref == refs[1]] == ["hub-b", "hub-a"]  # the next hub, round robin
    assert [host for host, ref in log if ref == refs[2]] == ["hub-a", "hub-b"]
    assert [host for host, ref in log if ref == refs[4]] == ["hub-a", "hub-b"]  # too many connections: later
    assert len(result.refused) == 1 and result.refused[0].startswith(refs[3])  # a 4xx is not retried
    due = sorted(result.scheduled_at.values())
    assert due[0] == pytest.approx(result.started_at) and due[1] - due[0] == pytest.approx(1 / 200, abs=1e-5)
    assert len(result.answer_seconds) == 5 and all(s >= 0 for s in result.answer_seconds)


async def test_open_loop_gives_up_after_its_attempts() -> None:
    docs = documents(1, "down")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    result = await open_loop(["http://hub-a"], "t", docs, 10.0, 30.0, 1, transport=httpx.MockTransport(down))
    assert result.scheduled_at == {} and result.retries == ATTEMPTS - 1
    assert "no hub answered" in result.refused[0]


def test_cli_refuses_a_bad_sweep_and_a_remote_database_before_connecting() -> None:
    bad = CliRunner().invoke(cli, ["bench", "pipeline", "--sweep", "32,lots"])
    assert bad.exit_code != 0 and "--sweep" in bad.output
    remote = CliRunner().invoke(cli, ["bench", "pipeline", "--database-url", "postgresql://db.example.org/x"])
    assert remote.exit_code != 0
    assert "benches target only this machine" in str(remote.exception)

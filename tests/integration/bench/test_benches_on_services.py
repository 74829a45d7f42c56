"""Each bench against the real RabbitMQ and PostgreSQL with tiny numbers: well-formed results, and nothing
left behind (vhosts, users, databases), also when a bench fails half-way. No timing is asserted."""

from __future__ import annotations

import json
import os

import asyncpg
import httpx
import pytest

from singlewindow.platform.bench.broker import BrokerBenchOptions, run_broker_bench
from singlewindow.platform.bench.database_counters import KEYS
from singlewindow.platform.bench.hub import HubBenchOptions, run_hub_bench
from singlewindow.platform.bench.pipeline import PipelineBenchOptions, run_pipeline_bench
from singlewindow.platform.bench.procfs import children_of
from singlewindow.platform.bench.registry import RegistryBenchOptions, run_registry_bench
from singlewindow.platform.errors import NswError
from singlewindow.platform.settings import BrokerSettings, Settings

pytestmark = pytest.mark.integration
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _vhosts() -> set[str]:
    answer = httpx.get("http://127.0.0.1:15672/api/vhosts", auth=("guest", "guest"), timeout=10)
    return {v["name"] for v in answer.json()}


def _users() -> set[str]:
    answer = httpx.get("http://127.0.0.1:15672/api/users", auth=("guest", "guest"), timeout=10)
    return {u["name"] for u in answer.json()}


async def _databases() -> set[str]:
    connection = await asyncpg.connect(POSTGRES)
    try:
        return {row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")}
    finally:
        await connection.close()


async def test_broker_bench_measures_raw_and_transport_and_removes_its_vhost(
    rabbitmq_available: None, rabbitmq_management_available: None
) -> None:
    report = await run_broker_bench(BrokerBenchOptions(AMQP, messages=50, size=64, window=16), BrokerSettings())
    for name in ("raw publish+confirm", "raw consume+ack", "transport publish+confirm", "transport consume+ack"):
        value = report.figure(name).value
        assert value is not None and value > 0, name
    assert report.figure("transport overhead publish").value is not None
    assert report.figure("transport publish CPU").value > 0  # type: ignore[operator]
    assert report.figure("transport CPU overhead consume").value is not None
    assert report.environment["rabbitmq"]  # read from the management API
    assert report.settings["messages"] == 50 and "***" in report.settings["amqp_url"]
    assert report.settings["vhost"] not in _vhosts()


async def test_broker_bench_cleans_up_when_it_fails(
    rabbitmq_available: None, rabbitmq_management_available: None
) -> None:
    before = {v for v in _vhosts() if v.startswith("nsw-bench-")}
    with pytest.raises(NswError):  # the vhost is made, then the AMQP login fails
        await run_broker_bench(
            BrokerBenchOptions("amqp://guest:wrong-password@127.0.0.1:5672/", messages=10), BrokerSettings()
        )
    assert {v for v in _vhosts() if v.startswith("nsw-bench-")} <= before


async def test_hub_bench_through_two_hub_processes_removes_vhost_users_and_database(
    rabbitmq_available: None, rabbitmq_management_available: None, postgres_available: None
) -> None:
    options = HubBenchOptions(AMQP, POSTGRES, submissions=10, concurrency=4, hubs=2)
    report = await run_hub_bench(options, Settings())
    assert report.figure("submissions accepted").value == 10
    assert report.figure("submissions terminal").value == 10
    assert report.figure("submit->terminal p99").value is not None
    published = report.figure("broker publish rate").value
    assert published is not None and published > 0  # counters read from the management API
    assert report.figure("hub CPU per submission").value > 0  # type: ignore[operator]  # read from /proc
    assert report.environment["rabbitmq"] and report.environment["postgresql"]
    assert report.settings["mode"] == "processes" and report.settings["hubs"] == 2
    vhost, database = report.settings["vhost"], report.settings["database"]
    suffix = vhost.rsplit("-", 1)[1]  # the run's users carry the vhost's random suffix
    assert vhost.startswith("nsw-") and vhost not in _vhosts()
    assert not [user for user in _users() if suffix in user]
    assert database.startswith("nsw_bench_") and database not in await _databases()


async def test_registry_bench_on_a_fresh_postgres_database(postgres_available: None) -> None:
    report = await run_registry_bench(RegistryBenchOptions(POSTGRES, count=5, concurrency=2))
    assert report.figure("new registrations").value > 0  # type: ignore[operator]
    assert report.environment["postgresql"]
    database = report.settings["database"].split()[0]
    assert database.startswith("nsw_bench_") and database not in await _databases()


async def test_pipeline_bench_smoke_reports_every_key_and_removes_what_it_made(
    rabbitmq_available: None, rabbitmq_management_available: None, postgres_available: None
) -> None:
    """CI's smoke mode of ``nsw bench pipeline``: tiny counts, one hub, every key well-formed, nothing left."""
    options = PipelineBenchOptions(AMQP, POSTGRES, submissions=20, rate=20, hubs=1, sweep=(32, 128))
    report = await run_pipeline_bench(options, Settings())
    document = json.loads(report.to_json())
    raw, hub = document["raw_docs_per_s"], document["hub_docs_per_s"]
    assert raw > 0 and hub > 0
    assert document["ratio"] == pytest.approx(hub / raw)
    latency = document["latency_ms"]
    assert set(latency) == {"p50", "p95", "p99"} and 0 < latency["p50"] <= latency["p95"] <= latency["p99"]
    assert set(document["cpu_ms_per_submission"]) == {"hub", "agencies", "broker", "postgres"}
    assert all(ms is not None and ms > 0 for ms in document["cpu_ms_per_submission"].values())
    database = document["database_per_submission"]  # pg_stat_database of the run's database, the WAL position
    assert set(database) == set(KEYS) and all(value is not None for value in database.values())
    assert database["transactions"] > 0 and database["rows_inserted"] > 0 and database["wal_bytes"] > 0
    rss = document["rss_mb"]
    agencies = [label for label in rss if label.startswith("agency-")]
    assert len(agencies) == 5 and {"hub-0", "bench", "broker", "postgres-postmaster"} <= set(rss)
    assert all(mb is not None and mb > 0 for mb in rss.values())
    assert document["hub"]["accepted"] == document["hub"]["terminal"] == 20
    assert document["hub"]["unfinished"] == [] and document["hub"]["refused"] == 0
    assert len(document["raw"]["sweep"]) == 4  # prefetch x window
    assert document["raw"]["best"]["docs_per_s"] == max(p["docs_per_s"] for p in document["raw"]["sweep"])
    assert all(p["complete"] == 20 for p in document["raw"]["sweep"])
    assert document["environment"]["rabbitmq"] and document["environment"]["postgresql"]
    assert document["settings"]["hubs"] == 1 and "***" in document["settings"]["amqp_url"]
    suffix = document["hub"]["vhost"].rsplit("-", 1)[1]  # the hub run's users carry its vhost's suffix
    assert not {document["raw"]["vhost"], document["hub"]["vhost"]} & _vhosts()
    assert not [user for user in _users() if suffix in user]
    assert document["hub"]["database"] not in await _databases()


async def test_pipeline_bench_stops_its_processes_and_cleans_up_when_it_fails(
    rabbitmq_available: None, rabbitmq_management_available: None, postgres_available: None
) -> None:
    before = {v for v in _vhosts() if v.startswith("nsw-bench-")}
    # Other tests of the same session may have children of their own (the fault harness keeps its processes).
    children_before = set(children_of(os.getpid()))
    options = PipelineBenchOptions("amqp://guest:wrong-password@127.0.0.1:5672/", POSTGRES, submissions=5, rate=5)
    with pytest.raises(NswError, match="exited"):  # the raw roles cannot log in; the vhost was made first
        await run_pipeline_bench(options, Settings())
    assert {v for v in _vhosts() if v.startswith("nsw-bench-")} <= before
    assert set(children_of(os.getpid())) - children_before == set()

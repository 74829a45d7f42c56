"""Each bench against the real RabbitMQ and PostgreSQL with tiny numbers: well-formed results, and nothing
left behind (vhosts, users, databases), also when a bench fails half-way. No timing is asserted."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from singlewindow.platform.bench.broker import BrokerBenchOptions, run_broker_bench
from singlewindow.platform.bench.hub import HubBenchOptions, run_hub_bench
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

"""The hub bench on the embedded hub (nothing running) and the registry bench on SQLite, with tiny numbers:
well-formed results, every submission terminal. No timing is asserted: figures belong in docs/performance.md."""

from __future__ import annotations

import json

from click.testing import CliRunner

from singlewindow.platform.bench.hub import HubBenchOptions, run_hub_bench
from singlewindow.platform.bench.registry import RegistryBenchOptions, run_registry_bench
from singlewindow.platform.cli.main import cli
from singlewindow.platform.settings import Settings

LATENCIES = [f"{what} {p}" for what in ("submit->RECEIVED", "submit->terminal") for p in ("p50", "p95", "p99", "max")]


async def test_embedded_hub_bench_brings_every_submission_to_a_terminal_status() -> None:
    report = await run_hub_bench(HubBenchOptions(submissions=10, concurrency=3), Settings())
    assert report.figure("submissions accepted").value == 10
    assert report.figure("submissions terminal").value == 10
    for name in ("accepted rate", "terminal rate", *LATENCIES):
        value = report.figure(name).value
        assert value is not None and value > 0, name
    assert report.figure("submit->terminal p50").value <= report.figure("submit->terminal max").value  # type: ignore[operator]
    assert report.figure("outbox backlog peak").value is not None
    assert report.figure("hub CPU per submission").value > 0  # type: ignore[operator]
    assert report.figure("broker publish rate").value is None  # the in-memory broker has no management API
    assert report.settings["mode"] == "embedded"
    assert report.environment["cores"] >= 1 and report.environment["python"]
    assert report.notes == ()


async def test_registry_bench_on_a_temporary_sqlite_file() -> None:
    report = await run_registry_bench(RegistryBenchOptions(count=5, concurrency=2))
    assert report.figure("new registrations").value > 0  # type: ignore[operator]
    assert report.figure("idempotent re-registrations").value > 0  # type: ignore[operator]
    assert report.settings["database"] == "SQLite (temporary file)"


def test_cli_prints_json_for_the_hub_bench() -> None:
    result = CliRunner().invoke(cli, ["bench", "hub", "--submissions", "4", "--concurrency", "2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["bench"] == "hub"
    assert document["settings"]["submissions"] == 4
    assert document["figures"]["submissions terminal"]["value"] == 4
    assert {"cores", "python", "rabbitmq", "postgresql"} <= set(document["environment"])


def test_cli_refuses_a_remote_target_before_connecting() -> None:
    result = CliRunner().invoke(cli, ["bench", "broker", "--amqp-url", "amqp://guest:guest@203.0.113.7:5672/"])
    assert result.exit_code != 0
    assert "benches target only this machine" in str(result.exception)

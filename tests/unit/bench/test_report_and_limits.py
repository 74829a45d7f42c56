"""The report shape, percentiles, the loopback rule and the bounds: pure functions, nothing running."""

from __future__ import annotations

import json

import pytest

from singlewindow.platform.bench.broker import BrokerBenchOptions, cpu_overhead_percent, overhead_percent
from singlewindow.platform.bench.hub import HubBenchOptions
from singlewindow.platform.bench.loopback import redact_password, require_loopback
from singlewindow.platform.bench.phases import PhaseResult
from singlewindow.platform.bench.report import BenchReport, Figure, render_table
from singlewindow.platform.bench.stats import latency_figures, percentile
from singlewindow.platform.errors import InvalidInput


def _report() -> BenchReport:
    figures = (Figure("publish", 1234.5, "msg/s", "0.81 s"), Figure("broker rate", None, "msg/s"))
    return BenchReport("broker", {"messages": 1000}, {"cores": 2, "python": "3.11"}, figures, ("a note",))


def test_table_lists_every_figure_with_settings_and_environment() -> None:
    table = render_table(_report())
    assert "nsw bench broker" in table
    assert "1,234" in table or "1,235" in table
    assert "n/a" in table  # a figure that could not be measured says so
    assert "settings: messages=1000" in table
    assert "environment: cores=2, python=3.11" in table
    assert "note: a note" in table


def test_json_carries_settings_environment_and_figures() -> None:
    document = json.loads(_report().to_json())
    assert document["bench"] == "broker"
    assert document["settings"] == {"messages": 1000}
    assert document["environment"]["cores"] == 2
    assert document["figures"]["publish"] == {"value": 1234.5, "unit": "msg/s", "note": "0.81 s"}
    assert document["figures"]["broker rate"]["value"] is None


def test_percentiles_are_observed_values() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_latency_figures_in_milliseconds() -> None:
    figures = {f.name: f.value for f in latency_figures("lat", [0.001, 0.002, 0.010])}
    assert figures == {"lat p50": 2.0, "lat p95": 10.0, "lat p99": 10.0, "lat max": 10.0}
    assert all(f.value is None for f in latency_figures("lat", []))


def test_overhead_is_extra_time_per_message() -> None:
    assert overhead_percent(PhaseResult(100, 1.0), PhaseResult(100, 1.5)) == pytest.approx(50.0)
    assert overhead_percent(PhaseResult(100, 1.0), PhaseResult(100, 0.5)) == pytest.approx(-50.0)
    assert overhead_percent(PhaseResult(0, 0.0), PhaseResult(100, 1.0)) is None


def test_cpu_overhead_is_extra_client_cpu_per_message() -> None:
    raw, through = PhaseResult(1000, 2.0, cpu_seconds=0.1), PhaseResult(1000, 9.0, cpu_seconds=0.3)
    assert raw.cpu_micros_per_operation == pytest.approx(100.0)
    assert cpu_overhead_percent(raw, through) == pytest.approx(200.0)
    assert cpu_overhead_percent(PhaseResult(0, 1.0), through) is None


@pytest.mark.parametrize(
    "url", ["amqp://guest:guest@127.0.0.1:5672/", "postgresql://postgres@localhost/db", "amqp://[::1]:5672/"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    assert require_loopback(url, "--url") == url


@pytest.mark.parametrize("url", ["amqp://10.0.0.5:5672/", "postgresql://db.example.org/x", "amqp:///nohost"])
def test_other_hosts_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        require_loopback(url, "--url")


def test_passwords_are_redacted_in_reports() -> None:
    assert redact_password("amqp://guest:secret@127.0.0.1:5672/v") == "amqp://guest:***@127.0.0.1:5672/v"
    assert redact_password("postgresql://postgres@127.0.0.1/x") == "postgresql://postgres@127.0.0.1/x"


def test_bounds_are_enforced() -> None:
    with pytest.raises(InvalidInput, match="--messages"):
        BrokerBenchOptions(messages=0).checked()
    with pytest.raises(InvalidInput, match="--window"):
        BrokerBenchOptions(window=70_000).checked()
    with pytest.raises(InvalidInput, match="benches target only this machine"):
        BrokerBenchOptions(amqp_url="amqp://guest:guest@192.168.1.10:5672/").checked()
    with pytest.raises(InvalidInput, match="--submissions"):
        HubBenchOptions(submissions=10**9).checked()
    with pytest.raises(InvalidInput, match="both --amqp-url and --database-url"):
        HubBenchOptions(amqp_url="amqp://127.0.0.1:5672/").checked()


def test_cpu_of_a_process_is_read_from_proc() -> None:
    import os

    from singlewindow.platform.bench.cpu import process_cpu_seconds, processes_clock

    own = process_cpu_seconds(os.getpid())
    assert own is not None and own > 0
    assert processes_clock([os.getpid(), os.getpid()])() == pytest.approx(2 * own, rel=0.5)
    assert process_cpu_seconds(2**22 + 12345) is None  # no such process: unknown, not zero


def test_public_api_of_the_bench_package() -> None:
    import singlewindow.platform.bench as bench

    assert bench.__all__ == ["BenchReport", "Figure", "render_table"]

"""The hostile-input suite (issue 11): schemathesis, a corpus, hypothesis strategies and forged AMQP
messages against the hub and the registry; the access matrix. Targets: 0 5xx, 0 crashes, 0 partial writes.

``pytest tests/hostile`` is the short mode CI runs; ``pytest tests/hostile --hostile-long`` (or
``NSW_HOSTILE_LONG=1``) runs at least 10,000 cases in all and prints the counts table at the end.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the nswhostile helper package beside this file

from nswhostile.checks import Checker
from nswhostile.served import Served, served
from nswhostile.tally import TALLY


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hostile", "hostile-input suite (tests/hostile)")
    group.addoption("--hostile-long", action="store_true", default=False, help="Run the long mode (>= 10,000 cases).")


def long_mode(config: pytest.Config) -> bool:
    try:
        option = bool(config.getoption("--hostile-long"))
    except ValueError:  # registered only when this conftest is an initial one (pytest tests/hostile ...)
        option = False
    return option or os.environ.get("NSW_HOSTILE_LONG") == "1"


@pytest.fixture(scope="session")
def long_run(request: pytest.FixtureRequest) -> bool:
    return long_mode(request.config)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY.counts["cases"]:
        return
    mode = "long" if long_mode(terminalreporter.config) else "short"
    terminalreporter.section(f"hostile-input counts ({mode} mode)")
    terminalreporter.write_line(TALLY.table())
    for failure in TALLY.failures[:40]:
        terminalreporter.write_line(f"  {failure[:300]}")
    if len(TALLY.failures) > 40:
        terminalreporter.write_line(f"  ... and {len(TALLY.failures) - 40} more")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The hub and the registry in one separate process (nswhostile.serve), one per test module."""
    with served(tmp_path_factory.mktemp("served")) as process:
        yield process


@pytest.fixture(scope="module")
def registry(hub: Served) -> Served:
    return hub


@pytest.fixture(scope="module")
def hub_http(hub: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.http_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def hub_checker(hub: Served, hub_http: httpx.Client) -> Checker:
    return Checker("hub-http", hub_http, hub.log, hub.counts, hub.settle)


@pytest.fixture(scope="module")
def registry_checker(hub: Served) -> Iterator[Checker]:
    with httpx.Client(base_url=hub.registry_url, timeout=60) as client:
        yield Checker("registry-http", client, hub.log, hub.registry_counts, hub.registry_counts)


def pytest_configure(config: pytest.Config) -> None:
    """Test modules size their hypothesis settings at import; they read the mode from the environment."""
    if long_mode(config):
        os.environ["NSW_HOSTILE_LONG"] = "1"

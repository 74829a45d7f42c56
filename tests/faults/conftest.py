"""Fault harness fixtures: a private RabbitMQ node and PostgreSQL cluster, and the system on top of them.

``pytest tests/faults`` runs the short set (three faults and the negative control, processes reused);
``--long`` runs every fault, the three-node cluster's too. Rates and outage lengths are options (or
``NSW_FAULT_*`` variables).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the nswfaults helper package beside this file

from nswfaults.faults import FAULTS, SHORT
from nswfaults.harness import Params
from nswfaults.processes import System
from nswfaults.services import PrivatePostgres, PrivateRabbit, PrivateRabbitCluster, can_run_private_services

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("faults", "fault harness (tests/faults)")
    group.addoption("--long", action="store_true", default=False, help="Run every fault, not the short CI set.")
    group.addoption("--fault-rate", type=float, default=None, help="Submissions offered per second.")
    group.addoption("--fault-stream-seconds", type=float, default=None, help="Seconds of offered load per fault.")
    group.addoption("--fault-outage-seconds", type=float, default=None, help="Seconds a service stays down.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: the fault harness (private RabbitMQ node and PostgreSQL cluster)")


def _option(config: pytest.Config, name: str, variable: str, default: float) -> float:
    try:
        value = config.getoption(name)
    except ValueError:  # the option is registered only when this conftest is an initial one
        value = None
    return float(value if value is not None else os.environ.get(variable, default))


def long_run(config: pytest.Config) -> bool:
    try:
        return bool(config.getoption("--long")) or os.environ.get("NSW_FAULT_LONG") == "1"
    except ValueError:
        return os.environ.get("NSW_FAULT_LONG") == "1"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fault_name" in metafunc.fixturenames:
        names = list(FAULTS) if long_run(metafunc.config) else list(SHORT)
        metafunc.parametrize("fault_name", names)
    if "cluster_fault" in metafunc.fixturenames:
        from nswfaults.cluster_faults import CLUSTER_FAULTS

        metafunc.parametrize("cluster_fault", list(CLUSTER_FAULTS))  # the cluster fixture skips them unless --long
    if "crossborder_fault" in metafunc.fixturenames:
        from nswfaults import crossborder  # two hubs' worth of imports: only where the cross-border test runs

        chosen = crossborder.FAULTS if long_run(metafunc.config) else crossborder.SHORT
        metafunc.parametrize("crossborder_fault", list(chosen))


@pytest.fixture(scope="session")
def fault_params(pytestconfig: pytest.Config) -> Params:
    long = long_run(pytestconfig)
    return Params(
        rate=_option(pytestconfig, "--fault-rate", "NSW_FAULT_RATE", 4.0),
        stream_seconds=_option(
            pytestconfig, "--fault-stream-seconds", "NSW_FAULT_STREAM_SECONDS", 30.0 if long else 12.0
        ),
        strike_after=4.0,
        outage_seconds=_option(
            pytestconfig, "--fault-outage-seconds", "NSW_FAULT_OUTAGE_SECONDS", 8.0 if long else 3.0
        ),
    )


def _require_private_services() -> None:
    why = can_run_private_services()
    if why is None:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: the fault harness must not skip)")
    pytest.skip(why)


def _start_side_by_side(*services: PrivateRabbit | PrivateRabbitCluster | PrivatePostgres) -> None:
    """Prepare and start every service at once (each takes seconds, a cluster about 40)."""

    def up(service: PrivateRabbit | PrivateRabbitCluster | PrivatePostgres) -> None:
        service.prepare()
        service.start()

    with ThreadPoolExecutor(len(services)) as pool:
        for started in [pool.submit(up, service) for service in services]:
            started.result()


@contextlib.contextmanager
def _system_on(rabbit: PrivateRabbit | PrivateRabbitCluster, postgres: PrivatePostgres) -> Iterator[System]:
    """The hubs, adapters and stand-ins on ``rabbit`` and ``postgres``; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="nswfault-system-"))
    system = System(root, rabbit, postgres)
    try:
        system.build()
        print(f"fault system up: {system.timings} s")
        yield system
    finally:
        system.stop()
        if os.environ.get("NSW_FAULT_KEEP"):
            print(f"fault harness files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def private_services() -> Iterator[tuple[PrivateRabbit, PrivatePostgres]]:
    """Both private services, started side by side (each takes seconds); removed whatever happened."""
    _require_private_services()
    rabbit, postgres = PrivateRabbit(), PrivatePostgres()
    try:
        _start_side_by_side(rabbit, postgres)
        yield rabbit, postgres
    finally:
        rabbit.remove()
        postgres.remove()


@pytest.fixture(scope="session")
def private_rabbit(private_services: tuple[PrivateRabbit, PrivatePostgres]) -> PrivateRabbit:
    return private_services[0]


@pytest.fixture(scope="session")
def private_postgres(private_services: tuple[PrivateRabbit, PrivatePostgres]) -> PrivatePostgres:
    return private_services[1]


@pytest.fixture(scope="session")
def fault_system(private_rabbit: PrivateRabbit, private_postgres: PrivatePostgres) -> Iterator[System]:
    with _system_on(private_rabbit, private_postgres) as system:
        yield system


@pytest.fixture(scope="session")
def cluster_system(pytestconfig: pytest.Config) -> Iterator[System]:
    """The whole system on a private three-node RabbitMQ cluster and a PostgreSQL of its own (one node: a
    replica is out of scope). ``--long`` only: forming the cluster alone takes about 40 s."""
    if not long_run(pytestconfig):
        pytest.skip("the three-node cluster faults run with --long (NSW_FAULT_LONG=1)")
    _require_private_services()
    cluster, postgres = PrivateRabbitCluster(), PrivatePostgres()
    try:
        _start_side_by_side(cluster, postgres)
        with _system_on(cluster, postgres) as system:
            yield system
    finally:
        cluster.remove()
        postgres.remove()


@pytest.fixture(scope="session")
def private_services_possible() -> None:
    """For fixtures that start a private service of their own (test_tls.py): the same skip or CI failure."""
    _require_private_services()

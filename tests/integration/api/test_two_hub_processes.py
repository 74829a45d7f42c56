"""Two ``nsw hub run`` processes on RabbitMQ and one PostgreSQL database: competing consumers.

The environment (vhost, per-test broker users, two hub processes, auto-deciding agencies) is the one of
tests/integration/hub/two_hubs.py; submissions go in through both processes' HTTP APIs and each reaches
exactly one terminal status.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import terminal_statuses

from ..hub.two_hubs import Cluster, deciders, two_hub_cluster

pytestmark = pytest.mark.integration
EXAMPLES = Catalog().get("consignment").valid_examples
SUBMISSIONS = 12


@pytest.fixture
def cluster(
    rabbitmq_available: None, rabbitmq_management_available: None, fresh_postgres_url: str, tmp_path: Path
) -> Iterator[Cluster]:
    with two_hub_cluster(fresh_postgres_url, tmp_path, name="nsw-api") as started:
        yield started


def _document(index: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLES[index % 3].read_text())  # apples, beef, laptops
    document["traderReference"] = f"TWO-{index:03d}"
    document["ucr"] = f"{document['ucr'][:-3]}{index:03d}"
    return document


async def test_two_processes_share_the_work_and_record_one_terminal_status_each(cluster: Cluster) -> None:
    engine = open_engine(cluster.database_url)
    try:
        token = (await PrincipalStore(engine).add("kz-importer", Role.TRADER)).token
        headers = {"authorization": f"Bearer {token}"}
        async with deciders(cluster), httpx.AsyncClient(timeout=30) as http:
            started = time.monotonic()
            ids = []
            for index in range(SUBMISSIONS):
                hub = cluster.hubs[index % 2]
                response = await http.post(
                    f"{hub.http_url}/v1/submissions",
                    json={"documentType": "consignment", "document": _document(index)},
                    headers=headers,
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["submission"]["submissionId"])
            final: dict[str, dict[str, Any]] = {}
            deadline = time.monotonic() + 60
            while len(final) < len(ids) and time.monotonic() < deadline:
                for index, submission_id in enumerate(ids):
                    if submission_id not in final:
                        hub = cluster.hubs[(index + 1) % 2]  # read through the other process
                        body = (
                            await http.get(f"{hub.http_url}/v1/submissions/{submission_id}", headers=headers)
                        ).json()
                        if body["terminal"]:
                            final[submission_id] = body
                await asyncio.sleep(0.1)
            elapsed = time.monotonic() - started
            round_trip, extra_id = await _one_round_trip(http, cluster.hubs[0].http_url, headers)
        assert sorted(final) == sorted(ids), f"not terminal after 60 s: {set(ids) - set(final)}"
        assert {body["status"] for body in final.values()} == {"CLEARED"}
        async with engine.connect() as conn:
            counts = dict(
                (
                    await conn.execute(
                        select(terminal_statuses.c.submission_id, func.count()).group_by(
                            terminal_statuses.c.submission_id
                        )
                    )
                ).all()
            )
        assert counts == {submission_id: 1 for submission_id in [*ids, extra_id]}
        for hub in cluster.hubs:  # competing consumers: both processes applied decisions
            assert '"decision applied"' in hub.output(), hub.output()[-2000:]
        print(f"{SUBMISSIONS} submissions through two hub processes cleared in {elapsed:.2f} s")
        print(f"one submit -> CLEARED round trip over HTTP on RabbitMQ: {round_trip * 1000:.0f} ms")
    finally:
        await engine.dispose()


async def _one_round_trip(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, str]:
    """Seconds from POST to the first GET that shows CLEARED (polled every 5 ms)."""
    started = time.monotonic()
    response = await http.post(
        f"{url}/v1/submissions", json={"documentType": "consignment", "document": _document(999)}, headers=headers
    )
    submission_id = response.json()["submission"]["submissionId"]
    while time.monotonic() - started < 30:
        if (await http.get(f"{url}/v1/submissions/{submission_id}", headers=headers)).json()["status"] == "CLEARED":
            return time.monotonic() - started, submission_id
        await asyncio.sleep(0.005)
    raise AssertionError("the round trip did not clear in 30 s")

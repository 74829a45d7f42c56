"""``serve`` (what ``nsw hub run`` runs) on SQLite and the in-memory broker, and the metrics hooks."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from singlewindow.platform.api.metrics import HubMetrics
from singlewindow.platform.api.serve import Endpoints, serve
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.settings import DatabaseSettings, HubSettings, Settings
from singlewindow.platform.storage import open_engine, upgrade

from .conftest import Env, example


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_serve_answers_exports_metrics_and_stops_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh = HubMetrics.run

    async def refresh_often(self: HubMetrics, hub: Hub, stop: asyncio.Event, interval_seconds: float = 5.0) -> None:
        await refresh(self, hub, stop, 0.2)  # the gauges' 5 s period would be most of this test's time

    monkeypatch.setattr(HubMetrics, "run", refresh_often)
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    engine = open_engine(url)
    await upgrade(engine)
    token = (await PrincipalStore(engine).add("trader-a", Role.TRADER)).token
    await engine.dispose()
    metrics_port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=url),
        hub=HubSettings(grpc_port=0, http_port=0, metrics_port=metrics_port, outbox_poll_seconds=0.2),
    )
    stop, ready = asyncio.Event(), asyncio.Future[Endpoints]()
    server = asyncio.create_task(serve(settings, stop, ready.set_result, grace_seconds=1))
    endpoints = await asyncio.wait_for(ready, 30)
    assert endpoints.in_memory_broker and endpoints.metrics_port == metrics_port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{endpoints.http_port}") as http:
        response = await http.post(
            "/v1/submissions",
            json={"documentType": "consignment", "document": example("laptops")},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
        submission = response.json()["submission"]
        assert submission["status"] in {"RECEIVED", "UNDER_REVIEW"}  # the relay loop may route it first
        for _ in range(100):  # routed by this process's router; no agency is connected to decide
            body = (
                await http.get(
                    f"/v1/submissions/{submission['submissionId']}", headers={"authorization": f"Bearer {token}"}
                )
            ).json()
            if body["status"] == "UNDER_REVIEW":
                break
            await asyncio.sleep(0.05)
        assert body["status"] == "UNDER_REVIEW"
    expected = {
        ("nsw_submissions", (("status", "UNDER_REVIEW"),)): 1,
        ("nsw_publishes_total", (("exchange", "nsw.intake"), ("outcome", "confirmed"))): 1,
        ("nsw_publishes_total", (("exchange", "nsw.agency"), ("outcome", "confirmed"))): 2,
        ("nsw_outbox_backlog", ()): 0,
    }
    async with httpx.AsyncClient() as http:
        for _ in range(100):  # until a gauge refresh after the routing and the relay's publishes
            exported = samples((await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text)
            if all(exported.get(key) == value for key, value in expected.items()):
                break
            await asyncio.sleep(0.1)
    assert {key: exported.get(key) for key in expected} == expected
    stop.set()
    await asyncio.wait_for(server, 15)


async def test_decision_latency_is_observed_once_per_agency_decision(env: Env) -> None:
    metrics = HubMetrics()
    metrics.instrument(env.embedded.hub)
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": example("apples")},
        headers=env.headers("trader-a"),
    )
    await env.wait_terminal("trader-a", response.json()["submission"]["submissionId"])
    await metrics.refresh(env.embedded.hub)
    await metrics.refresh(env.embedded.hub)  # nothing noted since: nothing observed twice
    exported = samples(__import__("prometheus_client").generate_latest(metrics.registry).decode())
    counts = {
        dict(labels)["agency"]: value
        for (name, labels), value in exported.items()
        if name == "nsw_decision_latency_seconds_count"
    }
    assert counts == {"border-guard": 1, "customs": 1, "phytosanitary": 1, "sanitary": 1}

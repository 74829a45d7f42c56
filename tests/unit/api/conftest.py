"""One embedded hub (in-memory broker, SQLite) served over real gRPC and HTTP listeners on free ports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from singlewindow.platform.api.grpc_server import GrpcListener, build_grpc_listener
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.proto import submission_pb2_grpc
from singlewindow.platform.identity import GrantScope, Role
from singlewindow.platform.settings import LimitSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, embedded_hub

EXAMPLES = Catalog().get("consignment").valid_examples
MAX_DOCUMENT_BYTES = 32 * 1024


def example(stem: str) -> dict[str, Any]:
    path = next(p for p in EXAMPLES if stem in p.name)
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def policy(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Accept everything, except that sanitary asks a question about consignments whose UCR ends in Q."""
    if agency == "sanitary" and str(view.get("ucr", "")).endswith("Q"):
        return "QUERY", {"query": {"question": "Which cold store receives the goods?", "fields": ["/consignee"]}}
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


@dataclass
class Env:
    embedded: EmbeddedHub
    api: SubmissionApi
    grpc_listener: GrpcListener
    http_listener: HttpListener
    channel: grpc.aio.Channel
    stub: submission_pb2_grpc.SubmissionServiceStub
    http: httpx.AsyncClient
    tokens: dict[str, str]
    deciders: list[AutoDecider]

    def metadata(self, who: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)

    def headers(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    async def wait_terminal(self, who: str, submission_id: str) -> dict[str, Any]:
        for _ in range(300):
            response = await self.http.get(f"/v1/submissions/{submission_id}", headers=self.headers(who))
            body: dict[str, Any] = response.json()
            if body["terminal"] or body["status"] == "HELD":
                return body
            await asyncio.sleep(0.02)
        raise AssertionError(f"no terminal status: {body}")


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = Settings(limits=LimitSettings(max_document_bytes=MAX_DOCUMENT_BYTES))
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        deciders = []
        for agency in embedded.catalogue.agencies():
            transport = await embedded.agency_transport(agency.id)
            decider = AutoDecider(agency.id, agency.broker_user, transport, hub.codec, policy)
            await decider.start()
            deciders.append(decider)
        tokens = {}
        for name, role in (("trader-a", Role.TRADER), ("trader-b", Role.TRADER)):
            tokens[name] = (await hub.principals.add(name, role)).token
        for name in ("broker-granted", "broker-without"):
            tokens[name] = (await hub.principals.add(name, Role.BROKER)).token
        await hub.principals.grant("broker-granted", "trader-a", GrantScope.READ)
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        closing = asyncio.Event()
        grpc_listener = build_grpc_listener(api, settings.hub, port=0)
        await grpc_listener.start()
        http_listener = HttpListener(build_http_app(api, closing), "127.0.0.1", 0, grace_seconds=1)
        await http_listener.start()
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{grpc_listener.port}")
        http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_listener.port}", timeout=10)
        try:
            yield Env(
                embedded,
                api,
                grpc_listener,
                http_listener,
                channel,
                submission_pb2_grpc.SubmissionServiceStub(channel),  # type: ignore[no-untyped-call]
                http,
                tokens,
                deciders,
            )
        finally:
            closing.set()
            await http.aclose()
            await channel.close()
            await http_listener.stop()
            await grpc_listener.stop(0)
            for decider in deciders:
                await decider.stop()
                await decider.transport.close()

"""The agency services are mounted on the hub's HTTP listener (what ``nsw hub run`` serves)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx

from singlewindow.platform.api.serve import Endpoints, serve
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.settings import AttachmentSettings, DatabaseSettings, HubSettings, Settings
from singlewindow.platform.storage import open_engine, upgrade


async def test_attachments_officer_queue_and_border_events_are_served(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    engine = open_engine(url)
    await upgrade(engine)
    token = (await PrincipalStore(engine).add("trader-a", Role.TRADER)).token
    officer = (await PrincipalStore(engine).add("bg-officer", Role.OFFICER, "border-guard")).token
    await engine.dispose()
    settings = Settings(
        database=DatabaseSettings(url=url),
        hub=HubSettings(grpc_port=0, http_port=0, metrics_port=0),
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
    )
    stop, ready = asyncio.Event(), asyncio.Future[Endpoints]()
    server = asyncio.create_task(serve(settings, stop, ready.set_result, grace_seconds=1))
    endpoints = await asyncio.wait_for(ready, 30)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{endpoints.http_port}") as http:
            put = await http.post(
                "/v1/attachments",
                params={"fileName": "cmr.pdf"},
                content=b"%PDF-1.7 CMR",
                headers={"authorization": f"Bearer {token}", "content-type": "application/pdf"},
            )
            assert put.status_code == 201
            assert put.json()["sha256"] == hashlib.sha256(b"%PDF-1.7 CMR").hexdigest()
            assert (tmp_path / "blobs").is_dir()
            empty = await http.post("/v1/officer/next", headers={"authorization": f"Bearer {officer}"})
            assert empty.status_code == 204
            assert (await http.get("/v1/border-events", params={"ucr": "X1"})).status_code == 401
    finally:
        stop.set()
        await server

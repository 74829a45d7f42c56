"""``nsw hub run`` (``serve``) serves the permits register next to the submission API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from singlewindow.platform.api.serve import Endpoints, serve
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.settings import DatabaseSettings, HubSettings, Settings
from singlewindow.platform.storage import open_engine, upgrade

LICENCE = {
    "number": "KZ-IL-2026-0042",
    "kind": "IMPORT_LICENCE",
    "holderId": "120240017788",
    "hsCodes": ["8471"],
    "description": "Laptop computers",
    "quantity": {"value": "100", "unit": "H87"},
    "validFrom": "2026-01-01",
    "validUntil": "2026-12-31",
}


async def test_the_served_hub_answers_the_permits_api(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    engine = open_engine(url)
    await upgrade(engine)
    principals = PrincipalStore(engine)
    licensing = (await principals.add("licensing", Role.AGENCY, "trade-licensing")).token
    customs = (await principals.add("customs", Role.AGENCY, "customs")).token
    await engine.dispose()
    settings = Settings(database=DatabaseSettings(url=url), hub=HubSettings(grpc_port=0, http_port=0))
    stop, ready = asyncio.Event(), asyncio.Future[Endpoints]()
    server = asyncio.create_task(serve(settings, stop, ready.set_result, grace_seconds=1))
    try:
        endpoints = await asyncio.wait_for(ready, 30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{endpoints.http_port}") as http:
            issued = await http.post("/v1/permits", json=LICENCE, headers={"authorization": f"Bearer {licensing}"})
            assert issued.status_code == 201
            item = {k: LICENCE[k] for k in ("number", "holderId")} | {
                "hsCode": "8471300000", "quantity": {"value": "40", "unit": "H87"}, "at": "2026-06-01",
                "submissionId": "s_1", "submissionVersion": 1, "goodsItem": 1,
            }  # fmt: skip
            written = await http.post(
                "/v1/permits/write-offs", json=item, headers={"authorization": f"Bearer {customs}"}
            )
            assert written.status_code == 201 and written.json()["remaining"]["value"] == "60.000"
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)

"""``nsw border-event record|list`` and ``nsw officer next|decide`` against the hub's HTTP listener."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from singlewindow.platform.cli.main import cli
from singlewindow.platform.routing import decide, project
from singlewindow.platform.settings import AttachmentSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.agency_http import served_agency_services


async def nsw(url: str, token: str, *args: str) -> Result:
    environment = {"NSW_TOKEN": token, "NSW_HUB_URL": url}
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=environment, catch_exceptions=False)


async def test_officer_records_an_arrival_pulls_and_decides(
    env: Any, example: Callable[[str], dict[str, Any]], tmp_path: Path
) -> None:
    settings = Settings(attachments=AttachmentSettings(folder=tmp_path / "blobs"))
    async with served_agency_services(env.embedded, settings) as served:
        document = example("apples")
        submission_id, _ = await env.submit(document)
        officer = env.tokens["bg-officer-1"]

        arrival = next(p for p in Catalog().get("border-event").valid_examples if "arrival" in p.name)
        recorded = await nsw(served.url, officer, "border-event", "record", str(arrival))
        assert recorded.exit_code == 0, recorded.output
        assert "ARRIVAL at KZNZH" in recorded.stdout and submission_id in recorded.stdout
        listed = await nsw(served.url, officer, "border-event", "list", "--ucr", document["ucr"])
        assert [e["eventType"] for e in json.loads(listed.stdout)] == ["ARRIVAL"]
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**json.loads(arrival.read_text()), "eventType": "PASSED"}))
        refused = await nsw(served.url, officer, "border-event", "record", str(bad))
        assert refused.exit_code == 1 and "/eventType" in refused.stderr

        assert (await nsw(served.url, officer, "officer", "next")).exit_code == 3  # nothing queued yet
        tables = env.embedded.hub.tables()
        route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "border-guard")
        view = project(tables.views.get(route.view), document, route.items, submission_id, 1, "border-guard")
        queued = await env.http.post("/v1/officer/queue", json={"document": view}, headers=env.auth("bg-adapter"))
        assert queued.status_code == 201
        pulled = await nsw(served.url, officer, "officer", "next")
        ticket = json.loads(pulled.stdout)["ticket"]
        decided = await nsw(
            served.url, officer, "officer", "decide", str(ticket), "rejected", "--reason", "SEAL:Seal broken"
        )
        assert decided.exit_code == 0, decided.output
        assert f"REJECTED on {submission_id} v1" in decided.stdout

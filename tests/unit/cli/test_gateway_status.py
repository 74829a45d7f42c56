"""``nsw gateway status`` and ``quarantine``: read from the gateway's own store through its config file."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from singlewindow.adapters.gateway.store import GatewayStore
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import NotFound


def nsw(*args: str) -> Result:
    return CliRunner().invoke(cli, ["gateway", *args], env={"NSW_CONFIG_FILE": "", "NSW_BROKER__URL": ""})


async def fill(url: str) -> None:
    store = await GatewayStore.open(url)
    try:
        for n in range(3):
            envelope_id = str(uuid.uuid4())
            facts: dict[str, Any] = {"document_type": "cargo-manifest", "document_id": f"M-{n}", "ucr": "U1"}
            await store.seal_once("cn", f"src-{n}", "document", facts, lambda s, e=envelope_id: (e, {"envelopeId": e}))
            if n == 0:
                await store.record_receipt(envelope_id, "ACCEPTED", None)
        await store.quarantine("cn", b"{not json", "c" * 64, None, "crossborder-envelope", ("OTHER", "malformed"))
    finally:
        await store.close()


def config_file(tmp_path: Path) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    asyncio.run(fill(url))
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'agency = "partner-cn"\n[adapter]\npartner = "CN"\nkeys_dir = "{tmp_path / "keys"}"\nstore_url = "{url}"\n',
        encoding="utf-8",
    )
    return path


def test_status_reports_the_store_and_says_why_the_link_is_unknown(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    result = nsw("status", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    assert report["partner"] == "CN"
    assert (report["sent"], report["unreceipted"], report["lastSequenceSent"], report["quarantined"]) == (3, 2, 3, 1)
    assert report["link"].startswith("unknown") and report["oldestUnreceiptedAgeSeconds"] >= 0
    text = nsw("status", "--config", str(config))
    assert "partner CN: link unknown" in text.output and "unreceipted 2" in text.output
    metrics = nsw("status", "--config", str(config), "--metrics")
    assert 'nsw_gateway_unreceipted{partner="CN"} 2.0' in metrics.output
    assert 'nsw_gateway_link_up{partner="CN"} 0.0' in metrics.output


def test_quarantine_list_show_release(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    listed = nsw("quarantine", "list", "--config", str(config), "--json")
    (entry,) = json.loads(listed.output)
    assert entry["reasonCode"] == "OTHER" and entry["releasedAt"] is None
    shown = json.loads(nsw("quarantine", "show", "--config", str(config), str(entry["id"])).output)
    assert shown["raw"] == "{not json"
    released = nsw("quarantine", "release", "--config", str(config), str(entry["id"]), "--note", "checked")
    assert released.exit_code == 0, released.output
    assert json.loads(nsw("quarantine", "list", "--config", str(config), "--json").output) == []
    again = nsw("quarantine", "release", "--config", str(config), str(entry["id"]), "--note", "twice")
    assert isinstance(again.exception, NotFound) and "no unreleased quarantine entry" in str(again.exception)

"""``nsw demo --amqp-url ... --json`` as an operator runs it, on the real RabbitMQ with the real adapters
against their stand-ins: every consignment ends as expected, each decision came from its agency system and
arrived under its agency's own (demo) broker user, and the demo leaves no vhost, no user, no stand-in
process and no folder behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = ("guest", "guest")


def _names(what: str) -> set[str]:
    response = httpx.get(f"{RABBITMQ_MANAGEMENT_URL}/api/{what}", auth=ADMIN, timeout=10)
    response.raise_for_status()
    return {str(entry["name"]) for entry in response.json()}


def processes_using(folder: str) -> list[str]:
    """Command lines of running processes that name ``folder`` (the stand-ins get their files there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if folder in command:
                found.append(command)
    return found


def test_demo_on_rabbitmq_succeeds_and_cleans_up(rabbitmq_available: None, rabbitmq_management_available: None) -> None:
    env = {
        **os.environ,
        "NSW_BROKER__MANAGEMENT_URL": RABBITMQ_MANAGEMENT_URL,
        "NSW_BROKER__MANAGEMENT_USER": ADMIN[0],
        "NSW_BROKER__MANAGEMENT_PASSWORD": ADMIN[1],
    }
    url = f"amqp://{ADMIN[0]}:{ADMIN[1]}@{RABBITMQ_HOST}:{RABBITMQ_PORT}/"
    finished = subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", "demo", "--amqp-url", url, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    report: dict[str, Any] = json.loads(finished.stdout)

    assert report["mode"] == "rabbitmq" and report["summary"]["ok"] is True
    assert report["agencies"] == {
        "customs": "EDIFACT CUSRES",
        "veterinary": "CHED webhook",
        "sanitary": "shared table",
        "phytosanitary": "ePhyto",
        "border-guard": "officer",
    }
    assert {s["key"]: s["consolidated_status"] for s in report["submissions"]} == {
        "apples": "CLEARED",
        "beef": "CLEARED",
        "laptops": "CLEARED",
        "sheep": "REJECTED",
        "transit": "CLEARED",
        "query": "CLEARED",
        "cancelled": "CANCELLED",
    }
    vhost = report["vhost"]
    suffix = vhost.removeprefix("nsw-demo-")
    assert vhost.startswith("nsw-demo-") and suffix
    decisions = [d for s in report["submissions"] for d in s["decisions"]]
    assert decisions and all(d["user_id"] == f"nsw-agency-{d['agency']}-demo-{suffix}" for d in decisions)
    (sheep,) = [s for s in report["submissions"] if s["key"] == "sheep"]
    (veterinary,) = [d for d in sheep["decisions"] if d["agency"] == "veterinary"]
    assert veterinary["status"] == "REJECTED" and [r["code"] for r in veterinary["reasons"]] == ["VET-R1"]
    (query,) = [s for s in report["submissions"] if s["key"] == "query"]
    assert [a["kind"] for a in query["trader_actions"]] == ["answered"]
    assert [d["status"] for d in query["decisions"] if d["agency"] == "border-guard"] == ["QUERY", "ACCEPTED"]
    (cancelled,) = [s for s in report["submissions"] if s["key"] == "cancelled"]
    assert cancelled["told"] == ["border-guard", "customs", "sanitary", "veterinary"]
    assert "the trader cancelled" in finished.stderr  # --json: progress as it goes, on stderr

    assert vhost not in _names("vhosts")
    assert not {name for name in _names("users") if name.endswith(f"-demo-{suffix}")}
    assert report["workdir"] and not Path(report["workdir"]).exists()
    assert processes_using(report["workdir"]) == []

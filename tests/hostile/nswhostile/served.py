"""The hub and the registry as one separate process, as ``nsw hub run`` and ``nsw registry serve`` assemble
them, with auto-deciding agencies and one principal of every kind (``PRINCIPALS``).

A separate process, not a thread of the test process: requests cross real sockets at full speed (a server
thread beside a blocking client costs ~40 ms a request here), the long mode can read the server's RSS, and
the tests still see what they check: the SQLite files (row counts for partial writes) and the JSON log
(tracebacks at error level). ``python -m nswhostile.serve FOLDER`` is the process; ``served`` starts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.identity import GrantScope, Principal, PrincipalStore, Role

# Tables a refused request must leave exactly as they were.
WRITE_TABLES = (
    "submissions",
    "submission_versions",
    "events",
    "outbox",
    "recipients",
    "terminal_statuses",
    "document_links",
    "attachments",
    "attachment_uploads",
    "permits",
    "permit_write_offs",
    "officer_queue",
    "officer_decisions",
    "border_events",
    "grants",
    "principals",
)
REGISTRY_TABLES = ("registry_schemas", "registry_subjects", "registry_versions", "registry_settings")

# name -> (role, agency)
PRINCIPALS: dict[str, tuple[Role, str | None]] = {
    "trader-a": (Role.TRADER, None),
    "trader-b": (Role.TRADER, None),
    "trader-revoked": (Role.TRADER, None),
    "broker-submit": (Role.BROKER, None),
    "broker-read": (Role.BROKER, None),
    "broker-expired": (Role.BROKER, None),
    "broker-none": (Role.BROKER, None),
    "operator": (Role.OPERATOR, None),
    "customs-agency": (Role.AGENCY, "customs"),
    "vet-agency": (Role.AGENCY, "veterinary"),
    "bg-agency": (Role.AGENCY, "border-guard"),
    "vet-officer": (Role.OFFICER, "veterinary"),
    "bg-officer": (Role.OFFICER, "border-guard"),
}


def query_policy(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Accept everything, except that sanitary asks a question about consignments whose UCR ends in Q."""
    if agency == "sanitary" and str(view.get("ucr", "")).endswith("Q"):
        return "QUERY", {"query": {"question": "Which cold store receives the goods?"}}
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


async def add_principals(store: PrincipalStore) -> tuple[dict[str, str], dict[str, Principal]]:
    from datetime import timedelta

    from singlewindow.platform.state.common import utcnow

    tokens: dict[str, str] = {}
    principals: dict[str, Principal] = {}
    for name, (role, agency) in PRINCIPALS.items():
        issued = await store.add(name, role, agency)
        tokens[name], principals[name] = issued.token, issued.principal
    await store.grant("broker-submit", "trader-a", GrantScope.SUBMIT)
    await store.grant("broker-read", "trader-a", GrantScope.READ)
    await store.grant("broker-expired", "trader-a", GrantScope.SUBMIT, valid_until=utcnow() - timedelta(days=1))
    await store.revoke("trader-revoked")
    return tokens, principals


_connections: dict[tuple[Path, int], sqlite3.Connection] = {}


def table_counts(database: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """Row counts in one statement over a read-only connection kept per thread (cheap enough per case)."""
    key = (database, threading.get_ident())
    connection = _connections.get(key)
    if connection is None:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        _connections[key] = connection
    present = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
    names = [t for t in tables if t in present]
    row = connection.execute("select " + ", ".join(f'(select count(*) from "{t}")' for t in names)).fetchone()
    connection.rollback()
    return dict(zip(names, row, strict=True))


class ProcessLog:
    """Error entries with a traceback in the served process's JSON log, read incrementally."""

    def __init__(self, path: Path) -> None:
        self.path, self._offset = path, 0

    def take(self) -> list[str]:
        found: list[str] = []
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        complete = data.rfind(b"\n") + 1
        self._offset += complete
        for line in data[:complete].splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if b"Traceback" in line:  # something printed outside the JSON renderer
                    found.append(line.decode("utf-8", "replace")[:300])
                continue
            if isinstance(entry, dict) and entry.get("level") in {"error", "critical"} and "exception" in entry:
                found.append(f"{entry.get('event')}: {str(entry['exception'])[-300:]}")
        return found


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    http_url: str
    grpc_target: str
    registry_url: str
    registry_grpc: str
    database: Path
    registry_database: Path
    tokens: dict[str, str]
    extra: dict[str, Any]
    log: ProcessLog

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    def metadata(self, who: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)

    def counts(self) -> dict[str, int]:
        return table_counts(self.database, WRITE_TABLES)

    def registry_counts(self) -> dict[str, int]:
        return table_counts(self.registry_database, REGISTRY_TABLES)

    def settle(self, quiet_polls: int = 10, interval: float = 0.05, most: float = 15.0) -> dict[str, int]:
        """Row counts once the hub has stopped moving (router, aggregator, outbox relay all done): half a
        second without a change (a 200 ms window let a slow auto-decision land inside the next case)."""
        deadline = time.monotonic() + most
        last, same = self.counts(), 0
        while same < quiet_polls and time.monotonic() < deadline:
            time.sleep(interval)
            now = self.counts()
            same = same + 1 if now == last else 0
            last = now
        return last

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def alive(self) -> bool:
        return self.process.poll() is None


@contextlib.contextmanager
def served(folder: Path) -> Iterator[Served]:
    folder.mkdir(parents=True, exist_ok=True)
    ready, log = folder / "ready.json", folder / "served.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
    environment["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent.parent), environment.get("PYTHONPATH", "")])
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "nswhostile.serve", str(folder)], env=environment, stdout=handle, stderr=handle
        )
    deadline = time.monotonic() + 120
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the served hub did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    info = json.loads(ready.read_text())
    try:
        yield Served(
            process,
            info["http_url"],
            info["grpc_target"],
            info["registry_url"],
            info["registry_grpc"],
            folder / "hub.db",
            folder / "registry.db",
            info["tokens"],
            info["extra"],
            ProcessLog(log),
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

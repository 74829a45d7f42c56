"""The adapter's own small store (SQLite, stdlib): KZ control results by document id and ucr, and the
manifests still waiting for one, so a control result that arrives after its manifest can revise it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS control_results (
    document_id TEXT PRIMARY KEY, ucr TEXT NOT NULL, result TEXT NOT NULL, seals TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_control_results_ucr ON control_results (ucr);
CREATE TABLE IF NOT EXISTS manifests (
    submission_id TEXT NOT NULL, version INTEGER NOT NULL, document TEXT NOT NULL, accepted INTEGER NOT NULL,
    PRIMARY KEY (submission_id, version)
);
"""


@dataclass(frozen=True, slots=True)
class ControlResult:
    document_id: str
    ucr: str
    result: str
    seals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenManifest:
    submission_id: str
    version: int
    document: dict[str, object]


class GaccStore:
    def __init__(self, path: Path) -> None:
        self._path = path

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path)
        connection.executescript(_SCHEMA)
        return connection

    async def _run(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        def work() -> list[tuple[object, ...]]:
            with self._connect() as connection:
                return list(connection.execute(sql, parameters).fetchall())

        return await asyncio.to_thread(work)

    async def prepare(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        await self._run("SELECT 1")

    async def keep_control_result(self, result: ControlResult) -> None:
        await self._run(
            "INSERT OR REPLACE INTO control_results VALUES (?, ?, ?, ?)",
            (result.document_id, result.ucr, result.result, json.dumps(list(result.seals))),
        )

    async def control_results(self, ucrs: set[str], document_ids: set[str]) -> list[ControlResult]:
        """Results for any of these ucrs or named by id, newest insert last."""
        rows = await self._run("SELECT document_id, ucr, result, seals FROM control_results ORDER BY rowid")
        return [
            ControlResult(str(r[0]), str(r[1]), str(r[2]), tuple(json.loads(str(r[3]))))
            for r in rows
            if r[1] in ucrs or r[0] in document_ids
        ]

    async def keep_manifest(
        self, submission_id: str, version: int, document: dict[str, object], accepted: bool
    ) -> None:
        await self._run(
            "INSERT OR REPLACE INTO manifests VALUES (?, ?, ?, ?)",
            (submission_id, version, json.dumps(document), int(accepted)),
        )

    async def open_manifests(self) -> list[OpenManifest]:
        """Manifests not accepted yet: a control result arriving now may clear them."""
        rows = await self._run("SELECT submission_id, version, document FROM manifests WHERE accepted = 0")
        return [OpenManifest(str(r[0]), int(str(r[1])), json.loads(str(r[2]))) for r in rows]

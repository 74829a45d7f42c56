"""The legacy system's loop: take undecided rows, decide, write the decision columns; or be down.

Down means maintenance: the system holds an exclusive lock on the shared table, so the adapter's inserts
fail after its lock timeout. Every answer counts in ``legacy_answers``, which the scripted errors and
garbled values use, so "the first N answers" is per row and survives restarts.

Rows the adapter withdrew (cancelled, superseded, replaced) are skipped. With ``query_first`` a new row gets
status QUERY first; once the adapter writes the trader's answer the row is decided like any other. The
intake check (``intake_error``) is a trigger the system puts on its table while scripted so.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.adapters.sanitary.standin.rules import decide
from singlewindow.adapters.sanitary.standin.script import Script
from singlewindow.adapters.sanitary.table import metadata, requests

log = structlog.get_logger(__name__)
OFFICER = "KZ-SES-0107"
GARBLED = "ACC�EPT?ED##"  # no NUL bytes: PostgreSQL text refuses them


@dataclass
class SanitarySystem:
    engine: AsyncEngine
    register: dict[str, Any]
    script: Callable[[], Script]
    poll_seconds: float = 0.2
    _lock: AsyncConnection | None = field(default=None)
    _refusing: str | None = field(default=None)

    async def prepare(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def run(self, stop: asyncio.Event) -> None:
        await self.prepare()
        try:
            while not stop.is_set():
                script = self.script()
                if script.down:
                    await self._hold_lock()
                else:
                    await self._release_lock()
                    await self.step(script)
                try:
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
                except TimeoutError:
                    continue
        finally:
            await self._release_lock()

    async def _hold_lock(self) -> None:
        if self._lock is not None:
            return
        conn = await self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            await conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            await conn.begin()
            await conn.execute(text("LOCK TABLE sanitary_requests IN ACCESS EXCLUSIVE MODE"))
        self._lock = conn
        log.info("down: shared table locked")

    async def _release_lock(self) -> None:
        if self._lock is None:
            return
        conn, self._lock = self._lock, None
        if self.engine.dialect.name == "sqlite":
            await conn.exec_driver_sql("ROLLBACK")
        else:
            await conn.rollback()
        await conn.close()
        log.info("up: shared table unlocked")

    async def step(self, script: Script) -> int:
        await self._intake_check(script.intake_error)
        open_rows = requests.c.withdrawn_at.is_(None)
        undecided = requests.c.status.is_(None)
        answered = (requests.c.status == "QUERY") & requests.c.answered_at.is_not(None)
        answered = answered & (requests.c.decided_at.is_(None) | (requests.c.answered_at > requests.c.decided_at))
        async with self.engine.connect() as conn:
            query = select(requests).where(open_rows & (undecided | answered)).order_by(requests.c.request_no)
            rows = list(await conn.execute(query))
        for row in rows:
            if script.slow_seconds:
                await asyncio.sleep(script.slow_seconds)
            if row.status is None and row.answer is None and script.query_first:
                await self._query(row, script)
            else:
                await self._answer(row, script)
        return len(rows)

    async def _query(self, row: Any, script: Script) -> None:
        values = {
            "status": "QUERY",
            "reason": script.query_question,
            "query_fields": "\n".join(script.query_fields) or None,
            "conditions": None,
            "officer": OFFICER,
            "decided_at": datetime.now(UTC),
        }
        await self._write(row.request_no, values)
        log.info("queried", request_no=row.request_no)

    async def _answer(self, row: Any, script: Script) -> None:
        answered = int(row.legacy_answers or 0)
        if answered < script.malformed:
            values: dict[str, Any] = {"status": GARBLED, "reason": None, "conditions": "¿¿ ##"}
        elif answered < script.malformed + script.errors:
            values = {"status": "ERROR", "reason": "SGR registry lookup failed (timeout)", "conditions": None}
        else:
            verdict = decide(json.loads(row.document), self.register, datetime.now(UTC).date())
            values = {
                "status": verdict.status,
                "reason": verdict.reason,
                "conditions": "\n".join(verdict.conditions) or None,
            }
        values.update(officer=OFFICER, decided_at=datetime.now(UTC), legacy_answers=answered + 1, query_fields=None)
        await self._write(row.request_no, values)
        if script.duplicate:
            await asyncio.sleep(self.poll_seconds)
            await self._write(row.request_no, {**values, "decided_at": datetime.now(UTC)})
        log.info("decided", request_no=row.request_no, status=values["status"])

    async def _intake_check(self, error: str | None) -> None:
        """Put the scripted intake check on the table (or take it off): a trigger refusing new rows."""
        if error == self._refusing:
            return
        quoted = (error or "").replace("'", "''")
        async with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                await conn.exec_driver_sql("DROP TRIGGER IF EXISTS sanitary_intake_check")
                if error is not None:
                    await conn.exec_driver_sql(
                        "CREATE TRIGGER sanitary_intake_check BEFORE INSERT ON sanitary_requests "
                        f"BEGIN SELECT RAISE(ABORT, '{quoted}'); END"
                    )
            else:
                await conn.exec_driver_sql("DROP TRIGGER IF EXISTS sanitary_intake_check ON sanitary_requests")
                if error is not None:
                    await conn.exec_driver_sql(
                        "CREATE OR REPLACE FUNCTION sanitary_intake_check() RETURNS trigger AS $$ BEGIN "
                        f"RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = '{quoted}'; END $$ "
                        "LANGUAGE plpgsql"
                    )
                    await conn.exec_driver_sql(
                        "CREATE TRIGGER sanitary_intake_check BEFORE INSERT ON sanitary_requests "
                        "FOR EACH ROW EXECUTE FUNCTION sanitary_intake_check()"
                    )
        self._refusing = error
        log.info("intake check", refusing=error)

    async def _write(self, request_no: int, values: dict[str, Any]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(requests).where(requests.c.request_no == request_no).values(**values))

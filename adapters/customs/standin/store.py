"""The customs system's own database (SQLite): declarations with their assessment, and the trader register."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from singlewindow.adapters.customs.declaration import TraderRecord

metadata = MetaData()
declarations = Table(
    "declarations",
    metadata,
    Column("reference", String(35), primary_key=True),
    Column("declarant_id", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(6), nullable=False),
    Column("score", Integer, nullable=False),
    Column("hits", JSON, nullable=False),
    Column("answers", Integer, nullable=False),
    Column("inspection_due_at", DateTime(timezone=True), nullable=True),
    Column("inspection_done", Boolean, nullable=False),
    # ACTIVE, QUERIED (waiting for the declarant's answer), WITHDRAWN (cancelled), REPLACED (by a new version)
    Column("state", String(10), nullable=False, default="ACTIVE"),
    Column("answer", Text, nullable=True),
)
ACTIVE, QUERIED, WITHDRAWN, REPLACED = "ACTIVE", "QUERIED", "WITHDRAWN", "REPLACED"
traders = Table(
    "traders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("aeo", Boolean, nullable=False),
    Column("violations", Integer, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Filed:
    reference: str
    channel: str
    hits: tuple[tuple[str, str], ...]
    answers: int
    inspection_due_at: datetime | None
    inspection_done: bool
    state: str = "ACTIVE"
    answer: str | None = None

    @property
    def closed(self) -> bool:
        """Withdrawn or replaced: the system does no more work on it and issues no decision for it."""
        return self.state in (WITHDRAWN, REPLACED)


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _filed(row: Any) -> Filed:
    hits = tuple((h[0], h[1]) for h in row.hits)
    return Filed(
        row.reference,
        row.channel,
        hits,
        row.answers,
        _aware(row.inspection_due_at),
        row.inspection_done,
        row.state,
        row.answer,
    )


class CustomsStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @classmethod
    async def open(cls, path: Path) -> CustomsStore:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    async def load_traders(self, records: Iterable[TraderRecord]) -> None:
        async with self._engine.begin() as conn:
            for record in records:
                await conn.execute(traders.delete().where(traders.c.id == record.id))
                await conn.execute(insert(traders).values(id=record.id, aeo=record.aeo, violations=record.violations))

    async def trader(self, trader_id: str) -> TraderRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(traders).where(traders.c.id == trader_id))).first()
        return None if row is None else TraderRecord(row.id, row.aeo, row.violations)

    async def find(self, reference: str) -> Filed | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(declarations).where(declarations.c.reference == reference))).first()
        return None if row is None else _filed(row)

    async def file(
        self, reference: str, declarant: str, channel: str, score: int, hits: list[tuple[str, str]]
    ) -> Filed:
        """Record a new declaration's assessment (a resend finds the first one and keeps it)."""
        existing = await self.find(reference)
        if existing is not None:
            return existing
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(declarations).values(
                    reference=reference,
                    declarant_id=declarant,
                    received_at=datetime.now(UTC),
                    channel=channel,
                    score=score,
                    hits=[list(h) for h in hits],
                    answers=0,
                    inspection_due_at=None,
                    inspection_done=False,
                    state=ACTIVE,
                )
            )
        filed = await self.find(reference)
        assert filed is not None
        return filed

    async def close_declaration(self, reference: str, state: str) -> None:
        """Withdraw or replace; a declaration not read yet is recorded closed, so it is never assessed."""
        if await self.find(reference) is None:
            await self.file(reference, "", "GREEN", 0, [])
        async with self._engine.begin() as conn:
            await conn.execute(update(declarations).where(declarations.c.reference == reference).values(state=state))

    async def set_state(self, reference: str, state: str, answer: str | None = None) -> None:
        values: dict[str, Any] = {"state": state} if answer is None else {"state": state, "answer": answer}
        async with self._engine.begin() as conn:
            await conn.execute(update(declarations).where(declarations.c.reference == reference).values(**values))

    async def count_answer(self, reference: str) -> int:
        """One more answer sent for this declaration; returns how many were sent before it."""
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(select(declarations.c.answers).where(declarations.c.reference == reference))
            ).one()
            await conn.execute(
                update(declarations).where(declarations.c.reference == reference).values(answers=row.answers + 1)
            )
        return int(row.answers)

    async def due_inspections(self, now: datetime) -> list[Filed]:
        query = select(declarations).where(
            declarations.c.inspection_done.is_(False)
            & (declarations.c.inspection_due_at <= now)
            & (declarations.c.state == ACTIVE)
        )
        async with self._engine.connect() as conn:
            return [_filed(row) for row in await conn.execute(query)]

    async def schedule_inspection(self, reference: str, due: datetime) -> None:
        """Set when officers report, once: the first good channel answer starts the clock."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(declarations)
                .where((declarations.c.reference == reference) & declarations.c.inspection_due_at.is_(None))
                .values(inspection_due_at=due)
            )

    async def inspected(self, reference: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(declarations).where(declarations.c.reference == reference).values(inspection_done=True)
            )


def read_traders(path: Path) -> list[TraderRecord]:
    """``[{"id": ..., "aeo": true, "violations": 0}, ...]``: the trader register to seed the system with."""
    return [TraderRecord(str(t["id"]), bool(t["aeo"]), int(t["violations"])) for t in json.loads(path.read_text())]

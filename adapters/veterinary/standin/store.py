"""The veterinary stand-in's own SQLite database: notifications, their decisions and callback state.

A notification is unique on the sender's ``localReference``: a repeated POST (the adapter retrying after a
timeout) returns the CHED it already created, so the system never holds one consignment twice. A withdrawn
CHED is never decided (``due`` skips it); one that names a CHED it replaces amends that CHED in place while
it is undecided, else it is a new CHED and the old one records ``replaced_by``. Answers to a request for
information are kept on the CHED and reopen it for a decision.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()
notifications = Table(
    "notifications",
    metadata,
    Column("ched_reference", String(40), primary_key=True),
    Column("local_reference", String(120), nullable=False, unique=True),
    Column("ched_type", String(8), nullable=False),
    Column("request", JSON, nullable=False),
    Column("callback_url", String(500), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("decide_at", DateTime, nullable=False),
    Column("decision", JSON, nullable=True),
    Column("callbacks_sent", Integer, nullable=False, default=0),
    Column("notified_at", DateTime, nullable=True),
    Column("next_callback_at", DateTime, nullable=True),
    Column("customs_reference", String(35), nullable=True, index=True),
    Column("withdrawn_at", DateTime, nullable=True),
    Column("withdrawal_reason", String(1000), nullable=True),
    Column("replaced_by", String(40), nullable=True),
    Column("answers", JSON, nullable=True),
)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # SQLite keeps naive UTC


@dataclass(frozen=True, slots=True)
class Notification:
    ched_reference: str
    local_reference: str
    ched_type: str
    request: dict[str, Any]
    callback_url: str
    decision: dict[str, Any] | None
    notified: bool
    withdrawn: bool = False
    replaced_by: str | None = None
    answers: tuple[dict[str, Any], ...] = ()

    @property
    def status(self) -> str:
        if self.withdrawn:
            return "WITHDRAWN"
        if self.replaced_by:
            return "REPLACED"
        return "DECIDED" if self.decision else "SUBMITTED"


def _row(row: Any) -> Notification:
    return Notification(
        row.ched_reference,
        row.local_reference,
        row.ched_type,
        row.request,
        row.callback_url,
        row.decision,
        row.notified_at is not None,
        row.withdrawn_at is not None,
        row.replaced_by,
        tuple(row.answers or ()),
    )


class ChedStore:
    def __init__(self, engine: AsyncEngine, country: str) -> None:
        self._engine = engine
        self._country = country

    @classmethod
    async def open(cls, path: str, country: str = "KZ") -> ChedStore:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        return cls(engine, country)

    async def close(self) -> None:
        await self._engine.dispose()

    async def create(self, request: dict[str, Any], decide_after: float) -> tuple[Notification, str]:
        """(notification, "created" | "amended" | "existing"); the same ``localReference`` again returns the
        existing one. Concurrent requests may pick the same CHED number: the loser of the key tries again."""
        local = request["localReference"]
        kind = "CHEDA" if request["chedType"] == "CHED_A" else "CHEDP"
        replaces = request.get("replacesChedReference")
        for _ in range(20):
            existing = await self._find(local)
            if existing is not None:
                return existing, "existing"
            if replaces and await self._amend(replaces, request, decide_after):
                return await self.by_local_reference(local), "amended"
            received = now()
            async with self._engine.connect() as conn:
                count = (await conn.execute(select(func.count()).select_from(notifications))).scalar_one()
            reference = f"{kind}.{self._country}.{received.year}.{count + 1:07d}{secrets.token_hex(1).upper()}"
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        insert(notifications).values(
                            ched_reference=reference,
                            local_reference=local,
                            ched_type=request["chedType"],
                            request=request,
                            callback_url=request["callbackUrl"],
                            received_at=received,
                            decide_at=received + timedelta(seconds=decide_after),
                            callbacks_sent=0,
                            customs_reference=request["customsReferenceNumber"],
                        )
                    )
                    if replaces:
                        await conn.execute(
                            update(notifications)
                            .where(notifications.c.ched_reference == replaces)
                            .values(replaced_by=reference)
                        )
                return await self.by_local_reference(local), "created"
            except IntegrityError:
                continue  # another request took this number or this local reference: look again
        raise RuntimeError("could not allocate a CHED reference")

    async def _amend(self, ched_reference: str, request: dict[str, Any], decide_after: float) -> bool:
        """Amend an undecided, live CHED in place (new local reference, new content, decided afresh)."""
        live = (
            (notifications.c.ched_reference == ched_reference)
            & notifications.c.decision.is_(None)
            & notifications.c.withdrawn_at.is_(None)
            & notifications.c.replaced_by.is_(None)
        )
        received = now()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(notifications)
                .where(live)
                .values(
                    local_reference=request["localReference"],
                    request=request,
                    callback_url=request["callbackUrl"],
                    decide_at=received + timedelta(seconds=decide_after),
                    customs_reference=request["customsReferenceNumber"],
                )
            )
        return bool(result.rowcount)

    async def withdraw(self, ched_reference: str, reason: str) -> Notification | None:
        """Withdrawn by its submitter: never decided from now on (the first withdrawal's reason is kept)."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(notifications)
                .where(notifications.c.ched_reference == ched_reference, notifications.c.withdrawn_at.is_(None))
                .values(withdrawn_at=now(), withdrawal_reason=reason)
            )
        return await self.get(ched_reference)

    async def add_answer(self, ched_reference: str, answer: dict[str, Any], decide_after: float) -> bool:
        """Keep the answer and reopen the CHED for a decision; False when this query id was answered before."""
        found = await self.get(ched_reference)
        assert found is not None
        if any(a.get("queryId") == answer["queryId"] for a in found.answers):
            return False
        async with self._engine.begin() as conn:
            await conn.execute(
                update(notifications)
                .where(notifications.c.ched_reference == ched_reference)
                .values(
                    answers=[*found.answers, answer], decision=null(), notified_at=None, next_callback_at=None,
                    decide_at=now() + timedelta(seconds=decide_after),
                )
            )  # fmt: skip
        return True

    async def of_consignment(self, customs_reference: str) -> list[Notification]:
        query = (
            select(notifications)
            .where(notifications.c.customs_reference == customs_reference)
            .order_by(notifications.c.received_at)
        )
        async with self._engine.connect() as conn:
            return [_row(row) for row in await conn.execute(query)]

    async def _find(self, local_reference: str) -> Notification | None:
        query = select(notifications).where(notifications.c.local_reference == local_reference)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _row(row) if row is not None else None

    async def by_local_reference(self, local_reference: str) -> Notification:
        query = select(notifications).where(notifications.c.local_reference == local_reference)
        async with self._engine.connect() as conn:
            return _row((await conn.execute(query)).one())

    async def get(self, ched_reference: str) -> Notification | None:
        query = select(notifications).where(notifications.c.ched_reference == ched_reference)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _row(row) if row is not None else None

    async def due(self) -> list[Notification]:
        """Notifications whose decision time has come and whose callback has not yet been answered."""
        moment = now()
        query = (
            select(notifications)
            .where(notifications.c.decide_at <= moment, notifications.c.notified_at.is_(None))
            .where(notifications.c.withdrawn_at.is_(None))
            .where((notifications.c.next_callback_at.is_(None)) | (notifications.c.next_callback_at <= moment))
            .order_by(notifications.c.received_at)
            .limit(50)
        )
        async with self._engine.connect() as conn:
            return [_row(row) for row in await conn.execute(query)]

    async def set_decision(self, ched_reference: str, decision: dict[str, Any]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(notifications)
                .where(notifications.c.ched_reference == ched_reference, notifications.c.decision.is_(None))
                .where(notifications.c.withdrawn_at.is_(None))
                # amended meanwhile: this decision was made on the content it replaced, so it is dropped
                .where(notifications.c.local_reference == decision["localReference"])
                .values(decision=decision)
            )

    async def callback_result(self, ched_reference: str, delivered: bool, sent: int, retry_after: float) -> None:
        values: dict[str, Any] = {"callbacks_sent": notifications.c.callbacks_sent + sent}
        if delivered:
            values["notified_at"] = now()
        else:
            values["next_callback_at"] = now() + timedelta(seconds=retry_after)
        async with self._engine.begin() as conn:
            await conn.execute(
                update(notifications).where(notifications.c.ched_reference == ched_reference).values(**values)
            )

    async def callbacks_sent(self, ched_reference: str) -> int:
        query = select(notifications.c.callbacks_sent).where(notifications.c.ched_reference == ched_reference)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def count(self) -> int:
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(notifications))).scalar_one())

"""The plant-protection stand-in's own SQLite database: the certificates it issued, unique per request, and
the import check register (``import_checks``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from singlewindow.adapters.phytosanitary.standin.import_checks import ImportChecks, checks_table

metadata = MetaData()
certificates = Table(
    "certificates",
    metadata,
    Column("number", String(70), primary_key=True),
    Column("local_reference", String(120), nullable=False, unique=True),
    Column("request", JSON, nullable=False),
    Column("xml", Text, nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("valid_until", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
import_checks = checks_table(metadata)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # SQLite keeps naive UTC


class CertificateStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @classmethod
    async def open(cls, path: str) -> CertificateStore:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    def import_checks(self) -> ImportChecks:
        """The import check register, in the same database."""
        return ImportChecks(self._engine, import_checks)

    async def issue(self, local_reference: str, build: Callable[[int], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """Store the certificate ``build(serial)`` makes; the same local reference again returns the first one.

        Concurrent requests may pick the same serial: the loser of the primary key tries the next one.
        """
        for _ in range(20):
            existing = await self.by_local_reference(local_reference)
            if existing is not None:
                return existing, False
            async with self._engine.connect() as conn:
                serial = int((await conn.execute(select(func.count()).select_from(certificates))).scalar_one()) + 1
            try:
                async with self._engine.begin() as conn:
                    values = {**build(serial), "local_reference": local_reference}
                    await conn.execute(insert(certificates).values(**values, created_at=_now()))
                return await self._require(local_reference), True
            except IntegrityError:
                continue  # another request took this serial or this local reference: look again
        raise RuntimeError("could not allocate a certificate number")

    async def _require(self, local_reference: str) -> dict[str, Any]:
        found = await self.by_local_reference(local_reference)
        assert found is not None
        return found

    async def by_local_reference(self, local_reference: str) -> dict[str, Any] | None:
        query = select(certificates).where(certificates.c.local_reference == local_reference)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return dict(row._mapping) if row is not None else None

    async def count(self) -> int:
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(certificates))).scalar_one())

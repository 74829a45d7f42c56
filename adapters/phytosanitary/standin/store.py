"""The plant-protection stand-in's own SQLite database: the certificates it issued, unique per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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

    async def next_serial(self) -> int:
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(certificates))).scalar_one()) + 1

    async def add(self, row: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store an issued certificate; the same local reference again returns the first one."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(certificates).values(**row, created_at=datetime.now(UTC).replace(tzinfo=None))
                )
            created = True
        except IntegrityError:
            created = False
        found = await self.by_local_reference(row["local_reference"])
        assert found is not None
        return found, created

    async def by_local_reference(self, local_reference: str) -> dict[str, Any] | None:
        query = select(certificates).where(certificates.c.local_reference == local_reference)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return dict(row._mapping) if row is not None else None

    async def count(self) -> int:
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(certificates))).scalar_one())

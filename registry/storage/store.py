"""Reads and writes of the registry's tables, always inside one transaction.

The service opens ``store.transaction()`` and calls the methods of the yielded ``StoreTransaction``; the
transaction commits when the block ends and rolls back on any error, so nothing is ever half-written.
SQLAlchemy errors are translated here: a unique-constraint collision becomes ``WriteConflict`` (the
service retries the whole operation), anything else ``StoreError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Table, and_, case, delete, exists, false, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.registry.errors import StoreError
from singlewindow.registry.formats import ParsedSchema
from singlewindow.registry.models import SchemaType, StoredSchema, SubjectVersion
from singlewindow.registry.storage import tables as t
from singlewindow.registry.storage.migrations import migrate

_PG_RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock detected
STORE_FAILED = "Registry store error; the request may be retried"  # the driver's text is logged, not answered
log = structlog.get_logger(__name__)


def _sqlite_busy(exc: DBAPIError) -> bool:
    """Another SQLite process holds the write lock past the busy timeout, or our snapshot went stale."""
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


class WriteConflict(Exception):
    """Another writer committed the same row first; the operation is retried from the start."""


class SchemaStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def migrate(self) -> list[int]:
        try:
            return await migrate(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"Could not prepare the registry database: {exc}") from exc

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[StoreTransaction]:
        try:
            async with self.engine.begin() as connection:
                yield StoreTransaction(connection)
        except IntegrityError as exc:
            raise WriteConflict(str(exc.orig)) from exc
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) in _PG_RETRYABLE or _sqlite_busy(exc):
                raise WriteConflict(str(exc.orig)) from exc
            log.warning("registry.store_error", error=type(exc.orig).__name__, detail=str(exc.orig)[:300])
            raise StoreError(STORE_FAILED) from exc
        except SQLAlchemyError as exc:
            log.warning("registry.store_error", error=type(exc).__name__, detail=str(exc)[:300])
            raise StoreError(STORE_FAILED) from exc


def _stored(row: Sequence[Any]) -> StoredSchema:
    return StoredSchema(id=int(row[0]), schema_type=SchemaType(row[1]), schema=row[2], fingerprint=row[3])


_SCHEMA_COLUMNS = (t.schemas.c.id, t.schemas.c.schema_type, t.schemas.c.schema_text, t.schemas.c.fingerprint)
_VERSION_SELECT = select(t.versions.c.subject, t.versions.c.version, t.versions.c.deleted, *_SCHEMA_COLUMNS).join(
    t.schemas, t.schemas.c.id == t.versions.c.schema_id
)


class StoreTransaction:
    """The operations the service composes; every call runs in the enclosing transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    def _insert(self, table: Table):  # type: ignore[no-untyped-def]
        return pg_insert(table) if self.dialect == "postgresql" else sqlite_insert(table)

    # ---- subjects and versions -------------------------------------------------------------------
    async def lock_subject(self, subject: str) -> None:
        """Create the subject row if needed and take its row lock, serialising writers of one subject."""
        await self.connection.execute(
            self._insert(t.subjects).values(subject=subject, last_version=0).on_conflict_do_nothing()
        )
        await self.connection.execute(
            update(t.subjects).where(t.subjects.c.subject == subject).values(last_version=t.subjects.c.last_version)
        )

    async def versions(self, subject: str, *, include_deleted: bool) -> list[SubjectVersion]:
        """The subject's versions, oldest first."""
        query = _VERSION_SELECT.where(t.versions.c.subject == subject)
        if not include_deleted:
            query = query.where(t.versions.c.deleted == false())
        rows = (await self.connection.execute(query.order_by(t.versions.c.version))).all()
        return [SubjectVersion(r[0], r[1], _stored(r[3:]), bool(r[2])) for r in rows]

    async def live_version_of(self, subject: str, fingerprint: str) -> tuple[int, int] | None:
        """(schema id, version) of the live version of ``subject`` holding this content, if any."""
        query = (
            select(t.schemas.c.id, t.versions.c.version)
            .join(t.schemas, t.schemas.c.id == t.versions.c.schema_id)
            .where(
                t.versions.c.subject == subject,
                t.versions.c.deleted == false(),
                t.schemas.c.fingerprint == fingerprint,
            )
            .order_by(t.versions.c.version.desc())
            .limit(1)
        )
        row = (await self.connection.execute(query)).first()
        return None if row is None else (int(row[0]), int(row[1]))

    async def subjects(self, *, include_deleted: bool, deleted_only: bool = False) -> list[str]:
        live = func.sum(case((t.versions.c.deleted == false(), 1), else_=0))
        query = select(t.versions.c.subject).group_by(t.versions.c.subject).order_by(t.versions.c.subject)
        if deleted_only:
            query = query.having(live == 0)
        elif not include_deleted:
            query = query.having(live > 0)
        return list((await self.connection.execute(query)).scalars())

    async def schema_id(self, parsed: ParsedSchema) -> int:
        """The id of this content, inserting it the first time; concurrent inserts settle on one row."""
        await self.connection.execute(
            self._insert(t.schemas)
            .values(
                schema_type=parsed.schema_type.value,
                fingerprint=parsed.fingerprint,
                schema_text=parsed.canonical,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=[t.schemas.c.fingerprint])
        )
        query = select(t.schemas.c.id).where(t.schemas.c.fingerprint == parsed.fingerprint)
        return int((await self.connection.execute(query)).scalar_one())

    async def add_version(self, subject: str, schema_id: int) -> int:
        """Append a version: the next number after the subject's high-water mark."""
        result = await self.connection.execute(
            update(t.subjects)
            .where(t.subjects.c.subject == subject)
            .values(last_version=t.subjects.c.last_version + 1)
            .returning(t.subjects.c.last_version)
        )
        version = int(result.scalar_one())
        await self.connection.execute(
            t.versions.insert().values(
                subject=subject, version=version, schema_id=schema_id, deleted=False, created_at=datetime.now(UTC)
            )
        )
        return version

    async def soft_delete(self, subject: str, versions: list[int]) -> None:
        await self.connection.execute(
            update(t.versions)
            .where(and_(t.versions.c.subject == subject, t.versions.c.version.in_(versions)))
            .values(deleted=True)
        )

    async def hard_delete(self, subject: str, versions: list[int]) -> None:
        await self.connection.execute(
            delete(t.versions).where(and_(t.versions.c.subject == subject, t.versions.c.version.in_(versions)))
        )

    # ---- schemas by id ---------------------------------------------------------------------------
    async def schema_by_id(self, schema_id: int) -> StoredSchema | None:
        """The schema while any version (live or soft-deleted) still uses it; hard-deleted ids are gone."""
        query = select(*_SCHEMA_COLUMNS).where(
            and_(t.schemas.c.id == schema_id, exists().where(t.versions.c.schema_id == schema_id))
        )
        row = (await self.connection.execute(query)).first()
        return _stored(row) if row is not None else None

    async def schema_by_fingerprint(self, fingerprint: str) -> StoredSchema | None:
        row = (
            await self.connection.execute(select(*_SCHEMA_COLUMNS).where(t.schemas.c.fingerprint == fingerprint))
        ).first()
        return _stored(row) if row is not None else None

    async def usages(self, schema_id: int, *, include_deleted: bool) -> list[tuple[str, int]]:
        """(subject, version) pairs that use the schema id."""
        query = select(t.versions.c.subject, t.versions.c.version).where(t.versions.c.schema_id == schema_id)
        if not include_deleted:
            query = query.where(t.versions.c.deleted == false())
        rows = await self.connection.execute(query.order_by(t.versions.c.subject, t.versions.c.version))
        return [(row[0], row[1]) for row in rows]

    # ---- configuration and mode ------------------------------------------------------------------
    async def setting(self, scope: str, column: str) -> str | None:
        query = select(t.settings.c[column]).where(t.settings.c.scope == scope)
        value = (await self.connection.execute(query)).scalar()
        return None if value is None else str(value)

    async def set_setting(self, scope: str, column: str, value: str | None) -> None:
        statement = self._insert(t.settings).values(scope=scope, **{column: value})
        await self.connection.execute(
            statement.on_conflict_do_update(index_elements=[t.settings.c.scope], set_={column: value})
        )

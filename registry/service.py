"""The registry's operations, implemented once: the REST API calls them, and so will issue 4's gRPC service.

Each operation is one store transaction (nothing half-written); registration retries from the start when a
concurrent writer wins a unique constraint, so two processes registering the same schema get one id and
one version. Confluent's rules for versions, deletes, config and mode live here (research §1.5, §1.9).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TypeVar

import structlog

from singlewindow.registry.compatibility import check_compatibility
from singlewindow.registry.deletes import delete_subject, delete_version
from singlewindow.registry.errors import (
    IncompatibleSchema,
    SchemaNotFound,
    SchemaTooLarge,
    StoreError,
    SubjectNotFound,
)
from singlewindow.registry.formats import ParsedSchema, parse_schema
from singlewindow.registry.guard import AllowAll, Credentials, WriteGuard
from singlewindow.registry.models import (
    CompatibilityLevel,
    CompatibilityReport,
    Registered,
    SchemaType,
    StoredSchema,
    SubjectVersion,
)
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.settings_ops import SettingsOps
from singlewindow.registry.storage.store import SchemaStore, StoreTransaction, WriteConflict
from singlewindow.registry.versions import check_subject, pick_version

log = structlog.get_logger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=2048)
def parse_cached(schema_type: SchemaType, text: str) -> ParsedSchema:
    """Stored schemas are re-parsed for every compatibility check; their text never changes."""
    return parse_schema(schema_type, text)


class RegistryService(SettingsOps):
    def __init__(self, store: SchemaStore, settings: RegistrySettings, guard: WriteGuard | None = None) -> None:
        super().__init__(store, settings, guard or AllowAll())

    # ---- parsing -----------------------------------------------------------------------------------
    def parse(self, schema_type: SchemaType, text: str) -> ParsedSchema:
        if len(text.encode()) > self.settings.max_schema_bytes:
            raise SchemaTooLarge(f"Schema is larger than the limit of {self.settings.max_schema_bytes} bytes")
        return parse_cached(schema_type, text)

    @staticmethod
    def _previous(live: list[SubjectVersion]) -> list[tuple[int, ParsedSchema]]:
        return [(v.version, parse_cached(v.schema.schema_type, v.schema.schema)) for v in reversed(live)]

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(self.settings.conflict_retries):
            try:
                return await operation()
            except WriteConflict as exc:
                log.info("registry.write_conflict", attempt=attempt + 1, detail=str(exc)[:200])
                await asyncio.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
        raise StoreError(f"Gave up after {self.settings.conflict_retries} conflicting concurrent writes")

    # ---- registration and lookup -------------------------------------------------------------------
    async def register(
        self, subject: str, schema: str, schema_type: SchemaType, *, credentials: Credentials = None
    ) -> Registered:
        """Register ``schema`` under ``subject``: the existing id and version if already live, else a new
        version after the subject's compatibility level accepts it."""
        check_subject(subject)
        parsed = self.parse(schema_type, schema)
        await self.guard.authorize_write(credentials, subject, "register")

        async def attempt() -> Registered:
            async with self.store.transaction() as tx:
                await self._require_writable(tx, subject)
                known = await self._live_match(tx, subject, parsed)
                if known is not None:  # the common case (a producer re-registering): no write lock taken
                    return known
                await tx.lock_subject(subject)
                known = await self._live_match(tx, subject, parsed)  # again, now under the subject's lock
                if known is not None:
                    return known
                live = await tx.versions(subject, include_deleted=False)
                level = await self._level(tx, subject)
                reasons = check_compatibility(level, parsed, self._previous(live))
                if reasons:
                    raise IncompatibleSchema(reasons, level=level.value)
                schema_id = await tx.schema_id(parsed)
                version = await tx.add_version(subject, schema_id)
                return Registered(schema_id, version, created=True)

        try:
            result = await self._retrying(attempt)
        except IncompatibleSchema as exc:
            log.info("registry.refused_incompatible", subject=subject, level=exc.level, reasons=len(exc.reasons))
            raise
        if result.created:
            log.info("registry.registered", subject=subject, id=result.id, version=result.version)
        return result

    @staticmethod
    async def _live_match(tx: StoreTransaction, subject: str, parsed: ParsedSchema) -> Registered | None:
        found = await tx.live_version_of(subject, parsed.fingerprint)
        return None if found is None else Registered(found[0], found[1], created=False)

    async def lookup(
        self, subject: str, schema: str, schema_type: SchemaType, *, deleted: bool = False
    ) -> SubjectVersion:
        """The version of ``subject`` holding this schema (40401 unknown subject, 40403 not under it)."""
        parsed = self.parse(schema_type, schema)
        async with self.store.transaction() as tx:
            rows = await tx.versions(subject, include_deleted=deleted)
        if not rows:
            raise SubjectNotFound(f"Subject '{subject}' not found.")
        for row in reversed(rows):
            if row.schema.fingerprint == parsed.fingerprint:
                return row
        raise SchemaNotFound(f"Schema not found under subject '{subject}'.")

    # ---- reads -------------------------------------------------------------------------------------
    async def get_version(self, subject: str, version: int, *, deleted: bool = False) -> SubjectVersion:
        async with self.store.transaction() as tx:
            rows = await tx.versions(subject, include_deleted=True)
        return pick_version(subject, rows, version, deleted=deleted)

    async def get_schema(self, schema_id: int) -> StoredSchema:
        async with self.store.transaction() as tx:
            found = await tx.schema_by_id(schema_id)
        if found is None:
            raise SchemaNotFound(f"Schema {schema_id} not found")
        return found

    async def schema_usages(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        async with self.store.transaction() as tx:
            if await tx.schema_by_id(schema_id) is None:
                raise SchemaNotFound(f"Schema {schema_id} not found")
            return await tx.usages(schema_id, include_deleted=deleted)

    async def subjects(self, *, prefix: str = "", deleted: bool = False, deleted_only: bool = False) -> list[str]:
        async with self.store.transaction() as tx:
            names = await tx.subjects(include_deleted=deleted, deleted_only=deleted_only)
        return [name for name in names if name.startswith(prefix)]

    async def all_versions(
        self, *, prefix: str = "", deleted: bool = False, latest_only: bool = False
    ) -> list[SubjectVersion]:
        """Every version of every subject under ``prefix`` (``GET /schemas``), oldest first per subject."""
        async with self.store.transaction() as tx:
            found: list[SubjectVersion] = []
            for name in await tx.subjects(include_deleted=deleted):
                if name.startswith(prefix):
                    rows = await tx.versions(name, include_deleted=deleted)
                    found.extend(rows[-1:] if latest_only else rows)
        return found

    async def versions(self, subject: str, *, deleted: bool = False, deleted_only: bool = False) -> list[int]:
        async with self.store.transaction() as tx:
            rows = await tx.versions(subject, include_deleted=True)
        if not rows or not (deleted or deleted_only or any(not r.deleted for r in rows)):
            raise SubjectNotFound(f"Subject '{subject}' not found.")
        if deleted_only:
            return [r.version for r in rows if r.deleted]
        return [r.version for r in rows if deleted or not r.deleted]

    @staticmethod
    def schema_types() -> list[str]:
        return [t.value for t in SchemaType]

    # ---- compatibility test ------------------------------------------------------------------------
    async def test_compatibility(
        self, subject: str, schema: str, schema_type: SchemaType, version: int | None
    ) -> CompatibilityReport:
        """Against one version (``version``, or LATEST) as Confluent does, or, with ``version=None``,
        against every version registration would compare with."""
        parsed = self.parse(schema_type, schema)
        async with self.store.transaction() as tx:
            level = await self._level(tx, subject)
            rows = await tx.versions(subject, include_deleted=True)
        live = [r for r in rows if not r.deleted]
        if version is None:
            previous = self._previous(live)
        else:
            target = pick_version(subject, rows, version, deleted=False)
            previous = [(target.version, parse_cached(target.schema.schema_type, target.schema.schema))]
        reasons = check_compatibility(level, parsed, previous)
        if reasons:
            reasons.append(f"compatibility level: {level.value}")
        return CompatibilityReport(is_compatible=not reasons, messages=tuple(reasons))

    # ---- deletes -----------------------------------------------------------------------------------
    async def delete_subject(self, subject: str, *, permanent: bool, credentials: Credentials = None) -> list[int]:
        await self.guard.authorize_write(credentials, subject, "delete")

        async def attempt() -> list[int]:
            async with self.store.transaction() as tx:
                await self._require_writable(tx, subject)
                return await delete_subject(tx, subject, permanent=permanent)

        deleted = await self._retrying(attempt)
        log.info("registry.subject_deleted", subject=subject, versions=deleted, permanent=permanent)
        return deleted

    async def delete_version(
        self, subject: str, version: int, *, permanent: bool, credentials: Credentials = None
    ) -> int:
        await self.guard.authorize_write(credentials, subject, "delete")

        async def attempt() -> int:
            async with self.store.transaction() as tx:
                await self._require_writable(tx, subject)
                return await delete_version(tx, subject, version, permanent=permanent)

        deleted = await self._retrying(attempt)
        log.info("registry.version_deleted", subject=subject, version=deleted, permanent=permanent)
        return deleted

    async def _level(self, tx: StoreTransaction, subject: str) -> CompatibilityLevel:
        stored = await tx.setting(subject, "compatibility") or await tx.setting("", "compatibility")
        return CompatibilityLevel(stored) if stored else self.settings.default_compatibility

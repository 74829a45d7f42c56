"""The registry's operations, implemented once: the REST API calls them, and so will issue 4's gRPC service.

Each operation is one store transaction (nothing half-written); registration retries from the start when a
concurrent writer wins a unique constraint, so two processes registering the same schema get one id and
one version. Confluent's rules for versions, deletes, config and mode live here (research §1.5, §1.9).

Parsing and compatibility checks are CPU work that callers without a token can ask for, so they run on a
small thread pool (``check_workers``) under a per-check ``CheckBudget``, never on the event loop: REST, gRPC
health and other reads keep answering while a check runs, and shutdown is not held up beyond the budget.
Names and numbers that reach the store are checked first (subjects, schema ids), so bad input is a 4xx.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from typing import TypeVar

import structlog

from singlewindow.registry.budget import CheckBudget
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
from singlewindow.registry.safejson import JsonLimits
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.settings_ops import SettingsOps
from singlewindow.registry.storage.store import SchemaStore, StoreTransaction, WriteConflict
from singlewindow.registry.versions import MAX_ID, check_subject, pick_version

log = structlog.get_logger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=2048)
def parse_cached(schema_type: SchemaType, text: str) -> ParsedSchema:
    """Stored schemas are re-parsed for every compatibility check; their text never changes."""
    return parse_schema(schema_type, text)


@lru_cache(maxsize=512)
def parse_new(schema_type: SchemaType, text: str, limits: JsonLimits) -> ParsedSchema:
    """A schema from a caller: under the size limits, and (JSON) with patterns RE2 can run."""
    return parse_schema(schema_type, text, limits, new=True)


def limits_of(settings: RegistrySettings) -> JsonLimits:
    return JsonLimits(
        max_depth=settings.max_schema_depth,
        max_nodes=settings.max_schema_nodes,
        max_members=settings.max_schema_members,
        max_refs=settings.max_schema_refs,
    )


class RegistryService(SettingsOps):
    def __init__(self, store: SchemaStore, settings: RegistrySettings, guard: WriteGuard | None = None) -> None:
        super().__init__(store, settings, guard or AllowAll())
        self.limits = limits_of(settings)
        self._workers = ThreadPoolExecutor(settings.check_workers, thread_name_prefix="registry-check")

    def close(self) -> None:
        """Stop the check threads (a running check ends within its budget); the store is closed separately."""
        self._workers.shutdown(wait=False, cancel_futures=True)

    async def _off_loop(self, work: Callable[[], T]) -> T:
        """Run CPU-bound ``work`` on the check pool, keeping the event loop free."""
        return await asyncio.wrap_future(self._workers.submit(work))

    # ---- parsing -----------------------------------------------------------------------------------
    def parse(self, schema_type: SchemaType, text: str) -> ParsedSchema:
        """Parse a caller's schema (cached; a second call for the same text costs nothing)."""
        if len(text.encode("utf-8", "surrogatepass")) > self.settings.max_schema_bytes:
            raise SchemaTooLarge(f"Schema is larger than the limit of {self.settings.max_schema_bytes} bytes")
        return parse_new(schema_type, text, self.limits)

    async def _parse_off_loop(self, schema_type: SchemaType, text: str) -> ParsedSchema:
        return await self._off_loop(partial(self.parse, schema_type, text))

    @staticmethod
    def _previous(live: list[SubjectVersion]) -> list[tuple[int, ParsedSchema]]:
        return [(v.version, parse_cached(v.schema.schema_type, v.schema.schema)) for v in reversed(live)]

    async def _check(
        self, level: CompatibilityLevel, new: ParsedSchema, previous: Callable[[], list[tuple[int, ParsedSchema]]]
    ) -> list[str]:
        """Reasons ``new`` breaks ``level``, computed off the loop under one budget (parsing stored versions too)."""

        def work() -> list[str]:
            budget = CheckBudget(self.settings.check_seconds, self.settings.check_max_steps)
            return check_compatibility(level, new, previous(), budget)

        return await self._off_loop(work)

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
        parsed = await self._parse_off_loop(schema_type, schema)
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
                reasons = await self._check(level, parsed, partial(self._previous, live))
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
        check_subject(subject)
        parsed = await self._parse_off_loop(schema_type, schema)
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
        check_subject(subject)
        async with self.store.transaction() as tx:
            rows = await tx.versions(subject, include_deleted=True)
        return pick_version(subject, rows, version, deleted=deleted)

    async def get_schema(self, schema_id: int) -> StoredSchema:
        _check_id(schema_id)
        async with self.store.transaction() as tx:
            found = await tx.schema_by_id(schema_id)
        if found is None:
            raise SchemaNotFound(f"Schema {schema_id} not found")
        return found

    async def schema_usages(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        _check_id(schema_id)
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
        check_subject(subject)
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
        check_subject(subject)
        parsed = await self._parse_off_loop(schema_type, schema)
        async with self.store.transaction() as tx:
            level = await self._level(tx, subject)
            rows = await tx.versions(subject, include_deleted=True)
        live = [r for r in rows if not r.deleted]
        if version is not None:
            live = [pick_version(subject, rows, version, deleted=False)]
        reasons = await self._check(level, parsed, partial(self._previous, live))
        if reasons:
            reasons.append(f"compatibility level: {level.value}")
        return CompatibilityReport(is_compatible=not reasons, messages=tuple(reasons))

    # ---- deletes -----------------------------------------------------------------------------------
    async def delete_subject(self, subject: str, *, permanent: bool, credentials: Credentials = None) -> list[int]:
        check_subject(subject)
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
        check_subject(subject)
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


def _check_id(schema_id: int) -> None:
    """Ids are 1..2^31-1 (the store's integer column): anything else names no schema (40403), and never
    reaches the database driver as an out-of-range parameter."""
    if not 1 <= schema_id <= MAX_ID:
        raise SchemaNotFound(f"Schema {schema_id} not found")

"""Compatibility level and mode, globally and per subject (Confluent's /config and /mode).

A subject's own setting wins; without one the global setting applies, and without that the default.
Reading a subject's setting that was never set is 40408/40409 unless ``default_to_global`` is asked.
In ``READONLY`` mode a compatibility level cannot change either (42205): outside a release nothing that
decides what gets registered moves. Modes stay writable, so an operator can open the release window.
"""

from __future__ import annotations

from singlewindow.registry.errors import (
    OperationNotPermitted,
    SubjectConfigNotFound,
    SubjectModeNotFound,
    SubjectNotFound,
)
from singlewindow.registry.guard import Credentials, WriteGuard
from singlewindow.registry.models import DEFAULT_MODE, CompatibilityLevel, Mode
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.store import SchemaStore, StoreTransaction
from singlewindow.registry.storage.tables import GLOBAL_SCOPE
from singlewindow.registry.versions import check_subject


class SettingsOps:
    """Base of RegistryService: the config and mode half of the operations."""

    def __init__(self, store: SchemaStore, settings: RegistrySettings, guard: WriteGuard) -> None:
        self.store = store
        self.settings = settings
        self.guard = guard

    # ---- compatibility -----------------------------------------------------------------------------
    async def get_config(self, subject: str | None, *, default_to_global: bool = False) -> CompatibilityLevel:
        if subject:
            check_subject(subject)
        async with self.store.transaction() as tx:
            own = await tx.setting(subject, "compatibility") if subject else None
            glob = await tx.setting(GLOBAL_SCOPE, "compatibility")
        if own is not None:
            return CompatibilityLevel(own)
        if subject and not default_to_global:
            raise SubjectConfigNotFound(f"Subject '{subject}' does not have subject-level compatibility configured")
        return CompatibilityLevel(glob) if glob else self.settings.default_compatibility

    async def set_config(
        self, subject: str | None, level: CompatibilityLevel, *, credentials: Credentials = None
    ) -> CompatibilityLevel:
        if subject:
            check_subject(subject)
        await self.guard.authorize_write(credentials, subject, "config")
        async with self.store.transaction() as tx:
            await self._require_writable(tx, subject or GLOBAL_SCOPE)
            await tx.set_setting(subject or GLOBAL_SCOPE, "compatibility", level.value)
        return level

    async def delete_config(self, subject: str | None, *, credentials: Credentials = None) -> CompatibilityLevel:
        """Remove the subject's own level (40401 if it has none); for global, reset to the default."""
        if subject:
            check_subject(subject)
        await self.guard.authorize_write(credentials, subject, "config")
        async with self.store.transaction() as tx:
            await self._require_writable(tx, subject or GLOBAL_SCOPE)
            old = await tx.setting(subject or GLOBAL_SCOPE, "compatibility")
            if subject and old is None:
                raise SubjectNotFound(f"Subject '{subject}' not found.")
            await tx.set_setting(subject or GLOBAL_SCOPE, "compatibility", None)
        return CompatibilityLevel(old) if old else self.settings.default_compatibility

    # ---- mode --------------------------------------------------------------------------------------
    async def get_mode(self, subject: str | None, *, default_to_global: bool = False) -> Mode:
        if subject:
            check_subject(subject)
        async with self.store.transaction() as tx:
            own = await tx.setting(subject, "mode") if subject else None
            glob = await tx.setting(GLOBAL_SCOPE, "mode")
        if own is not None:
            return Mode(own)
        if subject and not default_to_global:
            raise SubjectModeNotFound(f"Subject '{subject}' does not have subject-level mode configured")
        return Mode(glob) if glob else DEFAULT_MODE

    async def set_mode(self, subject: str | None, mode: Mode, *, credentials: Credentials = None) -> Mode:
        if subject:
            check_subject(subject)
        await self.guard.authorize_write(credentials, subject, "mode")
        async with self.store.transaction() as tx:
            await tx.set_setting(subject or GLOBAL_SCOPE, "mode", mode.value)
        return mode

    async def delete_mode(self, subject: str | None, *, credentials: Credentials = None) -> Mode:
        if subject:
            check_subject(subject)
        await self.guard.authorize_write(credentials, subject, "mode")
        async with self.store.transaction() as tx:
            old = await tx.setting(subject or GLOBAL_SCOPE, "mode")
            if subject and old is None:
                raise SubjectNotFound(f"Subject '{subject}' not found.")
            await tx.set_setting(subject or GLOBAL_SCOPE, "mode", None)
        return Mode(old) if old else DEFAULT_MODE

    async def _require_writable(self, tx: StoreTransaction, subject: str) -> None:
        """42205 unless the subject's own mode, else the global one, is READWRITE ("" = the global scope)."""
        mode = await self._mode(tx, subject)
        if mode is not Mode.READWRITE:
            where = f"Subject '{subject}'" if subject else "The registry"
            raise OperationNotPermitted(f"{where} is in {mode.value} mode; writes are refused")

    async def _mode(self, tx: StoreTransaction, subject: str) -> Mode:
        stored = await tx.setting(subject, "mode") or await tx.setting(GLOBAL_SCOPE, "mode")
        return Mode(stored) if stored else DEFAULT_MODE

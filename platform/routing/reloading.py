"""Routing data that follows its files: re-read when a file's mtime (or size) changes, and keep routing
with the last good generation when a new one is invalid, so a bad edit never stops the router."""

from __future__ import annotations

import time
from pathlib import Path

import structlog

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import FILES, RoutingTables, load_tables

_log = structlog.get_logger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


def _stamp(directory: Path) -> Stamp:
    """(name, mtime_ns, size) of each routing file; a missing file stamps as (-1, -1)."""
    stamps = []
    for name in FILES:
        try:
            stat = (directory / name).stat()
            stamps.append((name, stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            stamps.append((name, -1, -1))
    return tuple(stamps)


class ReloadingTables:
    """Call ``current()`` before each routing decision. The files are looked at (three ``stat`` calls) at
    most every ``check_seconds``, not per message: the router and the aggregator call it for every delivery.
    Synchronous and await-free, so concurrent tasks of one event loop never interleave inside it.

    The first load must succeed (a router without rules must not start); later failures are logged with
    every problem and the previous tables stay in force until the files are fixed.
    """

    def __init__(self, directory: Path | None = None, check_seconds: float = 1.0) -> None:
        self._directory = directory or shipped_dir()
        self._check_seconds = check_seconds
        self._next_check = time.monotonic() + check_seconds
        self._stamp = _stamp(self._directory)
        self._tables = load_tables(self._directory)
        self._failed_stamp: Stamp | None = None
        self.last_error: ConfigurationError | None = None

    @property
    def directory(self) -> Path:
        return self._directory

    def current(self) -> RoutingTables:
        """The newest valid tables (reloaded if the files changed since the last look)."""
        now = time.monotonic()
        if now < self._next_check:
            return self._tables
        self._next_check = now + self._check_seconds
        stamp = _stamp(self._directory)
        if stamp == self._stamp or stamp == self._failed_stamp:
            return self._tables
        self._reload(stamp)
        return self._tables

    def __call__(self) -> RoutingTables:
        return self.current()

    def _reload(self, stamp: Stamp) -> None:
        try:
            tables = load_tables(self._directory)
        except ConfigurationError as exc:
            # Log once per bad generation, not on every routed document.
            self._failed_stamp = stamp
            self.last_error = exc
            _log.error(
                "routing_reload_failed",
                directory=str(self._directory),
                problems=exc.message,
                kept_rules_version=self._tables.rules.version,
            )
            return
        self._tables, self._stamp, self._failed_stamp, self.last_error = tables, stamp, None, None
        _log.info("routing_reloaded", directory=str(self._directory), rules_version=tables.rules.version)

"""Catch ERROR-level log entries that carry a traceback (structlog and stdlib), in this process.

Bad input must never produce one: a refused request is the caller's problem, logged at warning or below;
a traceback at error level means an unexpected exception reached a handler's last resort.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

_ERRORS = {"error", "critical", "exception"}


class LogWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self._lock = threading.Lock()
        self._found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            with self._lock:
                self._found.append(f"{record.name}: {record.getMessage()}")

    def processor(self, logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        if method in _ERRORS and (event.get("exc_info") or method == "exception"):
            with self._lock:
                self._found.append(f"{event.get('event')}: {event.get('exc_info')!r}"[:500])
        return event

    def take(self) -> list[str]:
        """The entries since the last call."""
        with self._lock:
            found, self._found = self._found, []
        return found


@contextmanager
def watching_logs() -> Iterator[LogWatch]:
    """Add the watch in front of structlog's processors and on the root logger; restore both after."""
    watch = LogWatch()
    previous = structlog.get_config()
    structlog.configure(processors=[watch.processor, *previous["processors"]])
    root = logging.getLogger()
    root.addHandler(watch)
    try:
        yield watch
    finally:
        root.removeHandler(watch)
        structlog.configure(processors=previous["processors"])

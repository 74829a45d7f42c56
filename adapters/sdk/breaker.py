"""A circuit breaker for one agency system: closed, open, half-open.

* CLOSED: documents flow. ``failure_threshold`` consecutive ``AgencyUnavailable`` failures open it.
* OPEN: the runtime cancels its consumer (documents stay ready in the inbox) and, every
  ``probe_interval`` seconds, asks the adapter's ``health()``. A healthy answer half-opens it.
* HALF_OPEN: consuming resumes; the next delivery decides: success closes it, failure opens it again.

Pure state, no I/O and an injected clock, so the transitions are tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass
class CircuitBreaker:
    failure_threshold: int = 5
    probe_interval: float = 10.0
    clock: Callable[[], float] = time.monotonic
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: float | None = None
    trips: int = field(default=0)
    """How many times it opened (for logs and tests)."""

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if self.probe_interval <= 0:
            raise ValueError("probe_interval must be positive")

    @property
    def is_open(self) -> bool:
        return self.state is BreakerState.OPEN

    def record_success(self) -> None:
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> bool:
        """Count one failure; True when this failure opened the breaker (the caller pauses consuming)."""
        if self.state is BreakerState.OPEN:
            return False
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.failure_threshold:
            self._open()
            return True
        return False

    def probe_due(self) -> float:
        """Seconds until the next health probe may run (0 when due); only meaningful while open."""
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.opened_at + self.probe_interval - self.clock())

    def probe_failed(self) -> None:
        self._open(count=False)

    def probe_succeeded(self) -> None:
        """The system answers again: let deliveries through on trial."""
        self.state = BreakerState.HALF_OPEN
        self.opened_at = None

    def _open(self, *, count: bool = True) -> None:
        self.state = BreakerState.OPEN
        self.opened_at = self.clock()
        if count:
            self.trips += 1

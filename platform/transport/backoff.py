"""Exponential backoff with equal jitter for reconnects, capped by ``reconnect_max_seconds``."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(slots=True)
class Backoff:
    first: float = 0.1
    cap: float = 30.0
    attempt: int = 0

    def next_delay(self) -> float:
        """Delay before the next attempt: random in [ceiling/2, ceiling], ceiling = min(cap, first * 2**attempt)."""
        ceiling = min(self.cap, self.first * (2**self.attempt))
        self.attempt += 1
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0

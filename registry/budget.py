"""The per-check budget: a wall-clock deadline and a step counter, so no compatibility check runs unbounded.

Compatibility checking of JSON Schema combinators and of large Avro records can cost time exponential in
the schema (issue 11, defect 2), and reads need no token. Every checker calls ``step()`` as it works; when
either limit is hit it raises ``BudgetExhausted`` and the caller answers "undecidable within budget" as a
refusal, never a pass. The clock is read every ``CLOCK_EVERY`` steps only, which keeps ``step()`` cheap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

CLOCK_EVERY = 64


class BudgetExhausted(Exception):
    """A check ran out of its budget; ``limit`` names which one ("time" or "steps")."""

    def __init__(self, limit: str, detail: str) -> None:
        super().__init__(detail)
        self.limit = limit
        self.detail = detail


@dataclass(slots=True)
class CheckBudget:
    """Limits for one check (every pair it compares); ``None`` leaves that limit off (tests, embedded use)."""

    seconds: float | None = 2.0
    max_steps: int | None = 200_000
    steps: int = 0
    _deadline: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.seconds is not None:
            self._deadline = time.monotonic() + self.seconds

    @classmethod
    def unlimited(cls) -> CheckBudget:
        return cls(seconds=None, max_steps=None)

    def step(self, count: int = 1) -> None:
        """Account for ``count`` units of work; raise ``BudgetExhausted`` once a limit is passed."""
        self.steps += count
        if self.max_steps is not None and self.steps > self.max_steps:
            raise BudgetExhausted("steps", f"the check needed more than {self.max_steps} steps")
        if self._deadline is not None and self.steps % CLOCK_EVERY < count and time.monotonic() > self._deadline:
            raise BudgetExhausted("time", f"the check ran longer than {self.seconds:g} s")

"""How long one phase of a bench took for how many operations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PhaseResult:
    operations: int
    seconds: float

    @property
    def per_second(self) -> float | None:
        return self.operations / self.seconds if self.seconds > 0 else None

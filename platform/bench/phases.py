"""How long one phase of a bench took for how many operations."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """Wall time, and this process's CPU time: on a busy machine the wall time swings with the load, while the
    CPU time per operation is what the client code itself costs."""

    operations: int
    seconds: float
    cpu_seconds: float = 0.0
    started_at: float = 0.0  # wall clock (epoch seconds) at the start: other processes' clocks are read against it

    @property
    def cpu_micros_per_operation(self) -> float | None:
        return self.cpu_seconds / self.operations * 1e6 if self.operations else None

    @property
    def per_second(self) -> float | None:
        return self.operations / self.seconds if self.seconds > 0 else None


class Stopwatch:
    """Wall and process CPU time from creation to ``result``."""

    def __init__(self) -> None:
        self._started_at = time.time()
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def result(self, operations: int) -> PhaseResult:
        wall, cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu
        return PhaseResult(operations, wall, cpu, self._started_at)

"""CPU time used by the hub during a bench: on a machine shared with other work the wall-clock rates swing with
the load, while CPU seconds per submission say what the hub itself costs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from singlewindow.platform.bench.procfs import process_cpu_seconds

CpuClock = Callable[[], float | None]  # cumulative CPU seconds of whatever a target counts, None if unknown

__all__ = ["CpuClock", "process_cpu_seconds", "processes_clock"]


def processes_clock(pids: Sequence[int]) -> CpuClock:
    def clock() -> float | None:
        readings = [process_cpu_seconds(pid) for pid in pids]
        return None if any(r is None for r in readings) else sum(r for r in readings if r is not None)

    return clock

"""CPU time used by the hub during a bench: on a machine shared with other work the wall-clock rates swing with
the load, while CPU seconds per submission say what the hub itself costs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

CpuClock = Callable[[], float | None]  # cumulative CPU seconds of whatever a target counts, None if unknown


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of another process from /proc (Linux); None where that is not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)


def processes_clock(pids: Sequence[int]) -> CpuClock:
    def clock() -> float | None:
        readings = [process_cpu_seconds(pid) for pid in pids]
        return None if any(r is None for r in readings) else sum(r for r in readings if r is not None)

    return clock

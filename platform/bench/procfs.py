"""Readings of other processes from Linux's /proc: CPU ticks, parent, resident memory, children.

The parsers take the file's text, so they are tested without any process; the readers return None where a
file cannot be read (the process is gone, or this is not Linux) instead of failing the bench.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
# Indexes into the fields after the command name (``/proc/<pid>/stat`` field 3, the state, is index 0).
_PPID, _UTIME, _STIME, _CUTIME, _CSTIME = 1, 11, 12, 13, 14


def _fields(stat_text: str) -> list[str]:
    """The fields after ``(comm)``; the name may hold spaces and parentheses, so split at the last ``)``."""
    head, separator, tail = stat_text.rpartition(")")
    if not separator or not head:
        raise ValueError(f"not a /proc/<pid>/stat line: {stat_text[:80]!r}")
    return tail.split()


def cpu_ticks(stat_text: str, *, with_children: bool = False) -> int:
    """User + system clock ticks of a process; ``with_children`` adds those of the children it has waited for
    (a postmaster's ``cutime``/``cstime`` hold the CPU of every backend that has exited)."""
    fields = _fields(stat_text)
    ticks = int(fields[_UTIME]) + int(fields[_STIME])
    return ticks + (int(fields[_CUTIME]) + int(fields[_CSTIME]) if with_children else 0)


def parent_pid(stat_text: str) -> int:
    return int(_fields(stat_text)[_PPID])


def resident_kib(status_text: str) -> int | None:
    """``VmRSS`` of ``/proc/<pid>/status`` in KiB; None for a kernel thread or a zombie (no such line)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def _read(pid: int, name: str) -> str | None:
    try:
        return (PROC / str(pid) / name).read_text(errors="replace")
    except OSError:
        return None


def ticks_per_second() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def process_cpu_seconds(pid: int, *, with_children: bool = False) -> float | None:
    text = _read(pid, "stat")
    return None if text is None else cpu_ticks(text, with_children=with_children) / ticks_per_second()


def resident_mb(pid: int) -> float | None:
    text = _read(pid, "status")
    kib = None if text is None else resident_kib(text)
    return None if kib is None else kib / 1024


def parent_of(pid: int) -> int | None:
    text = _read(pid, "stat")
    return None if text is None else parent_pid(text)


def children_of(pid: int) -> list[int]:
    """Living processes whose parent is ``pid`` (one scan of /proc)."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit() and parent_of(int(entry.name)) == pid:
            found.append(int(entry.name))
    return found


def tree_cpu_seconds(root: int) -> float | None:
    """CPU of ``root``, of its exited children (waited for) and of its living children.

    Sampled before and after a run, the difference counts every child's work during the run: one that exits
    in between moves from the living sum into the root's children totals with all of its time."""
    own = process_cpu_seconds(root, with_children=True)
    if own is None:
        return None
    living = (process_cpu_seconds(child, with_children=True) for child in children_of(root))
    return own + sum(seconds for seconds in living if seconds is not None)


def command_line(pid: int) -> list[str]:
    text = _read(pid, "cmdline")
    return [] if not text else text.rstrip("\0").split("\0")


def pids_named(executable: str) -> list[int]:
    """Processes whose program (the first word of the command line) ends with ``executable``."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            words = command_line(int(entry.name))
            if words and os.path.basename(words[0]) == executable:
                found.append(int(entry.name))
    return found

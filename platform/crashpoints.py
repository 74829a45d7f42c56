"""Crash points: where the fault harness makes a hub process die mid-batch (docs/reliability.md).

``NSW_CRASH_AT=<point>:<n>`` in a process's environment makes it SIGKILL itself the ``n``-th time it passes
``point`` (after writing one line naming the point to stderr, which the harness reads as proof that the
fault struck there). The points are the moments a batching bug would lose or double-apply work:

* ``batch-committed``: a consumer's batch is committed and nothing of it acknowledged yet (the broker
  redelivers the whole batch; its effects must not apply twice);
* ``outbox-published``: the relay's messages are confirmed by the broker and not yet marked published (the
  relay publishes them again; consumers must deduplicate).

Unset, as in production, passing a point costs one comparison. Only whoever starts the process can arm it.
"""

from __future__ import annotations

import os
import signal
import sys

POINTS = ("batch-committed", "outbox-published")


def _armed(value: str | None) -> tuple[str, int] | None:
    if not value:
        return None
    point, _, count = value.partition(":")
    if point not in POINTS or not count.isdecimal() or int(count) < 1:
        raise ValueError(f"NSW_CRASH_AT must be <point>:<n> with point one of {POINTS}, got {value!r}")
    return point, int(count)


_ARMED = _armed(os.environ.get("NSW_CRASH_AT"))
_passes = 0


def crash_point(point: str) -> None:
    """SIGKILL this process here if ``NSW_CRASH_AT`` names ``point`` and this is its n-th pass."""
    global _passes
    if _ARMED is None or _ARMED[0] != point:
        return
    _passes += 1
    if _passes >= _ARMED[1]:
        sys.stderr.write(f"crash point {point} reached (pass {_passes}): SIGKILL\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)

"""CPython's cyclic garbage collector set for long-running ``nsw`` processes.

With the interpreter's defaults (a young-generation collection every 700 net container allocations) a hub
under load collects thousands of times a minute, and each oldest-generation pass walks every object the
process holds: 10 % of the hub's CPU in ``nsw bench pipeline`` (2.5 s of 25 s, measured with
``gc.callbacks``). The hub's objects are short-lived (a delivery, its batch, its rows) and almost never form
cycles, so collecting rarely frees as much at a fraction of the cost; what start-up built (modules, parsed
schemas, compiled validators) is moved out of the collector's sight once the process is ready.
"""

from __future__ import annotations

import gc

# Net container allocations between young-generation collections (the default is 700); the older
# generations keep CPython's ratios: one middle pass per 20 young ones, one full pass per 10 middle ones.
YOUNG_THRESHOLD = 50_000
THRESHOLDS = (YOUNG_THRESHOLD, 20, 10)


def tune() -> None:
    """Collect rarely: call once at process start."""
    gc.set_threshold(*THRESHOLDS)


def freeze_startup() -> None:
    """Move everything alive now into the permanent generation, which no collection walks: call once the
    process has finished starting (every later object is collected as usual)."""
    gc.collect()
    gc.freeze()

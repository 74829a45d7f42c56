"""Helpers for testing against the hub without running anything: an embedded hub (in-memory broker, SQLite,
registry loaded from the shipped specs), simple auto-deciding agencies, and the adapter harness. Adapter
authors use the same (the pytest fixtures are in ``pytest_plugin``, loaded through the ``pytest11`` entry
point).

The names are imported on first use (PEP 562): pytest loads ``pytest_plugin`` in every run of every
project that has this package installed, and that must cost neither the hub's import time nor a failure
when some hub module is broken.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from singlewindow.platform.testing.adapter_harness import (
        AdapterHarness,
        adapter_harness,
        consignment_example,
    )
    from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, RevisionPolicy, accept_all
    from singlewindow.platform.testing.capture import CapturingTransport
    from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
    from singlewindow.platform.testing.routing_copy import short_retry_routing

_HOME = {
    "AdapterHarness": "adapter_harness",
    "adapter_harness": "adapter_harness",
    "consignment_example": "adapter_harness",
    "AutoDecider": "autodecide",
    "DecisionPolicy": "autodecide",
    "RevisionPolicy": "autodecide",
    "accept_all": "autodecide",
    "CapturingTransport": "capture",
    "EmbeddedHub": "embedded",
    "embedded_hub": "embedded",
    "short_retry_routing": "routing_copy",
}

__all__ = [
    "AdapterHarness",
    "AutoDecider",
    "CapturingTransport",
    "DecisionPolicy",
    "EmbeddedHub",
    "RevisionPolicy",
    "accept_all",
    "adapter_harness",
    "consignment_example",
    "embedded_hub",
    "short_retry_routing",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value

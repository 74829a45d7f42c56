"""Helpers for testing against the hub without running anything: an embedded hub (in-memory broker, SQLite,
registry loaded from the shipped specs), simple auto-deciding agencies, and the adapter harness. Adapter
authors use the same (the pytest fixtures are in ``pytest_plugin``, loaded through the ``pytest11`` entry
point). The harness lives in ``harness.py``: a module named like the ``adapter_harness`` function would
replace the function on this package whenever the module is imported first (seen in a fresh clone).
"""

from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, RevisionPolicy, accept_all
from singlewindow.platform.testing.capture import CapturingTransport
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness, consignment_example
from singlewindow.platform.testing.routing_copy import short_retry_routing

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

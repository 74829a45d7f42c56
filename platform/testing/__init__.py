"""Helpers for testing against the hub without running anything: an embedded hub (in-memory broker, SQLite,
registry loaded from the shipped specs), simple auto-deciding agencies, and the adapter harness. Adapter
authors use the same (the pytest fixtures are in ``pytest_plugin``, loaded through the ``pytest11`` entry
point).

Imported eagerly on purpose: the function ``adapter_harness`` shares its name with its module, and only an
eager ``from ... import`` here keeps the package attribute the function once the module is loaded.
"""

from singlewindow.platform.testing.adapter_harness import AdapterHarness, adapter_harness, consignment_example
from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, RevisionPolicy, accept_all
from singlewindow.platform.testing.capture import CapturingTransport
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
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

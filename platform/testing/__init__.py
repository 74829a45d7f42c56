"""Helpers for testing against the hub without running anything: an embedded hub (in-memory broker, SQLite,
registry loaded from the shipped specs) and simple auto-deciding agencies. Adapter authors use the same."""

from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, RevisionPolicy, accept_all
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub

__all__ = ["AutoDecider", "DecisionPolicy", "EmbeddedHub", "RevisionPolicy", "accept_all", "embedded_hub"]

"""What the agency-system stand-ins share: a fault script (down, slow, errors, malformed answers, duplicate
webhooks) applied as ASGI middleware, and a small SQLite store helper. The stand-ins are test doubles of
agency systems, run as separate processes by tests and the demo; adapters never import them."""

from singlewindow.adapters.standins.faults import FaultMode, FaultScript, ScriptedFaults
from singlewindow.adapters.standins.process import StandinProcess, running, terminate
from singlewindow.adapters.standins.serving import serve_forever

__all__ = ["FaultMode", "FaultScript", "ScriptedFaults", "StandinProcess", "running", "serve_forever", "terminate"]

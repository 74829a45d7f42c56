"""Border guard: the adapter that hands documents to the hub's officer queue and publishes officers' decisions."""

from singlewindow.adapters.border_guard.adapter import BorderGuardAdapter
from singlewindow.adapters.border_guard.config import BorderGuardConfig

__all__ = ["BorderGuardAdapter", "BorderGuardConfig"]

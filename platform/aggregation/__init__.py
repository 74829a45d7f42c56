"""Aggregation: per-recipient states folded into one consolidated status per submission version."""

from singlewindow.platform.aggregation.fold import consolidate
from singlewindow.platform.aggregation.statuses import (
    PHYSICAL_CHANNELS,
    TERMINAL,
    Consolidated,
    Decision,
    DecisionStatus,
    RecipientState,
    TransportState,
)

__all__ = [
    "PHYSICAL_CHANNELS",
    "TERMINAL",
    "Consolidated",
    "Decision",
    "DecisionStatus",
    "RecipientState",
    "TransportState",
    "consolidate",
]

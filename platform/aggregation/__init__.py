"""Aggregation: per-recipient states folded into one consolidated status per submission version."""

from singlewindow.platform.aggregation.fold import consolidate
from singlewindow.platform.aggregation.statuses import (
    TERMINAL,
    Consolidated,
    Decision,
    DecisionStatus,
    RecipientState,
    TransportState,
)

__all__ = [
    "TERMINAL",
    "Consolidated",
    "Decision",
    "DecisionStatus",
    "RecipientState",
    "TransportState",
    "consolidate",
]

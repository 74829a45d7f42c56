"""Agency adapters: the adapter SDK and one package per agency.

The SDK's public surface is exactly what this module exports (pinned by a test); adapter packages import
nothing else from the hub. See docs/adapter-guide.md for the authoring guide and a worked example.
"""

from singlewindow.adapters.sdk.base import Adapter, NoConfig
from singlewindow.adapters.sdk.context import AdapterContext
from singlewindow.adapters.sdk.decisions import (
    Channel,
    Condition,
    DecisionDraft,
    Officer,
    Query,
    Reason,
    Reference,
)
from singlewindow.adapters.sdk.documents import (
    Cancellation,
    Handover,
    InboundDocument,
    PendingHandover,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.sdk.errors import AgencyUnavailable, DocumentRefused, VersionWithdrawn
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.platform.aggregation import DecisionStatus
from singlewindow.platform.errors import NotFound

__all__ = [
    "Adapter",
    "AdapterContext",
    "AgencyUnavailable",
    "Cancellation",
    "Channel",
    "Condition",
    "DecisionDraft",
    "DecisionStatus",
    "DocumentRefused",
    "Handover",
    "InboundDocument",
    "NoConfig",
    "NotFound",
    "Officer",
    "PendingHandover",
    "Query",
    "QueryResponse",
    "Reason",
    "Reference",
    "Replacement",
    "RuntimeOptions",
    "VersionWithdrawn",
]

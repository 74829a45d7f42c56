"""What the runtime hands an adapter and what the adapter hands back.

``InboundDocument`` is one view document from the agency's inbox, already decoded from Avro into the JSON
shape of its spec (``message_specs/documents/<view>/schema.json``). ``Handover`` is the adapter's receipt:
the agency system's own reference for the document and, when the system answers at once, the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from singlewindow.adapters.sdk.decisions import DecisionDraft


@dataclass(frozen=True, slots=True)
class InboundDocument:
    """One document routed to this agency.

    ``message_id`` is unique per delivery attempt of the hub (an operator's replay is a new attempt), and
    ``handover_key`` (submission id, version, attempt) is the stable key to give the agency system if it
    deduplicates, for the rare crash between the system taking the document and the runtime recording it.
    """

    message_id: str
    agency: str
    view: str
    """The view (document type) name, e.g. ``view-veterinary``."""
    submission_id: str
    version: int
    ucr: str
    attempt: int
    body: Mapping[str, Any]
    """The decoded view document."""

    @property
    def handover_key(self) -> str:
        return f"{self.submission_id}.v{self.version}.{self.agency}.a{self.attempt}"


@dataclass(frozen=True, slots=True)
class Handover:
    """The agency system has the document durably.

    ``reference`` is the agency system's id for it (a CHED number, a file name, a row id); the runtime
    stores it and gives it back in ``AdapterContext.pending()``. ``decision`` is set when the system
    decided at once; otherwise decide later with ``AdapterContext.decide``.
    """

    reference: str
    decision: DecisionDraft | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reference, str) or not 0 < len(self.reference) <= 255:
            raise ValueError(f"a hand-over reference is 1 to 255 characters, got {self.reference!r}")


@dataclass(frozen=True, slots=True)
class QueryResponse:
    """The trader's answer to this agency's QUERY (the hub's ``query-response`` document)."""

    message_id: str
    agency: str
    submission_id: str
    version: int
    ucr: str
    query_sequence: int
    answer: str
    body: Mapping[str, Any] = field(default_factory=dict)
    """The whole decoded ``query-response`` document."""


@dataclass(frozen=True, slots=True)
class PendingHandover:
    """A document handed over to the agency system that has no decision yet (see ``AdapterContext.pending``)."""

    submission_id: str
    version: int
    ucr: str
    reference: str
    view: str
    message_id: str
    handed_over_at: datetime

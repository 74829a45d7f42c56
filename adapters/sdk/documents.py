"""What the runtime hands an adapter and what the adapter hands back.

``InboundDocument`` is one view document from the agency's inbox, already decoded from Avro into the JSON
shape of its spec (``message_specs/documents/<view>/schema.json``). ``Handover`` is the adapter's receipt:
the agency system's own reference for the document and, when the system answers at once, the decision.
``Cancellation``, ``Replacement`` and ``QueryResponse`` are the hub's lifecycle notices about a submission
the agency already had (cancelled or superseded, a new version, a trader's answer).
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
    query_id: str = ""
    """The hub's id of the query this answers; ``{submission_id}.v{version}.{agency}.q{query_sequence}``
    when the hub has none (the runtime always fills it)."""

    def __post_init__(self) -> None:
        if not self.query_id:
            fallback = f"{self.submission_id}.v{self.version}.{self.agency}.q{self.query_sequence}"
            object.__setattr__(self, "query_id", fallback)


@dataclass(frozen=True, slots=True)
class Cancellation:
    """The hub tells this agency to stop working on a version it was sent.

    ``kind`` is ``cancelled`` (the declarant cancelled), ``superseded`` (an amendment no longer routes the
    new version here; ``superseded_by`` is it) or ``decision-not-applied`` (a decision of this agency hit a
    cancelled or superseded version: kept in the hub's history, never applied; ``reason`` says why).
    ``reference`` is the agency system's reference from the runtime's stored hand-over of ``version``, or
    None when the runtime never handed that version over (drop it from the system's intake if it is there).
    """

    message_id: str
    agency: str
    submission_id: str
    version: int
    ucr: str
    reason: str
    kind: str
    superseded_by: int | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class Replacement:
    """What the hub says about a new version of a submission this agency already had.

    ``changes`` are JSON pointers into this agency's view whose values differ between the previous version
    it was sent and the new one (added, removed or changed), so a system can re-check only what moved.
    """

    previous_version: int
    previous_reference: str | None
    changes: tuple[str, ...]


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

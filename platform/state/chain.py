"""The hash chain of one submission's history: every event links to the one before it.

Each event's ``entry_hash`` is ``sha256(previous entry_hash || canonical(event))`` where canonical is the
RFC 8785 form of its content and its position (``chain_index``, 1 for the first). The first event links
to 32 zero bytes. The head (last hash, length) is kept on the submission row, which every writer locks
before appending, so two hub processes never fork a chain; one global chain would serialise every write.
Events written before the chain existed (migration 0009) carry no link: the chain starts after them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

from singlewindow.platform.state.canonical import canonical_json
from singlewindow.platform.state.common import aware

GENESIS = bytes(32)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where a submission's chain ends: the last event's hash (hex; None before any) and how many links."""

    hash: str | None = None
    length: int = 0


def instant(at: datetime) -> str:
    """The event time as hashed: UTC, microseconds (what both databases store), ``Z``."""
    return aware(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes hashed for one event (``event_row`` keys plus ``chain_index``).

    A value RFC 8785 cannot carry (an integer beyond 2**53, NaN) in an agency's document must not stop the
    batch: such an event is hashed in sorted compact JSON instead, tagged so the two forms never meet.
    """
    content = {
        "submission": event["submission_id"],
        "index": event["chain_index"],
        "version": event["version"],
        "kind": event["kind"],
        "actor": event["actor"],
        "recipient": event["recipient"],
        "status": event["status"],
        "detail": event["detail"],
        "at": instant(event["at"]),
    }
    try:
        return canonical_json(content)
    except (rfc8785.CanonicalizationError, TypeError):
        return b"json:" + json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def link(previous: str | None, event: Mapping[str, Any]) -> str:
    """The event's hash, hex, given the previous event's (None for the first)."""
    prior = bytes.fromhex(previous) if previous else GENESIS
    return hashlib.sha256(prior + canonical(event)).hexdigest()


def extend(head: ChainHead, event: dict[str, Any]) -> ChainHead:
    """Stamp ``event`` (an ``event_row``) with its position and hash after ``head``; the new head."""
    event["chain_index"] = head.length + 1
    event["entry_hash"] = link(head.hash, event)
    return ChainHead(event["entry_hash"], event["chain_index"])

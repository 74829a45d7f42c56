"""The one seam between the hub's state and the fees it charges (``singlewindow.platform.payments``).

The state layer knows nothing of schedules or money. It asks a ``FeeHooks`` (when the hub charges fees) for
a ``FeeSession`` per transaction, and the session answers the one question the fold needs: which recipients
of a version still have a fee due. It is also told, in the same transaction as the state change, when a
version is routed (price it), when an agency orders an inspection (add its inspection fee) and when a
submission is cancelled (void what is unpaid). Without hooks the hub behaves exactly as it did before fees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

VersionKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class RoutedVersion:
    """A version just routed: what pricing needs of it."""

    submission_id: str
    version: int
    document_type: str
    document: Mapping[str, Any]
    agencies: Sequence[str]


class FeeSession(Protocol):
    """Fee state of the versions one transaction touches; every call runs inside that transaction."""

    async def load(self, keys: Sequence[VersionKey]) -> dict[VersionKey, frozenset[str]]:
        """The recipients with a fee due, per version (versions without any are left out)."""
        ...

    async def routed(self, versions: Sequence[RoutedVersion]) -> dict[VersionKey, frozenset[str]]:
        """Price newly routed versions (idempotent); the recipients each now owes a fee for."""
        ...

    def inspection(self, submission_id: str, version: int, recipient: str, channel: str | None) -> bool:
        """An agency ordered an inspection of a loaded version: price its inspection fee (written by ``flush``,
        once per version and fee); True when that agency has a fee due because of it."""
        ...

    def rejected(self, submission_id: str, version: int) -> None:
        """A version was REJECTED: nothing is released, so its unpaid lines are void (written by ``flush``)."""
        ...

    async def cancelled(self, submission_id: str) -> None:
        """Void every line of the submission not yet paid (paid ones stay: a refundable credit)."""
        ...

    async def flush(self) -> None:
        """Write what ``inspection`` priced and what ``rejected`` voided."""
        ...


class FeeHooks(Protocol):
    def session(self, conn: AsyncConnection) -> FeeSession: ...

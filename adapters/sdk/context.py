"""``AdapterContext``: everything an adapter may use from the runtime, handed over in ``setup``."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from singlewindow.adapters.sdk.decisions import DecisionDraft
from singlewindow.adapters.sdk.documents import PendingHandover
from singlewindow.adapters.sdk.link import PartnerLink

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class DecisionBackend(Protocol):
    """What the runtime provides behind the context (its store and publisher)."""

    async def decide(self, submission_id: str, version: int, draft: DecisionDraft) -> int: ...

    async def pending(self) -> list[PendingHandover]: ...


class AdapterContext(Generic[ConfigT]):
    """The adapter's view of its runtime: its validated config, a bound logger, and late decisions.

    Built by the runtime (or ``AdapterHarness``) and passed to ``Adapter.setup``; authors never build one.

    Attributes:
        agency: the catalogue id this adapter serves (``customs``, ``veterinary``...).
        config: the adapter's own pydantic config model, validated from ``nsw adapter run --config``.
        log: a structlog logger bound with ``agency`` and ``adapter``.
        link: the cross-border link to the partner hub when the recipient is a PARTNER (the gateway), else
            None: agencies have no link.
    """

    def __init__(
        self,
        agency: str,
        adapter: str,
        config: ConfigT,
        log: Any,
        backend: DecisionBackend,
        link: PartnerLink | None = None,
    ) -> None:
        self.agency = agency
        self.adapter = adapter
        self.config = config
        self.log = log
        self._backend = backend
        self.link = link

    async def decide(self, submission_id: str, version: int, draft: DecisionDraft) -> int:
        """Publish a decision that arrived after the hand-over (a webhook, a polled row); returns its sequence.

        The decision is stored before it is published (with confirm), so it survives a crash and is
        re-published on restart. The same ``draft.key()`` for the same submission version again is a
        duplicate: nothing is published and the first decision's sequence is returned. Any new key gets
        the next ``decisionSequence`` (a revision). Raises ``NotFound`` if this adapter never handed that
        submission version over, ``VersionWithdrawn`` (a ``Conflict``; nothing published) if the hub
        withdrew it. A broker error propagates as a ``TransientError`` only after the decision
        is stored, so the runtime re-publishes it (on its next start at the latest).
        """
        return await self._backend.decide(submission_id, version, draft)

    async def pending(self) -> list[PendingHandover]:
        """Documents handed over that have no decision yet, oldest first: what a poller should ask about."""
        return await self._backend.pending()

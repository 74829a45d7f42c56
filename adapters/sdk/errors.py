"""The two errors an adapter author raises from ``deliver``, placed in the hub's one exception tree.

What the runtime does with each is the whole contract:

* ``AgencyUnavailable`` (a ``TransientError``): the agency system cannot take documents now. The document
  moves to the next retry wait tier (dead-lettered after the last one) and the failure counts toward the
  circuit breaker, which stops consuming while the system is down.
* ``DocumentRefused`` (an ``InvalidInput``): the agency system rejects *this* document as malformed;
  retrying cannot help. It is dead-lettered at once with the reason and the hub marks the recipient
  ``DELIVERY_FAILED`` (operators see it in ``nsw dlq`` and may replay it).

The runtime raises one error of its own at the author: ``VersionWithdrawn`` (a ``Conflict``) from
``context.decide`` on a version the hub withdrew (cancelled, superseded, replaced). Nothing is published;
the author drops the decision, and may tell the agency system the case is closed.

Any other exception is a bug in the adapter: it is logged and treated like ``AgencyUnavailable`` for that
one document (retry tiers), but it does not count toward the breaker.
"""

from __future__ import annotations

from singlewindow.platform.errors import Conflict, DependencyUnavailable, InvalidInput


class AgencyUnavailable(DependencyUnavailable):
    """The agency system is down, timing out or overloaded; try this document again later."""

    code = "agency_unavailable"


class DocumentRefused(InvalidInput):
    """The agency system refuses this document as malformed; ``reason`` is kept with the dead letter."""

    code = "document_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VersionWithdrawn(Conflict):
    """``decide`` on a submission version the hub withdrew: no decision is expected on it; drop it."""

    code = "version_withdrawn"

    def __init__(self, submission_id: str, version: int, reason: str) -> None:
        super().__init__(f"no decision on version {version} of {submission_id}: the hub withdrew it ({reason})")
        self.submission_id = submission_id
        self.version = version
        self.reason = reason

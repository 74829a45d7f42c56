"""``Adapter``: the base class an agency adapter subclasses. One method to write, the rest optional hooks.

The lifecycle follows nameko's extensions (``setup``/``start``/``stop`` with documented moments) and
dramatiq's middleware (every optional hook is a no-op, override only what you need). The runtime isolates
each adapter: whatever an adapter raises is logged with its name and never reaches another adapter or the
hub.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic

from pydantic import BaseModel, ConfigDict

from singlewindow.adapters.sdk.context import AdapterContext, ConfigT
from singlewindow.adapters.sdk.documents import (
    Cancellation,
    Handover,
    InboundDocument,
    QueryResponse,
    Replacement,
)


class NoConfig(BaseModel):
    """The config model of an adapter that needs none: any key is refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Adapter(Generic[ConfigT]):
    """Base class of every agency adapter.

    A subclass sets ``agency`` (its recipient id in the hub's catalogue) and ``config_model`` (a pydantic
    model of its settings), implements ``deliver``, and is registered in the ``singlewindow.adapters``
    entry-point group. The runtime creates one instance per run with no arguments.

    Lifecycle, in order, each called exactly once per run:

    1. ``setup(context)``: after the config was validated and the adapter's store migrated, before the
       runtime consumes anything. Keep the context, open clients, check the agency system's address.
       Raising here stops this adapter (logged); nothing was consumed.
    2. ``start()``: once the broker connection is up and late decisions can be published, right before the
       runtime starts consuming the inbox. Start background work here (a polling loop, a webhook server):
       ``context.decide`` works from now on.
    3. ``deliver(document)``, ``replaced(document, replacement)``, ``cancelled(notice)`` and
       ``answered(response)``: per inbox message, concurrently up to the prefetch. Any exception other
       than ``AgencyUnavailable``/``DocumentRefused`` goes through the retry tiers and then the
       agency's dead-letter queue with ``"<type>: <message>"`` as its reason.
    4. ``stop()``: on shutdown (SIGTERM, end of a test), after the consumer was cancelled and running
       deliveries finished, before the broker connection closes: ``context.decide`` still works, so
       finish or cancel background work here. Must not raise (it is logged if it does); it also runs when
       ``start`` failed, so it must cope with a half-started adapter.

    Example::

        class VetAdapter(Adapter[VetConfig]):
            agency = "veterinary"
            config_model = VetConfig

            async def deliver(self, document: InboundDocument) -> Handover:
                ched = await self.client.submit(document.body)   # raise AgencyUnavailable when down
                return Handover(reference=ched.number)
    """

    agency: ClassVar[str]
    """Recipient id in the hub's catalogue (``message_specs/routing/recipients.json``)."""
    config_model: ClassVar[type[BaseModel]] = NoConfig
    """Pydantic model the runtime validates the adapter's config file with."""

    _context: AdapterContext[ConfigT] | None = None

    @property
    def context(self) -> AdapterContext[ConfigT]:
        """The context given to ``setup``; available from ``setup`` on."""
        if self._context is None:
            raise RuntimeError(f"{type(self).__name__}.context is set only once the runtime calls setup")
        return self._context

    def bind(self, context: AdapterContext[ConfigT]) -> None:
        """Called by the runtime right before ``setup``; authors do not call it."""
        self._context = context

    async def setup(self, context: AdapterContext[ConfigT]) -> None:
        """Prepare: the context (also ``self.context``) holds the config, a logger and ``decide``."""

    async def start(self) -> None:
        """Begin background work; documents are consumed once this returns."""

    async def stop(self) -> None:
        """Finish background work; must not raise."""

    async def deliver(self, document: InboundDocument) -> Handover:
        """Hand ``document`` to the agency system and return once the system holds it durably.

        Return a ``Handover`` with the system's reference (and the decision when the system decided at
        once). Raise ``AgencyUnavailable`` when the system cannot take it now (retry tiers, circuit
        breaker) and ``DocumentRefused(reason)`` when the system rejects it as malformed (dead letter,
        the hub marks the recipient ``DELIVERY_FAILED``). The runtime never calls this twice for a
        document it recorded as handed over, even when the broker redelivers it.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement deliver()")

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        """A new version of a submission this agency already had (an amendment): hand it over.

        ``replacement`` names the previous version, its hand-over reference and the JSON pointers of this
        agency's view that changed. The default is the safe thing: ``return await self.deliver(document)``,
        so the system gets the new version as a document of its own. Errors as for ``deliver``.
        """
        return await self.deliver(document)

    async def cancelled(self, notice: Cancellation) -> None:
        """The hub tells the agency to stop working on ``notice.version`` (cancelled or superseded).

        The default logs it at info. Whatever this does, once it returns the runtime closes the pending
        hand-over of that version itself: ``pending()`` no longer lists it and ``context.decide`` on it is
        refused. ``kind == "decision-not-applied"`` is information only: a decision of this agency was kept
        in the hub's history but not applied (``reason`` says why).
        """
        self.context.log.info(
            "submission version withdrawn",
            submission_id=notice.submission_id,
            version=notice.version,
            kind=notice.kind,
            reason=notice.reason,
            reference=notice.reference,
        )

    async def answered(self, response: QueryResponse) -> None:
        """The trader answered this agency's QUERY: pass it on; decide later with ``context.decide``.

        The default logs at warning that this adapter passes no answers on (the officer never sees it).
        Raising ``AgencyUnavailable`` retries it like a document.
        """
        self.context.log.warning(
            "query answered but this adapter passes no answers on",
            submission_id=response.submission_id,
            version=response.version,
            query_id=response.query_id,
            sequence=response.query_sequence,
        )

    async def health(self) -> bool:
        """Is the agency system reachable? The circuit breaker probes this while open; default True."""
        return True


def describe(adapter_class: type[Adapter[Any]]) -> str:
    """First line of the class docstring: what ``nsw adapter list`` shows."""
    doc = (adapter_class.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else adapter_class.__name__

"""``AdapterHarness``: one adapter under test against the embedded hub, end to end.

The harness submits consignments as a trader, so the adapter receives exactly what the router would send
it (its view, Avro on the in-memory broker, under its own broker user); the other agencies are answered by
auto-deciders so consolidated statuses can complete. It records every delivery report and decision the
adapter published and reads statuses back from the hub.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from singlewindow.adapters import Adapter
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.catalogue import RecipientKind
from singlewindow.platform.hub.messages import AGENCY_DECISION, DELIVERY_REPORT
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, accept_all
from singlewindow.platform.testing.capture import CapturingTransport
from singlewindow.platform.testing.embedded import EMBEDDED_PASSWORD, EmbeddedHub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import MemoryBroker, MemoryTransport, OutgoingMessage

_references = itertools.count(1)


def consignment_example(stem: str) -> dict[str, Any]:
    """A shipped valid consignment example whose file name contains ``stem`` (``apples``, ``beef``...)."""
    for path in Catalog().get("consignment").valid_examples:
        if stem in path.name:
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return document
    raise LookupError(f"no consignment example named like {stem!r}")


@dataclass
class AdapterHarness:
    embedded: EmbeddedHub
    runtime: AdapterRuntime
    trader: Principal
    capture: CapturingTransport
    deciders: list[AutoDecider] = field(default_factory=list)

    @property
    def agency(self) -> str:
        return self.runtime.recipient.id

    async def submit(self, document: Mapping[str, Any] | str = "apples") -> str:
        """Submit a consignment (a document, or the stem of a shipped example) as a new submission.

        Each call gets a fresh trader reference, so the same example submitted twice is two submissions.
        """
        body = copy.deepcopy(dict(consignment_example(document) if isinstance(document, str) else document))
        body["traderReference"] = f"HARNESS-{next(_references)}-{body.get('traderReference', 'REF')}"[:64]
        view, _ = await self.embedded.hub.intake.submit(self.trader, "consignment", body)
        return view.submission_id

    async def amend(self, submission_id: str, document: Mapping[str, Any]) -> SubmissionView:
        return await self.embedded.hub.intake.amend(self.trader, submission_id, document)

    async def respond(self, submission_id: str, answer: str) -> SubmissionView:
        """The trader answers the adapter's agency's open QUERY (it reaches ``Adapter.answered``)."""
        return await self.embedded.hub.intake.respond_to_query(self.trader, submission_id, self.agency, answer)

    async def status(self, submission_id: str) -> SubmissionView:
        return await self.embedded.hub.intake.get(self.trader, submission_id)

    async def recipient_status(self, submission_id: str, agency: str | None = None) -> str:
        """The effective status of ``agency`` (default: the adapter's) on the latest version."""
        wanted = agency or self.agency
        view = await self.status(submission_id)
        return next(r.effective_status for r in view.recipients if r.recipient == wanted)

    async def wait_for(
        self, submission_id: str, check: Callable[[SubmissionView], bool], within: float = 30.0
    ) -> SubmissionView:
        """Poll the hub until ``check`` holds; AssertionError with the last view when it never does."""
        view = await self.status(submission_id)
        try:
            async with asyncio.timeout(within):
                while not check(view):
                    await asyncio.sleep(0.02)
                    view = await self.status(submission_id)
        except TimeoutError:
            raise AssertionError(f"condition not met within {within}s: {view.as_dict()}") from None
        return view

    async def until(self, condition: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
        """Poll ``condition`` until it is true; AssertionError after ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                while True:
                    if await condition():
                        return
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(f"condition not met within {within}s") from None

    async def wait_recipient(self, submission_id: str, status: str, within: float = 30.0) -> SubmissionView:
        """Wait until the adapter's own recipient has effective ``status`` (DELIVERED, ACCEPTED...)."""

        def reached(view: SubmissionView) -> bool:
            return any(r.recipient == self.agency and r.effective_status == status for r in view.recipients)

        return await self.wait_for(submission_id, reached, within)

    async def published(self, message_type: str, submission_id: str | None = None) -> list[dict[str, Any]]:
        """Documents of ``message_type`` the adapter published (decoded), oldest first."""
        found = []
        for message in self.capture.published:
            if message.type == message_type and submission_id in (None, message.correlation_id):
                found.append(await self.embedded.hub.codec.decode(message_type, message.body))
        return found

    async def decisions(self, submission_id: str | None = None) -> list[dict[str, Any]]:
        return await self.published(AGENCY_DECISION, submission_id)

    async def reports(self, submission_id: str | None = None) -> list[dict[str, Any]]:
        return await self.published(DELIVERY_REPORT, submission_id)

    def inbox_ready(self) -> int:
        """Messages waiting in the adapter's inbox (in-memory broker only)."""
        state = self._memory("inbox_ready").queue_state(self._vhost, names.inbox_queue(self.agency))
        return state.message_count

    # A PARTNER recipient's adapter (the cross-border gateway): its context.link is the runtime's
    # TransportLink on the embedded broker. No Shovel runs here: the test plays the partner hub.
    @property
    def partner(self) -> str:
        """The partner key of the adapter's recipient (``cn`` for ``partner-cn``); only for a PARTNER."""
        if self.runtime.recipient.kind is not RecipientKind.PARTNER:
            raise RuntimeError(f"{self.agency} is not a PARTNER recipient: it has no cross-border link")
        return names.partner_key(self.agency)

    def link_sent(self) -> list[OutgoingMessage]:
        """What the adapter sent the partner and the (absent) Shovel has not taken: crossborder.out.<p>."""
        queue = names.crossborder_out_queue(self.partner)
        return self._memory("link_sent").queue_messages(self._vhost, queue)

    async def from_partner(self, message_id: str, message_type: str, body: bytes) -> None:
        """Deliver a message as the partner's Shovel would: into crossborder.in.<p>, as the link user."""
        broker = self._memory("from_partner")
        link = MemoryTransport(broker, self._vhost, names.link_user(self.partner), EMBEDDED_PASSWORD)
        try:
            await link.publish(
                OutgoingMessage(
                    names.crossborder_in_exchange(self.partner),
                    "",  # fanout; the real Shovel keeps the sender's routing key (our key there)
                    body,
                    message_id=message_id,
                    type=message_type,
                    content_type="application/json",
                )
            )
        finally:
            await link.close()

    @property
    def _vhost(self) -> str:
        return self.embedded.broker_settings.vhost

    def _memory(self, what: str) -> MemoryBroker:
        broker = self.embedded.broker
        if broker is None:
            raise RuntimeError(f"{what} needs the in-memory broker")
        return broker


@asynccontextmanager
async def adapter_harness(
    embedded: EmbeddedHub,
    adapter: Adapter[Any],
    *,
    store_url: str,
    config: BaseModel | Mapping[str, Any] | None = None,
    agency: str | None = None,
    options: RuntimeOptions | None = None,
    others: DecisionPolicy | None = accept_all,
) -> AsyncIterator[AdapterHarness]:
    """Run ``adapter`` (for ``agency``, default its class's) on ``embedded``; stop and clean up afterwards.

    ``others`` decides for every other agency (None leaves them silent, so statuses stay UNDER_REVIEW).
    """
    recipient = embedded.catalogue.get(agency or type(adapter).agency)
    model = type(adapter).config_model
    validated = config if isinstance(config, BaseModel) else model.model_validate(dict(config or {}))
    async with AsyncExitStack() as stack:
        capture = CapturingTransport(await embedded.agency_transport(recipient.id))
        stack.push_async_callback(capture.close)
        store = await AdapterStore.open(store_url, recipient.id)
        stack.push_async_callback(store.close)
        deciders = []
        if others is not None:
            for other in embedded.catalogue.agencies():
                if other.id == recipient.id:
                    continue
                transport = await embedded.agency_transport(other.id)
                stack.push_async_callback(transport.close)
                decider = AutoDecider(other.id, other.broker_user, transport, embedded.hub.codec, others)
                await decider.start()
                stack.push_async_callback(decider.stop)
                deciders.append(decider)
        runtime = AdapterRuntime(
            type(adapter).__name__, adapter, recipient, validated, capture, embedded.hub.codec, store, options
        )
        trader = (await embedded.hub.principals.add(f"harness-trader-{next(_references)}", Role.TRADER)).principal
        await runtime.start()
        stack.push_async_callback(runtime.stop)
        yield AdapterHarness(embedded, runtime, trader, capture, deciders)

"""Following the demo's submissions as they go: who submits (a trader principal per declarant), a line per
business event as it arrives, the trader's own steps (answering a query, cancelling mid-way), and when a
submission is settled (its final status, every decision in, or every agency told of its cancellation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import select

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.demo.agencies import AgencySystems
from singlewindow.platform.demo.scenario import ANSWER, CANCEL, TRADER_ANSWER, DemoConsignment
from singlewindow.platform.errors import Conflict
from singlewindow.platform.hub.messages import CANCELLATION_NOTICE
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.payments.service import PaymentService
from singlewindow.platform.state import HubEvent
from singlewindow.platform.storage.tables import outbox
from singlewindow.platform.testing.embedded import EmbeddedHub

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Trader:
    principal: Principal
    token: str


async def trader_of(embedded: EmbeddedHub, traders: dict[str, Trader], consignment: DemoConsignment) -> Trader:
    """Each declarant submits its own consignment, as a trader principal named after its country and id."""
    declarant = consignment.document()["declarant"]
    name = f"{declarant['address']['country']}-{declarant['identificationNumber']}".lower()
    if name not in traders:
        issued = await embedded.hub.principals.add(name, Role.TRADER)
        traders[name] = Trader(issued.principal, issued.token)
    return traders[name]


async def told_of(embedded: EmbeddedHub, submission_id: str) -> list[str]:
    """Agencies the hub has told of the submission's cancellation: its notices, published from the outbox."""
    query = select(outbox.c.routing_key).where(
        outbox.c.type == CANCELLATION_NOTICE,
        outbox.c.correlation_id == submission_id,
        outbox.c.published_at.is_not(None),
    )
    async with embedded.hub.engine.connect() as conn:
        return sorted({str(key) for (key,) in await conn.execute(query)})


async def settled(embedded: EmbeddedHub, systems: AgencySystems, view: SubmissionView, told: list[str]) -> bool:
    """Final status recorded and no revision still to come; then every routed agency's decision is in the
    history, or, for a cancelled submission, every routed agency has been told."""
    if not view.terminal or systems.busy:
        return False
    if view.status is Consolidated.CANCELLED:
        return {r.recipient for r in view.recipients} <= set(told)
    decided = {e.recipient for e in await embedded.hub.events.of(view.submission_id) if e.kind == "DECISION"}
    return all(r.recipient in decided for r in view.recipients)


@dataclass
class Submitted:
    """One submitted consignment while the demo follows it."""

    index: int
    consignment: DemoConsignment
    trader: Trader
    submission_id: str
    seen: int = 0  # events already reported
    started: datetime | None = None
    answered: set[tuple[str, int]] = field(default_factory=set)  # (agency, query's decision sequence)
    cancelled: bool = False
    paid: bool = False


def progress_line(item: Submitted, count: int, event: HubEvent) -> str | None:
    """One line per business event as it arrives: a decision, a consolidated status, the trader's step."""
    item.started = item.started or event.at
    at = f"+{(event.at - item.started).total_seconds() * 1000:.0f} ms"
    who = f"[{item.index}/{count} {item.consignment.key}]"
    what = {
        "DECISION": f"{event.recipient} decided {event.status}",
        "STATUS_CHANGED": f"now {event.status}",
        "QUERY_ANSWERED": f"the trader answered {event.recipient}'s query",
        "CANCEL_REQUESTED": "the trader cancelled",
        "PAYMENT_RECEIVED": f"paid {event.detail.get('applied')} {event.detail.get('currency')} "
        f"({event.detail.get('provider')})",
    }.get(event.kind)
    return None if what is None else f"{at:>9}  {who:<16} {what}"


def _held_by_one(events: list[HubEvent]) -> bool:
    """HELD, and every agency routed has decided: only the one holding it is still at work (mid-way)."""
    routed = next((set(e.detail.get("recipients") or {}) for e in events if e.kind == "ROUTED"), set())
    decided = {e.recipient for e in events if e.kind == "DECISION"}
    held = any(e.kind == "STATUS_CHANGED" and e.status == Consolidated.HELD.value for e in events)
    return held and bool(routed) and routed <= decided


def _awaiting_payment(events: list[HubEvent]) -> bool:
    statuses = [e.status for e in events if e.kind == "STATUS_CHANGED"]
    return bool(statuses) and statuses[-1] == Consolidated.AWAITING_PAYMENT.value


async def act(embedded: EmbeddedHub, item: Submitted, events: list[HubEvent], payments: PaymentService) -> None:
    """The trader's part: answer an agency's query, or cancel mid-way (once an agency holds the consignment);
    and pay the invoice, once, when every agency has accepted and only the fees hold the release."""
    principal, sid = item.trader.principal, item.submission_id
    if not item.paid and _awaiting_payment(events):
        item.paid = True
        await payments.pay(principal, sid)
    try:
        if item.consignment.trader_action == ANSWER:
            for event in events:
                sequence = int((event.detail.get("decision") or {}).get("decisionSequence", 0))
                key = (event.recipient or "", sequence)
                if event.kind == "DECISION" and event.status == "QUERY" and key not in item.answered:
                    item.answered.add(key)
                    await embedded.hub.intake.respond_to_query(principal, sid, key[0], TRADER_ANSWER)
        elif item.consignment.trader_action == CANCEL and not item.cancelled and _held_by_one(events):
            item.cancelled = True
            await embedded.hub.intake.cancel(principal, sid, "the buyer withdrew the order")
    except Conflict as exc:  # too late (already decided): the timeline shows what became of it
        log.warning("demo trader: too late", submission_id=sid, error=exc.message)

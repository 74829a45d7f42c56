"""Forged and malformed AMQP messages on every queue the hub consumes, on the embedded (in-memory) broker
with exactly the topology and permissions ``nsw topology declare`` gives RabbitMQ, and (integration) on a
fresh vhost of the real RabbitMQ.

For each: the consumer survives, nothing is applied (no row of routing or decisions changes), what reaches
the hub is parked in ``nsw.hub.dlq`` (what the broker refuses never arrives), no traceback is logged, and
the hub still routes and applies a good message afterwards. The broker-user x exchange/queue permission
matrix itself is tests/integration/topology/test_permissions.py (helper A's)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import structlog
from nswhostile.documents import consignment
from nswhostile.rabbit import rabbit_vhost
from nswhostile.served import WRITE_TABLES, query_policy, table_counts

from singlewindow.platform.errors import NswError
from singlewindow.platform.hub.messages import (
    AGENCY_DECISION,
    HEADER_ATTEMPT,
    HEADER_RECIPIENT,
    HEADER_VERSION,
)
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.state.common import rfc3339_millis, utcnow
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage, Transport

HUGE = "h" * 100_000  # RabbitMQ refuses a header frame over frame_max (128 KiB) outright


@dataclass
class Bus:
    embedded: EmbeddedHub
    database: Path
    customs: Transport  # logged in as customs' own broker user
    trader: Principal

    @property
    def hub_transport(self) -> Transport:
        return self.embedded.hub.transport

    async def parked(self) -> int:
        return (await self.hub_transport.declare_passive(names.HUB_DLQ)).message_count

    async def wait_parked(self, at_least: int) -> int:
        for _ in range(500):
            count = await self.parked()
            if count >= at_least:
                return count
            await asyncio.sleep(0.02)
        return await self.parked()

    async def routed(self) -> tuple[str, int]:
        """A new consignment, routed; customs (no auto-decider here) has not decided it."""
        view, _ = await self.embedded.hub.intake.submit(self.trader, "consignment", consignment("apples"))
        for _ in range(500):
            if await self.embedded.hub.recipients.states(view.submission_id, 1):
                return view.submission_id, 1
            await asyncio.sleep(0.02)
        raise AssertionError("not routed")

    async def customs_decision(self, submission_id: str) -> Any:
        for state, _ in await self.embedded.hub.recipients.states(submission_id, 1):
            if state.recipient == "customs":
                return state.decision
        raise AssertionError("customs is not a recipient")

    def counts(self) -> dict[str, int]:
        return table_counts(self.database, WRITE_TABLES)

    async def settled(self) -> dict[str, int]:
        """Row counts once the other agencies' auto-decisions have all landed."""
        last, same = self.counts(), 0
        for _ in range(400):
            await asyncio.sleep(0.05)
            now = self.counts()
            same, last = (same + 1 if now == last else 0), now
            if same >= 5:
                break
        return last


@pytest.fixture(params=["memory", pytest.param("rabbitmq", marks=pytest.mark.integration)])
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bus]:
    """The embedded hub on the in-memory broker, or (integration) on a fresh RabbitMQ vhost."""
    async with contextlib.AsyncExitStack() as stack:
        settings, passwords = None, {}
        if request.param == "rabbitmq":
            request.getfixturevalue("rabbitmq_available")
            request.getfixturevalue("rabbitmq_management_available")
            vhost = await stack.enter_async_context(rabbit_vhost(tmp_path))
            settings, passwords = vhost.settings, vhost.passwords
        embedded = await stack.enter_async_context(embedded_hub(tmp_path / "hub.db", settings))
        yield await stack.enter_async_context(_bus(embedded, tmp_path, passwords))


@contextlib.asynccontextmanager
async def _bus(embedded: EmbeddedHub, tmp_path: Path, passwords: dict[str, str]) -> AsyncIterator[Bus]:
    def login(agency: str) -> str | None:
        return passwords.get(embedded.catalogue.get(agency).broker_user)

    deciders = []
    for agency in embedded.catalogue.agencies():
        if agency.id == "customs":
            continue
        transport = await embedded.agency_transport(agency.id, login(agency.id))
        decider = AutoDecider(agency.id, agency.broker_user, transport, embedded.hub.codec, query_policy)
        await decider.start()
        deciders.append(decider)
    customs = await embedded.agency_transport("customs", login("customs"))
    trader = (await embedded.hub.principals.add("trader", Role.TRADER)).principal
    try:
        yield Bus(embedded, tmp_path / "hub.db", customs, trader)
    finally:
        for decider in deciders:
            await decider.stop()
            await decider.transport.close()
        await customs.close()


def decision(submission_id: str, agency: str = "customs", status: str = "ACCEPTED") -> dict[str, Any]:
    now = rfc3339_millis(utcnow())
    return {
        "documentId": f"dec-{agency}-{secrets.token_hex(6)}",
        "ucr": "6KZ180540012345-APL2611001",
        "issuedAt": now,
        "references": [{"type": "SUBMISSION", "id": submission_id}],
        "submissionId": submission_id,
        "submissionVersion": 1,
        "agency": agency,
        "decisionSequence": 1,
        "status": status,
        "channel": "GREEN",
        "conditions": [],
        "reasons": [],
        "officer": {"id": "customs-1", "name": "Officer"},
        "decidedAt": now,
    }


def to_decisions(body: bytes, user_id: str | None, **override: Any) -> OutgoingMessage:
    fields: dict[str, Any] = {
        "exchange": names.DECISIONS_EXCHANGE,
        "routing_key": names.DECISION_KEY,
        "body": body,
        "message_id": f"forged-{secrets.token_hex(6)}",
        "correlation_id": "s_forged",
        "type": AGENCY_DECISION,
        "content_type": "application/vnd.nsw+avro",
        "user_id": user_id,
    }
    return OutgoingMessage(**(fields | override))


async def test_forged_decisions_are_parked_and_nothing_is_applied(bus: Bus) -> None:
    submission_id, _ = await bus.routed()
    codec = bus.embedded.hub.codec
    customs_user = bus.embedded.catalogue.get("customs").broker_user
    good = codec.encode(AGENCY_DECISION, decision(submission_id))
    forged = {
        "garbage body": to_decisions(b"\x00\xffnot avro", customs_user),
        "empty body": to_decisions(b"", customs_user),
        "wrong type": to_decisions(good, customs_user, type="clearance-status"),
        "no type": to_decisions(good, customs_user, type=None),
        "avro with trailing bytes": to_decisions(good + b"trailing", customs_user),
        "truncated avro": to_decisions(good[:-3], customs_user),
        "unknown schema id": to_decisions(b"\x00\x7f\xff\xff\xff" + good[5:], customs_user),
        "another agency's name": to_decisions(
            codec.encode(AGENCY_DECISION, decision(submission_id, agency="veterinary")), customs_user
        ),
        "forged headers": to_decisions(
            good + b"x",
            customs_user,
            headers={
                "x-death": [{"queue": "agency.customs.inbox", "reason": "rejected", "count": 1}],
                HEADER_RECIPIENT: "veterinary",
                HEADER_VERSION: "NaN",
                HEADER_ATTEMPT: 2**63 - 1,
            },
        ),
        "huge header": to_decisions(good + b"x", customs_user, headers={"x-pad": HUGE}),
        "no message id": to_decisions(good + b"x", customs_user, message_id=None, correlation_id=None),
    }
    before, before_parked = await bus.settled(), await bus.parked()
    with structlog.testing.capture_logs() as logs:
        for message in forged.values():
            await bus.customs.publish(message)
        parked = await bus.wait_parked(before_parked + len(forged))
        # Refused by the broker, never delivered: another user's user_id.
        with pytest.raises(NswError):
            await bus.customs.publish(to_decisions(good, bus.embedded.catalogue.get("veterinary").broker_user))
    assert parked - before_parked == len(forged), f"parked {parked - before_parked} of {len(forged)}"
    assert await bus.customs_decision(submission_id) is None, "a forged decision was applied"
    after = bus.counts()
    assert {t: (before[t], n) for t, n in after.items() if n != before[t] and t != "outbox"} == {}
    assert not [e for e in logs if e.get("log_level") in {"error", "critical"} and e.get("exc_info")]
    # The consumer survived: the good decision is applied.
    await bus.customs.publish(to_decisions(good, customs_user, correlation_id=submission_id))
    for _ in range(500):
        if await bus.customs_decision(submission_id) is not None:
            break
        await asyncio.sleep(0.02)
    assert await bus.customs_decision(submission_id) is not None, "a good decision after the forged ones was lost"


async def test_forged_intake_messages_are_parked_and_nothing_is_routed(bus: Bus) -> None:
    """Only the hub's user may write ``nsw.intake``; what it finds there that does not parse is parked."""
    codec = bus.embedded.hub.codec
    document = consignment("apples")
    good = codec.encode("consignment", document)

    def intake(body: bytes, **override: Any) -> OutgoingMessage:
        fields: dict[str, Any] = {
            "exchange": names.INTAKE_EXCHANGE,
            "routing_key": names.SUBMISSION_KEY,
            "body": body,
            "message_id": f"forged-{secrets.token_hex(6)}",
            "correlation_id": "s_forged",
            "type": "consignment",
            "content_type": codec.content_type,
            "headers": {HEADER_VERSION: 1},
        }
        return OutgoingMessage(**(fields | override))

    forged = {
        "garbage body": intake(b"\x00\xff\xfe"),
        "avro with trailing bytes": intake(good + b"\x00trailing"),
        "wrong type": intake(good, type="agency-decision"),
        "unknown type": intake(good, type="no-such-document"),
        "no version header": intake(good, headers={}),
        "version header not a number": intake(good, headers={HEADER_VERSION: "²"}),
        "int64 max version": intake(good, headers={HEADER_VERSION: 2**63 - 1}),  # the largest AMQP carries
        "huge header": intake(good + b"x", headers={HEADER_VERSION: 1, "x-pad": HUGE}),
        "no submission": intake(good + b"x", correlation_id=None),
    }
    before, before_parked = await bus.settled(), await bus.parked()
    with structlog.testing.capture_logs() as logs:
        for message in forged.values():
            await bus.hub_transport.publish(message)
        parked = await bus.wait_parked(before_parked + len(forged))
    assert parked - before_parked == len(forged), f"parked {parked - before_parked} of {len(forged)}"
    after = bus.counts()
    assert {t: (before[t], n) for t, n in after.items() if n != before[t] and t != "outbox"} == {}
    assert not [e for e in logs if e.get("log_level") in {"error", "critical"} and e.get("exc_info")]
    # An agency may not write the intake exchange at all.
    with pytest.raises(NswError):
        await bus.customs.publish(intake(good))
    submission_id, _ = await bus.routed()  # the router still works
    assert submission_id


async def test_no_agency_can_write_a_dead_letter(bus: Bus) -> None:
    """Only the broker dead-letters into ``nsw.deadletters``: an agency publishing to any dead-letter
    exchange (its own included) is refused, so no forged DELIVERY_FAILED can reach the aggregator."""
    submission_id, _ = await bus.routed()
    headers = {HEADER_VERSION: 1, HEADER_RECIPIENT: "veterinary", HEADER_ATTEMPT: 1}
    for exchange in (
        names.dead_letter_exchange("customs"),
        names.dead_letter_exchange("veterinary"),
        names.HUB_DEAD_LETTER_EXCHANGE,
    ):
        with pytest.raises(NswError):
            await bus.customs.publish(
                OutgoingMessage(
                    exchange=exchange,
                    routing_key="",
                    body=b"x",
                    message_id="m1",
                    correlation_id=submission_id,
                    headers=headers,
                )
            )
    for state, _ in await bus.embedded.hub.recipients.states(submission_id, 1):
        assert state.transport.value != "DELIVERY_FAILED", state

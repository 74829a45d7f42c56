"""Every broker user x every exchange (write) and queue (read) of the table on the real RabbitMQ: every
refusal refused, every allowance allowed, exactly as the table's permissions say. The vhost is declared and
the users made with the machinery of ``nsw topology declare`` and ``nsw topology users``; the in-memory
broker runs the same matrix in tests/unit/topology/test_access_matrix_memory.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from singlewindow.platform.catalogue import Catalogue, Recipient
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage

pytestmark = pytest.mark.integration

DEFAULT_EXCHANGE = ""


def _allowed(pattern: str, name: str) -> bool:
    """RabbitMQ matches permission regexes unanchored; the default exchange is ``amq.default``."""
    return re.search(pattern, "amq.default" if name == DEFAULT_EXCHANGE else name) is not None


async def _never(delivery: Delivery) -> None:
    raise AssertionError("the probe queues are empty")


def with_partners(catalogue: Catalogue, suffix: str) -> Catalogue:
    """Two partner hubs whose keys (hence link users, global on the node) are unique to the test."""
    partners = tuple(
        Recipient.model_validate(
            {
                "id": f"partner-{letter}{suffix}",
                "kind": "PARTNER",
                "name": f"Partner {letter}",
                "brokerUser": f"nsw-partner-{letter}{suffix}",
                "view": "view-customs",
                "decisionDeadline": "P1D",
                "retryTiers": ["PT1S"],
            }
        )
        for letter in ("p", "q")
    )
    kept = tuple(r for r in catalogue.recipients if r.kind.value == "AGENCY")
    return catalogue.model_copy(update={"recipients": kept + partners})


async def test_every_user_may_touch_exactly_what_the_table_grants(topology_vhost: Any) -> None:
    catalogue = with_partners(topology_vhost.catalogue(), topology_vhost.suffix)
    table = await topology_vhost.declare(catalogue, verify=False)
    await topology_vhost.make_users()
    exchanges = [e.name for e in table.exchanges] + [DEFAULT_EXCHANGE]
    queues = [q.name for q in table.queues]
    wrong: list[str] = []
    probes = 0
    for user in table.users:
        grant = table.permission(user.name)
        transport = await topology_vhost.open(user.name)
        for queue in queues:  # reads first, while every queue is empty
            expected, probes = _allowed(grant.read, queue), probes + 1
            try:
                subscription = await transport.consume(queue, _never, prefetch=1)
            except AccessDenied:
                if expected:
                    wrong.append(f"{user.name} refused read of {queue}")
            else:
                await subscription.cancel()
                if not expected:
                    wrong.append(f"{user.name} allowed read of {queue}")
        for exchange in exchanges:
            expected, probes = _allowed(grant.write, exchange), probes + 1
            probe = OutgoingMessage(exchange, "access-matrix-probe", b"{}", message_id="probe", mandatory=False)
            try:
                await transport.publish(probe)
            except AccessDenied:
                if expected:
                    wrong.append(f"{user.name} refused write to {exchange or 'amq.default'}")
            else:
                if not expected:
                    wrong.append(f"{user.name} allowed write to {exchange or 'amq.default'}")
    assert wrong == []
    assert probes == len(table.users) * (len(queues) + len(exchanges))
    # What the matrix held the broker to, in the terms of issue 11: no agency writes a dead-letter exchange.
    for agency in topology_vhost.catalogue().agencies():
        grant = table.permission(agency.broker_user)
        assert not any(_allowed(grant.write, e.name) for e in table.exchanges if e.name.startswith("nsw.dlx."))
    # Issue 13's principals were probed above too; what that means, stated plainly.
    p, q = (names.partner_key(r.id) for r in catalogue.recipients if r.kind.value == "PARTNER")
    link = table.permission(topology_vhost.link_user(p))
    assert [e for e in exchanges if _allowed(link.write, e)] == [names.crossborder_in_exchange(p)]
    assert not [x for x in queues if _allowed(link.read, x)]
    gateway = table.permission(f"nsw-partner-p{topology_vhost.suffix}")
    assert sorted(x for x in queues if _allowed(gateway.read, x)) == [
        names.inbox_queue(names.partner_recipient(p)),
        names.crossborder_in_queue(p),
    ]
    assert not any(_allowed(gateway.write, e) for e in exchanges if e.startswith("nsw.dlx.") or e == "nsw.agency")
    assert not any(_allowed(gateway.write, e) or _allowed(gateway.read, e) for e in exchanges + queues if q in e)

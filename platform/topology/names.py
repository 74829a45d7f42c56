"""Every broker name the hub uses, in one place: exchanges, queues, routing keys, policies and users.

Nothing else in the project spells a queue or exchange name; it asks this module. The names table in
``docs/topology.md`` is generated from the topology built with these functions.
"""

from __future__ import annotations

import re
from datetime import timedelta

from singlewindow.platform.errors import ConfigurationError

# Hub exchanges
INTAKE_EXCHANGE = "nsw.intake"
"""Direct: intake publishes each accepted submission event here (routing key ``SUBMISSION_KEY``)."""
AGENCY_EXCHANGE = "nsw.agency"
"""Direct: the router publishes one message per agency; routing key = the agency id."""
DECISIONS_EXCHANGE = "nsw.decisions"
"""Direct: agency adapters publish decisions here (routing key ``DECISION_KEY``)."""
STATUS_EXCHANGE = "nsw.status"
"""Topic: consolidated statuses (routing key ``status.<submission id>``); Watch binds server-named queues."""
HUB_DEAD_LETTER_EXCHANGE = "nsw.dlx.hub"
"""Fanout: where the hub's own queues (router, aggregator, deadletters) and the agency DLQs dead-letter."""

# Hub queues
ROUTER_QUEUE = "nsw.router"
AGGREGATOR_QUEUE = "nsw.aggregator"
DEADLETTERS_QUEUE = "nsw.deadletters"
"""Every agency's dead-lettered deliveries; the aggregator marks the recipient DELIVERY_FAILED."""
HUB_DLQ = "nsw.hub.dlq"
"""Terminal parking queue for what the hub itself could not process; operators inspect and replay it."""

# Routing keys
SUBMISSION_KEY = "submission"
DEAD_LETTER_KEY = "dead-letter"
"""Routing key on an agency's retry exchange leading straight back into its own inbox: the adapter runtime
sends a copy marked for dead-lettering there, then rejects it, so only the broker ever dead-letters into
the agency's dead-letter exchange (agency users may not write any dead-letter exchange)."""
DECISION_KEY = "decision"
STATUS_BINDING = "status.#"

# Users
HUB_USER = "nsw-hub"
SERVER_NAMED = r"amq\.gen-.*"
"""Regex (unanchored) of server-named queues (``Watch``), the only thing the hub may configure."""

# Policies
HUB_POLICY = "nsw.hub"
DLQ_POLICY = "nsw.dlq"
PARKING_POLICY = "nsw.parking"
CROSSBORDER_DLQ_POLICY = "nsw.crossborder.dlq"
"""The cross-border link DLQs: like the agency DLQs, but not replayed by ``nsw dlq`` (the gateway's)."""

_TIER_UNITS = ((86_400, "d"), (3_600, "h"), (60, "m"), (1, "s"))


def status_key(submission_id: str) -> str:
    return f"status.{submission_id}"


def agency_routing_key(agency: str) -> str:
    """Routing key of an agency's inbox on ``nsw.agency``."""
    return agency


def inbox_queue(agency: str) -> str:
    return f"agency.{agency}.inbox"


def retry_exchange(agency: str) -> str:
    """Direct exchange of one agency's retry tiers: only that agency's adapter may write it."""
    return f"nsw.retry.{agency}"


def dead_letter_exchange(agency: str) -> str:
    """Fanout exchange of one agency's dead letters: to its DLQ and to ``nsw.deadletters``."""
    return f"nsw.dlx.{agency}"


def tier_name(delay: timedelta) -> str:
    """Short, stable label of a delay tier (``5s``, ``30s``, ``5m``, ``1h30m``) used in names and keys."""
    seconds = int(delay.total_seconds())
    if seconds <= 0 or delay != timedelta(seconds=seconds):
        raise ValueError(f"a retry tier must be a positive whole number of seconds, got {delay}")
    label = ""
    for size, unit in _TIER_UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            label += f"{count}{unit}"
    return label


def wait_queue(agency: str, delay: timedelta) -> str:
    """TTL queue of one retry tier; it dead-letters back to the agency's inbox."""
    return f"agency.{agency}.wait.{tier_name(delay)}"


def wait_routing_key(delay: timedelta) -> str:
    """Routing key of a tier's wait queue on the agency's retry exchange."""
    return tier_name(delay)


def dlq(agency: str) -> str:
    return f"agency.{agency}.dlq"


def inbox_policy(agency: str) -> str:
    return f"nsw.inbox.{agency}"


def wait_policy(agency: str, delay: timedelta) -> str:
    return f"nsw.wait.{agency}.{tier_name(delay)}"


# Cross-border (issue 13): a partner hub is a PARTNER recipient ``partner-<key>``; ``<key>`` is its ISO
# alpha-2 country code in lower case (``cn``, ``kz``). Messages to a partner wait in ``crossborder.out.<key>``
# in the sender's vhost until the sender's Shovel moves them to ``crossborder.in.<sender key>`` in the
# receiver's vhost; there the receiver's gateway (the partner recipient's adapter) reads them.
PARTNER_PREFIX = "partner-"
"""The recipient id of a partner hub is this prefix and the partner key."""
LINK_USER_PREFIX = "nsw-link-"


def partner_key(recipient_id: str) -> str:
    """The partner key of a PARTNER recipient (``partner-cn`` -> ``cn``): what every cross-border name uses.

    A partner's recipient id must be ``partner-<key>``; anything else is a catalogue mistake, refused here
    so that no broker name is ever built from a guess.
    """
    key = recipient_id.removeprefix(PARTNER_PREFIX)
    if key == recipient_id or not key:
        raise ConfigurationError(f"a partner recipient id is {PARTNER_PREFIX}<key>, got {recipient_id!r}")
    return key


def partner_recipient(key: str) -> str:
    """The recipient id of the partner with ``key`` (``cn`` -> ``partner-cn``), the inverse of ``partner_key``."""
    return f"{PARTNER_PREFIX}{key}"


def crossborder_out_exchange(partner: str) -> str:
    """Direct exchange in the SENDER's vhost for messages to ``partner`` (routing key = the partner key).

    The sender's gateway publishes here (never with a user_id: the Shovel re-publishes as the link user)."""
    return f"crossborder.out.{partner}"


def crossborder_out_key(partner: str) -> str:
    """Routing key on ``crossborder_out_exchange(partner)`` leading to ``crossborder_out_queue(partner)``."""
    return partner


def crossborder_out_queue(partner: str) -> str:
    """Quorum queue the Shovel ``shovel_name(partner)`` drains towards the partner's vhost."""
    return f"crossborder.out.{partner}"


def crossborder_in_exchange(sender: str) -> str:
    """Fanout exchange in the RECEIVER's vhost that the sender's Shovel writes into, as ``link_user(sender)``.

    An exchange, not the default exchange: write permission on ``amq.default`` would let the link user
    publish into any queue of the vhost."""
    return f"crossborder.in.{sender}"


def crossborder_in_queue(sender: str) -> str:
    """Quorum queue the receiving gateway (the partner recipient's adapter) consumes."""
    return f"crossborder.in.{sender}"


def crossborder_dead_letter_exchange(partner: str) -> str:
    """Fanout exchange both cross-border queues of ``partner`` dead-letter to (poison or refused messages)."""
    return f"nsw.dlx.crossborder.{partner}"


def crossborder_dlq(partner: str) -> str:
    """Where cross-border messages of ``partner`` that could not be moved or processed wait for operators."""
    return f"crossborder.{partner}.dlq"


def crossborder_out_policy(partner: str) -> str:
    return f"nsw.crossborder.out.{partner}"


def crossborder_in_policy(sender: str) -> str:
    return f"nsw.crossborder.in.{sender}"


def link_user(sender: str) -> str:
    """The broker user ``sender``'s Shovel logs in as to write into the receiver's vhost.

    It may write exactly ``crossborder_in_exchange(sender)`` and nothing else (no configure, no read)."""
    return f"{LINK_USER_PREFIX}{sender}"


def shovel_name(partner: str) -> str:
    """Name of the dynamic shovel (a runtime parameter in the sender's vhost) that forwards to ``partner``."""
    return f"nsw-crossborder-{partner}"


_SPECIAL = re.compile(r"([\\.^$*+?()\[\]{}|])")


def escape(name: str) -> str:
    """Escape regex metacharacters only (``re.escape`` also escapes ``-``, which reads badly in docs)."""
    return _SPECIAL.sub(r"\\\1", name)


def exact(name: str) -> str:
    """A regex matching exactly one name, for policy patterns and permissions."""
    return f"^{escape(name)}$"


def any_of(names: list[str] | tuple[str, ...], *patterns: str) -> str:
    """A regex matching exactly the given names and raw ``patterns`` (``^$`` for none: 'nothing')."""
    alternatives = [escape(n) for n in names] + list(patterns)
    if not alternatives:
        return "^$"
    return "^(" + "|".join(alternatives) + ")$"

"""Every broker name the hub uses, in one place: exchanges, queues, routing keys, policies and users.

Nothing else in the project spells a queue or exchange name; it asks this module. The names table in
``docs/topology.md`` is generated from the topology built with these functions.
"""

from __future__ import annotations

import re
from datetime import timedelta

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

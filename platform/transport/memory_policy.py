"""Policies of the in-memory broker, applied the way RabbitMQ applies them.

At most one policy applies to a queue or exchange: of those whose ``pattern`` matches the name (an
unanchored regex search) and whose ``apply_to`` covers the kind, the highest ``priority`` wins (ties go to
the name that sorts first, so the outcome is deterministic). Where a queue argument (``x-...``) and the
policy both set a key, numeric limits take the smaller value and every other key takes the argument, as
RabbitMQ's quorum queues do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from singlewindow.platform.errors import ConfigurationError

ApplyTo = Literal["queues", "exchanges", "all"]

QUEUE_KEYS = frozenset(
    {
        "delivery-limit",
        "dead-letter-exchange",
        "dead-letter-routing-key",
        "dead-letter-strategy",
        "overflow",
        "max-length",
        "max-length-bytes",
        "message-ttl",
        "expires",
    }
)
EXCHANGE_KEYS = frozenset({"alternate-exchange"})
NUMERIC_KEYS = frozenset({"delivery-limit", "max-length", "max-length-bytes", "message-ttl", "expires"})
CHOICES: dict[str, frozenset[str]] = {
    "overflow": frozenset({"drop-head", "reject-publish", "reject-publish-dlx"}),
    "dead-letter-strategy": frozenset({"at-most-once", "at-least-once"}),
}


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    pattern: str
    definition: Mapping[str, Any]
    apply_to: ApplyTo = "queues"
    priority: int = 0

    def covers(self, kind: Literal["queue", "exchange"], name: str) -> bool:
        applies = self.apply_to == "all" or self.apply_to == f"{kind}s"
        return applies and re.search(self.pattern, name) is not None


def make_policy(name: str, pattern: str, definition: Mapping[str, Any], apply_to: str, priority: int) -> Policy:
    """Validate like the broker does: a bad regex, an unknown key or a bad value is refused."""
    if apply_to not in ("queues", "exchanges", "all"):
        raise ConfigurationError(f"policy {name!r}: apply-to must be queues, exchanges or all")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigurationError(f"policy {name!r}: pattern {pattern!r} is not a regex") from exc
    unknown = set(definition) - QUEUE_KEYS - EXCHANGE_KEYS
    if unknown:
        raise ConfigurationError(f"policy {name!r}: unrecognised keys {sorted(unknown)}")
    for key, value in definition.items():
        check_value(key, value, where=f"policy {name!r}")
    return Policy(name, pattern, dict(definition), apply_to, priority)  # type: ignore[arg-type]


def check_value(key: str, value: Any, *, where: str) -> None:
    if key in NUMERIC_KEYS and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ConfigurationError(f"{where}: {key} must be a non-negative integer, got {value!r}")
    if key in CHOICES and value not in CHOICES[key]:
        raise ConfigurationError(f"{where}: {key} must be one of {sorted(CHOICES[key])}, got {value!r}")
    if key not in NUMERIC_KEYS and key not in CHOICES and not isinstance(value, str):
        raise ConfigurationError(f"{where}: {key} must be a string, got {value!r}")


def pick_policy(policies: Iterable[Policy], kind: Literal["queue", "exchange"], name: str) -> Policy | None:
    """The one policy RabbitMQ would apply to ``name``, or None."""
    candidates = [policy for policy in policies if policy.covers(kind, name)]
    if not candidates:
        return None
    return min(candidates, key=lambda policy: (-policy.priority, policy.name))


def effective_settings(arguments: Mapping[str, Any], policy: Policy | None) -> dict[str, Any]:
    """Merge queue arguments (``x-`` keys) with the policy's definition into plain policy keys."""
    merged: dict[str, Any] = {}
    definition = policy.definition if policy else {}
    for key in QUEUE_KEYS:
        from_argument = arguments.get(f"x-{key}")
        from_policy = definition.get(key)
        if from_argument is not None and from_policy is not None and key in NUMERIC_KEYS:
            merged[key] = min(from_argument, from_policy)
        elif from_argument is not None:
            merged[key] = from_argument
        elif from_policy is not None:
            merged[key] = from_policy
    return merged

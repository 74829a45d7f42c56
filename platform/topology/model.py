"""The declarative topology table: plain frozen records a builder fills and appliers read.

Nothing here talks to a broker. The same ``Topology`` value is applied to RabbitMQ (management API), to the
in-memory broker, and rendered as the names table in the docs, so the three cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

JsonValue = str | int | bool


class ExchangeType(StrEnum):
    DIRECT = "direct"
    FANOUT = "fanout"
    TOPIC = "topic"


class QueueType(StrEnum):
    QUORUM = "quorum"
    CLASSIC = "classic"


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Exchange:
    name: str
    type: ExchangeType
    purpose: str
    durable: bool = True
    arguments: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue and the class it belongs to; its behaviour comes from the class's policy, not arguments."""

    name: str
    purpose: str
    policy: str | None
    type: QueueType = QueueType.QUORUM

    @property
    def arguments(self) -> Mapping[str, JsonValue]:
        """Declare-time arguments: only the type, which a policy cannot set."""
        return _frozen({"x-queue-type": self.type.value})


@dataclass(frozen=True, slots=True)
class Binding:
    exchange: str
    queue: str
    routing_key: str
    arguments: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Policy:
    """One policy per class of queue holding every key (RabbitMQ applies only one policy per queue)."""

    name: str
    pattern: str
    definition: Mapping[str, JsonValue]
    purpose: str
    apply_to: str = "queues"
    priority: int = 10


@dataclass(frozen=True, slots=True)
class User:
    name: str
    purpose: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Permission:
    """configure / write / read regexes of one user in the vhost (RabbitMQ's three permission kinds)."""

    user: str
    configure: str
    write: str
    read: str


@dataclass(frozen=True, slots=True)
class Topology:
    """The whole table, in declaration order (exchanges before the queues and bindings that use them)."""

    exchanges: tuple[Exchange, ...]
    queues: tuple[Queue, ...]
    bindings: tuple[Binding, ...]
    policies: tuple[Policy, ...]
    users: tuple[User, ...]
    permissions: tuple[Permission, ...]
    routing_keys: tuple[tuple[str, str, str], ...] = ()
    """(exchange, routing key, meaning) rows for the names table; bindings say where each key leads."""

    def queue(self, name: str) -> Queue:
        return next(q for q in self.queues if q.name == name)

    def policy(self, name: str) -> Policy:
        return next(p for p in self.policies if p.name == name)

    def exchange(self, name: str) -> Exchange:
        return next(e for e in self.exchanges if e.name == name)

    def permission(self, user: str) -> Permission:
        return next(p for p in self.permissions if p.user == user)

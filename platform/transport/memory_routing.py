"""Exchanges of the in-memory broker and RabbitMQ's routing rules for them.

direct: equal keys; fanout: every binding; topic: dot-separated words with ``*`` (one word) and ``#``
(zero or more words); headers: ``x-match`` ``all`` (default) or ``any`` over the binding's non-``x-``
arguments. An exchange's ``alternate-exchange`` (argument or policy) catches what it cannot route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from singlewindow.platform.errors import ConfigurationError

ExchangeType = Literal["direct", "topic", "fanout", "headers"]
EXCHANGE_TYPES: tuple[str, ...] = ("direct", "topic", "fanout", "headers")


@dataclass(frozen=True, slots=True)
class Binding:
    queue: str
    routing_key: str
    arguments: tuple[tuple[str, Any], ...] = ()


@dataclass(slots=True)
class Exchange:
    name: str
    type: ExchangeType
    durable: bool = True
    arguments: dict[str, Any] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)

    def add_binding(self, binding: Binding) -> None:
        if binding not in self.bindings:
            self.bindings.append(binding)

    def route(self, routing_key: str, headers: Mapping[str, Any]) -> list[str]:
        """The queues this exchange routes to, each once, in binding order."""
        matched: list[str] = []
        for binding in self.bindings:
            if binding.queue not in matched and _matches(self.type, binding, routing_key, headers):
                matched.append(binding.queue)
        return matched


def check_exchange_type(value: str) -> ExchangeType:
    if value not in EXCHANGE_TYPES:
        raise ConfigurationError(f"unknown exchange type {value!r}; expected one of {EXCHANGE_TYPES}")
    return value  # type: ignore[return-value]


def _matches(kind: ExchangeType, binding: Binding, routing_key: str, headers: Mapping[str, Any]) -> bool:
    if kind == "fanout":
        return True
    if kind == "direct":
        return binding.routing_key == routing_key
    if kind == "topic":
        return topic_matches(binding.routing_key, routing_key)
    return _headers_match(dict(binding.arguments), headers)


def topic_matches(pattern: str, routing_key: str) -> bool:
    return _topic_match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _topic_match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_topic_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or head == words[0]) and _topic_match(rest, words[1:])


def _headers_match(arguments: dict[str, Any], headers: Mapping[str, Any]) -> bool:
    mode = str(arguments.get("x-match", "all"))
    wanted = {key: value for key, value in arguments.items() if not key.startswith("x-")}
    if not wanted:
        return mode == "all"
    hits = [key in headers and (value is None or bool(headers[key] == value)) for key, value in wanted.items()]
    return any(hits) if mode == "any" else all(hits)

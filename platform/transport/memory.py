"""An in-process broker with RabbitMQ's model, shared by every ``MemoryTransport`` of a process.

The ADMIN methods mirror what ``nsw topology`` does through RabbitMQ's management HTTP API (vhosts,
exchanges, queues, bindings, policies, users, permissions) so one declarative topology table applies to
both. They are plain synchronous methods: nothing here does I/O. Declaring what exists with other
properties fails like RabbitMQ's PRECONDITION_FAILED (``ConfigurationError``). Message-level semantics live
in ``memory_queue`` (delivery, TTL, delivery limit) and ``memory_transport`` (the client side).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.errors import ConfigurationError, PayloadTooLarge, Problem, PublishRejected, Unroutable
from singlewindow.platform.transport.base import OutgoingMessage, QueueState
from singlewindow.platform.transport.memory_access import (
    Permission,
    User,
    authenticate,
    check_access,
    check_user_id,
)
from singlewindow.platform.transport.memory_deadletter import dead_lettered, is_cycle
from singlewindow.platform.transport.memory_policy import (
    Policy,
    check_value,
    effective_settings,
    make_policy,
    pick_policy,
)
from singlewindow.platform.transport.memory_queue import MemoryQueue, StoredMessage
from singlewindow.platform.transport.memory_routing import Binding, Exchange, check_exchange_type
from singlewindow.platform.transport.memory_shovel import DEFAULT_PREFETCH, MemoryShovel
from singlewindow.platform.transport.wire import FRAME_MAX, MAX_MESSAGE_SIZE, check_message, header_frame_size

log = logging.getLogger(__name__)

DEFAULT_EXCHANGES = {
    "": "direct",
    "amq.direct": "direct",
    "amq.fanout": "fanout",
    "amq.topic": "topic",
    "amq.headers": "headers",
    "amq.match": "headers",
}
QUEUE_TYPES = ("classic", "quorum")


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """What the management API's ``GET /api/queues/{vhost}/{name}`` reports that topology checks."""

    name: str
    type: str
    durable: bool
    arguments: Mapping[str, Any]
    policy: str | None
    effective_policy_definition: Mapping[str, Any]


@dataclass(slots=True)
class _VHost:
    exchanges: dict[str, Exchange] = field(default_factory=dict)
    queues: dict[str, MemoryQueue] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)


class MemoryBroker:
    """Vhost ``/`` and user ``guest``/``guest`` (administrator, all permissions on ``/``) exist at start,
    as on a fresh RabbitMQ. ``frame_max`` and ``max_message_size`` are RabbitMQ's defaults unless given."""

    def __init__(self, *, frame_max: int = FRAME_MAX, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        self.frame_max = frame_max
        self.max_message_size = max_message_size
        self._vhosts: dict[str, _VHost] = {}
        self._users: dict[str, User] = {}
        self._shovels: dict[str, MemoryShovel] = {}
        self.add_vhost("/")
        self.add_user("guest", "guest", tags=("administrator",))
        self.set_permissions("/", "guest", ".*", ".*", ".*")

    # ----- ADMIN: vhosts, users, permissions -----------------------------------------------------------
    def add_vhost(self, name: str) -> None:
        if not name:
            raise ConfigurationError("a vhost needs a name")
        if name not in self._vhosts:
            vhost = _VHost()
            for exchange, kind in DEFAULT_EXCHANGES.items():
                vhost.exchanges[exchange] = Exchange(exchange, check_exchange_type(kind))
            self._vhosts[name] = vhost

    def delete_vhost(self, name: str) -> None:
        for shovel in [s for s in self._shovels.values() if s.source.vhost == name]:
            self.stop_shovel(shovel.name)  # a shovel is a parameter of its vhost: it goes with it
        self._vhosts.pop(name, None)
        for user in self._users.values():
            user.permissions.pop(name, None)

    def vhosts(self) -> list[str]:
        return sorted(self._vhosts)

    def add_user(self, name: str, password: str, tags: Sequence[str] = ()) -> None:
        """Create or update (password, tags) a user; permissions are kept, as PUT /api/users does."""
        if not name:
            raise ConfigurationError("a user needs a name")
        existing = self._users.get(name)
        permissions = existing.permissions if existing else {}
        self._users[name] = User(name, password, frozenset(tags), permissions)

    def delete_user(self, name: str) -> None:
        self._users.pop(name, None)

    def users(self) -> list[str]:
        return sorted(self._users)

    def set_permissions(self, vhost: str, user: str, configure: str, write: str, read: str) -> None:
        self._vhost(vhost)
        self._user(user).permissions[vhost] = Permission(configure, write, read)

    def permissions(self, vhost: str, user: str) -> Permission | None:
        return self._user(user).permissions.get(vhost)

    # ----- ADMIN: exchanges, queues, bindings, policies ----------------------------------------------
    def declare_exchange(
        self,
        vhost: str,
        name: str,
        type: str,
        durable: bool = True,
        arguments: Mapping[str, Any] | None = None,
    ) -> None:
        kind = check_exchange_type(type)
        args = dict(arguments or {})
        exchanges = self._vhost(vhost).exchanges
        existing = exchanges.get(name)
        if existing is None:
            if name == "" or name.startswith("amq."):
                raise ConfigurationError(f"ACCESS_REFUSED - exchange name {name!r} is reserved")
            exchanges[name] = Exchange(name, kind, durable, args)
        elif (existing.type, existing.durable, existing.arguments) != (kind, durable, args):
            raise ConfigurationError(
                f"PRECONDITION_FAILED - inequivalent arguments for exchange {name!r} in vhost {vhost!r}: "
                f"declared {existing.type}/{existing.durable}/{existing.arguments}, "
                f"now {kind}/{durable}/{args}"
            )

    def declare_queue(
        self, vhost: str, name: str, arguments: Mapping[str, Any] | None = None, durable: bool = True
    ) -> None:
        self._declare_queue(vhost, name, dict(arguments or {}), durable=durable, owner=None)

    def bind(
        self,
        vhost: str,
        exchange: str,
        queue: str,
        routing_key: str,
        arguments: Mapping[str, Any] | None = None,
    ) -> None:
        if exchange == "":
            raise ConfigurationError("ACCESS_REFUSED - operation not permitted on the default exchange")
        self.queue(vhost, queue)
        binding = Binding(queue, routing_key, tuple(sorted((arguments or {}).items())))
        self.exchange(vhost, exchange).add_binding(binding)

    def set_policy(
        self,
        vhost: str,
        name: str,
        pattern: str,
        definition: Mapping[str, Any],
        apply_to: str = "queues",
        priority: int = 0,
    ) -> None:
        self._vhost(vhost).policies[name] = make_policy(name, pattern, definition, apply_to, priority)

    def clear_policy(self, vhost: str, name: str) -> None:
        self._vhost(vhost).policies.pop(name, None)

    def policies(self, vhost: str) -> list[Policy]:
        return sorted(self._vhost(vhost).policies.values(), key=lambda policy: policy.name)

    def effective_policy(self, vhost: str, queue: str) -> Policy | None:
        """The one policy applied to ``queue`` (highest priority wins), or None."""
        self.queue(vhost, queue)
        return pick_policy(self._vhost(vhost).policies.values(), "queue", queue)

    def queue_info(self, vhost: str, queue: str) -> QueueInfo:
        found = self.queue(vhost, queue)
        policy = self.effective_policy(vhost, queue)
        return QueueInfo(
            name=queue,
            type=found.queue_type,
            durable=found.durable,
            arguments=dict(found.arguments),
            policy=policy.name if policy else None,
            effective_policy_definition=dict(policy.definition) if policy else {},
        )

    def queue_state(self, vhost: str, queue: str) -> QueueState:
        found = self.queue(vhost, queue)
        return QueueState(message_count=found.message_count, consumer_count=found.consumer_count)

    def queue_messages(self, vhost: str, queue: str) -> list[OutgoingMessage]:
        """The ready messages of ``queue``, oldest first, without consuming them (for inspection)."""
        return [stored.message for stored in self.queue(vhost, queue).ready_messages()]

    def exchanges(self, vhost: str) -> list[str]:
        return sorted(self._vhost(vhost).exchanges)

    def queues(self, vhost: str) -> list[str]:
        return sorted(self._vhost(vhost).queues)

    def bindings(self, vhost: str, exchange: str) -> list[Binding]:
        return list(self.exchange(vhost, exchange).bindings)

    # ----- ADMIN: shovels (the cross-border link; RabbitMQ's dynamic shovel parameters) -----------------
    def start_shovel(
        self,
        name: str,
        src_vhost: str,
        src_queue: str,
        dest_vhost: str,
        dest_exchange: str,
        dest_user: str,
        *,
        reconnect_delay: float = 1.0,
        prefetch: int = DEFAULT_PREFETCH,
    ) -> MemoryShovel:
        """Move ``src_queue``'s messages to ``dest_exchange`` in ``dest_vhost`` as ``dest_user``, on confirm
        (see ``memory_shovel``). A shovel of the same name is replaced, as a PUT of its parameter does.
        Needs a running event loop."""
        source = self.queue(src_vhost, src_queue)
        self.stop_shovel(name)
        shovel = MemoryShovel(
            self,
            name,
            source,
            dest_vhost,
            dest_exchange,
            dest_user,
            reconnect_delay=reconnect_delay,
            prefetch=prefetch,
        )
        self._shovels[name] = shovel
        shovel.start()
        return shovel

    def stop_shovel(self, name: str) -> bool:
        """Delete the shovel (a cut link): what it held returns to its source queue. False if none."""
        shovel = self._shovels.pop(name, None)
        if shovel is None:
            return False
        shovel.stop()
        return True

    def shovel(self, name: str) -> MemoryShovel | None:
        return self._shovels.get(name)

    # ----- used by MemoryTransport --------------------------------------------------------------------
    def login(self, vhost: str, user: str, password: str | None) -> User:
        self._vhost(vhost)
        return authenticate(self._users, user, password, vhost)

    def exchange(self, vhost: str, name: str) -> Exchange:
        found = self._vhost(vhost).exchanges.get(name)
        if found is None:
            raise ConfigurationError(f"NOT_FOUND - no exchange {name!r} in vhost {vhost!r}")
        return found

    def queue(self, vhost: str, name: str) -> MemoryQueue:
        found = self._vhost(vhost).queues.get(name)
        if found is None:
            raise ConfigurationError(f"NOT_FOUND - no queue {name!r} in vhost {vhost!r}")
        return found

    def declare_private_queue(self, vhost: str, user: User, owner: object, exchange: str, key: str) -> str:
        name = f"amq.gen-{uuid.uuid4().hex[:22]}"
        check_access(user, vhost, "configure", "queue", name)
        check_access(user, vhost, "write", "queue", name)
        check_access(user, vhost, "read", "exchange", exchange)
        self.exchange(vhost, exchange)
        self._declare_queue(vhost, name, {}, durable=False, owner=owner)
        self.exchange(vhost, exchange).add_binding(Binding(name, key))
        return name

    def delete_queue(self, vhost: str, name: str) -> None:
        host = self._vhosts.get(vhost)
        if host is None or host.queues.pop(name, None) is None:
            return
        for exchange in host.exchanges.values():
            exchange.bindings = [binding for binding in exchange.bindings if binding.queue != name]

    def publish(self, vhost: str, user: User, message: OutgoingMessage) -> None:
        """Route with the publisher's rights checked; the confirm is this method returning.

        A message RabbitMQ could never take (header frame over ``frame_max``, body over ``max_message_size``,
        a malformed CC/BCC or expiration) is refused first, with the permanent error the RabbitMQ transport raises.
        """
        check_message(message, frame_max=self.frame_max, header_frame=header_frame_size(message))
        if len(message.body) > self.max_message_size:
            raise PayloadTooLarge(
                f"message {message.message_id!r}: body of {len(message.body)} bytes is over {self.max_message_size}",
                [Problem("/body", "maxBytes", f"at most {self.max_message_size} bytes")],
            )
        check_access(user, vhost, "write", "exchange", message.exchange)
        exchange = self.exchange(vhost, message.exchange)
        check_user_id(user, message.user_id)
        targets = self._route(vhost, exchange, message)
        if not targets:
            if message.mandatory:
                raise Unroutable(
                    f"NO_ROUTE - message {message.message_id!r} to exchange {message.exchange!r} "
                    f"with routing key {message.routing_key!r} matched no queue"
                )
            return
        refused = [queue.name for queue in targets if not queue.enqueue(message)]
        if refused:
            raise PublishRejected(f"message {message.message_id!r} refused by full queue(s) {refused}")

    # ----- internals ----------------------------------------------------------------------------------
    def _route(self, vhost: str, exchange: Exchange, message: OutgoingMessage) -> list[MemoryQueue]:
        queues = self._vhost(vhost).queues
        if exchange.name == "":
            found = queues.get(message.routing_key)
            return [found] if found else []
        names = exchange.route(message.routing_key, message.headers)
        if not names:
            alternate = self._alternate_exchange(vhost, exchange)
            if alternate is not None and alternate is not exchange:
                names = alternate.route(message.routing_key, message.headers)
        return [queues[name] for name in names if name in queues]

    def _alternate_exchange(self, vhost: str, exchange: Exchange) -> Exchange | None:
        name = exchange.arguments.get("alternate-exchange")
        if name is None:
            policy = pick_policy(self._vhost(vhost).policies.values(), "exchange", exchange.name)
            name = policy.definition.get("alternate-exchange") if policy else None
        return self._vhost(vhost).exchanges.get(name) if isinstance(name, str) else None

    def _declare_queue(
        self, vhost: str, name: str, arguments: dict[str, Any], *, durable: bool, owner: object | None
    ) -> None:
        host = self._vhost(vhost)
        if not name:
            raise ConfigurationError("queue names are required; server-named queues come from the transport")
        queue_type = arguments.get("x-queue-type", "classic")
        if queue_type not in QUEUE_TYPES:
            raise ConfigurationError(f"queue {name!r}: x-queue-type must be one of {QUEUE_TYPES}")
        if queue_type == "quorum" and not durable:
            raise ConfigurationError(f"PRECONDITION_FAILED - quorum queue {name!r} must be durable")
        for key, value in arguments.items():
            if key.startswith("x-") and key[2:] in (
                "delivery-limit",
                "overflow",
                "dead-letter-strategy",
                "max-length",
                "message-ttl",
                "dead-letter-exchange",
                "dead-letter-routing-key",
                "max-length-bytes",
                "expires",
            ):
                check_value(key[2:], value, where=f"queue {name!r}")
        existing = host.queues.get(name)
        if existing is not None:
            if (existing.arguments, existing.durable) != (arguments, durable):
                raise ConfigurationError(
                    f"PRECONDITION_FAILED - inequivalent arguments for queue {name!r} in vhost {vhost!r}: "
                    f"declared {existing.arguments} (durable={existing.durable}), now {arguments}"
                )
            return
        queue = MemoryQueue(
            vhost=vhost,
            name=name,
            arguments=arguments,
            durable=durable,
            exclusive_owner=owner,
            settings=lambda: self._settings(vhost, name),
            dead_letter=self._dead_letter,
        )
        host.queues[name] = queue

    def _settings(self, vhost: str, queue: str) -> dict[str, Any]:
        host = self._vhost(vhost)
        policy = pick_policy(host.policies.values(), "queue", queue)
        return effective_settings(host.queues[queue].arguments, policy)

    def _dead_letter(self, queue: MemoryQueue, stored: StoredMessage, reason: str) -> None:
        settings = queue.settings()
        dlx_name = settings.get("dead-letter-exchange")
        host = self._vhosts.get(queue.vhost)
        dlx = host.exchanges.get(dlx_name) if host and isinstance(dlx_name, str) else None
        if dlx is None:
            log.info(
                "message %s dropped from %s (%s): no dead-letter exchange",
                stored.message.message_id,
                queue.name,
                reason,
            )
            return
        routing_key = settings.get("dead-letter-routing-key") or stored.message.routing_key
        message = dead_lettered(
            stored.message, queue=queue.name, reason=reason, exchange=dlx.name, routing_key=routing_key
        )
        targets = [target for target in self._route(queue.vhost, dlx, message) if not is_cycle(message, target.name)]
        if not targets:
            log.warning(
                "dead-lettered message %s from %s routed nowhere via %r",
                stored.message.message_id,
                queue.name,
                dlx.name,
            )
        for target in targets:
            target.enqueue(message)

    def _vhost(self, name: str) -> _VHost:
        found = self._vhosts.get(name)
        if found is None:
            raise ConfigurationError(f"NOT_FOUND - no vhost {name!r}")
        return found

    def _user(self, name: str) -> User:
        found = self._users.get(name)
        if found is None:
            raise ConfigurationError(f"no user {name!r}")
        return found

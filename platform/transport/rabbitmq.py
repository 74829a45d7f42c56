"""The RabbitMQ transport on pika's asyncio adapter: the only project module that imports pika.

pika has no recovery of its own, so this module supplies it (messaging.md §4): a supervisor task
reconnects with backoff, reopens the confirm-mode publish channel and republishes every unconfirmed
message; each subscription's own keeper task then brings its consumer back to the state its owner wants
(active or paused). Settlements of deliveries from a dead channel are dropped (the
broker redelivers them) instead of being sent with a stale delivery tag. pika callbacks only move data
into futures and tasks; handlers run as tasks, at most ``prefetch`` per subscription. Running processes
never declare durable topology: queues are checked passively.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import pika
from pika import exceptions as pika_errors
from pika.adapters.asyncio_connection import AsyncioConnection
from pika.spec import Basic

from singlewindow.platform.errors import (
    AccessDenied,
    BrokerUnavailable,
    ConfigurationError,
    InvalidInput,
    NswError,
    PayloadTooLarge,
    Unauthenticated,
)
from singlewindow.platform.settings import BrokerSettings, BrokerTlsSettings
from singlewindow.platform.transport.backoff import Backoff
from singlewindow.platform.transport.base import (
    Delivery,
    Handler,
    OutgoingMessage,
    QueueState,
    Subscription,
    Transport,
)
from singlewindow.platform.transport.confirms import ConfirmTracker, PendingPublish
from singlewindow.platform.transport.tls_refusals import tls_refusal
from singlewindow.platform.transport.wire import FRAME_MAX, check_message, header_frame_size

log = logging.getLogger(__name__)

_EXCHANGE_IN_TEXT = re.compile(r"exchange '([^']*)' in vhost")
_MESSAGE_SIZE_IN_TEXT = re.compile(r"message size (\d+) is larger than")
_FRAME_TOO_LARGE_IN_TEXT = re.compile(r"frame_too_large,(\d+),")
_STATE_ERRORS = (pika_errors.AMQPChannelError, pika_errors.AMQPConnectionError)  # not sent: the link is gone


def translate(exc: BaseException) -> NswError:
    """Map a pika exception (or close reason) onto the project's tree."""
    if isinstance(exc, NswError):
        return exc
    if isinstance(exc, pika_errors.ProbableAuthenticationError | pika_errors.AuthenticationError):
        return Unauthenticated(f"broker refused the login: {exc!r}")
    if isinstance(exc, pika_errors.ProbableAccessDeniedError):
        return AccessDenied(f"broker refused access to the vhost: {exc!r}")
    if isinstance(exc, pika_errors.ChannelClosed | pika_errors.ConnectionClosedByBroker):
        code, text = exc.reply_code, exc.reply_text
        if code in (403, 530) or (code == 406 and "user_id" in text) or code == 405:
            return AccessDenied(text)
        if code in (404, 406) and isinstance(exc, pika_errors.ChannelClosed):
            return ConfigurationError(text)
        return BrokerUnavailable(f"broker closed the {_kind(exc)}: {code} {text}")
    return tls_refusal(repr(exc)) or BrokerUnavailable(f"broker connection problem: {exc!r}")


def _kind(exc: BaseException) -> str:
    return "channel" if isinstance(exc, pika_errors.ChannelClosed) else "connection"


class _Link:
    """One AMQP connection and the future its close reason lands in."""

    def __init__(self, connection: Any, closed: asyncio.Future[BaseException]) -> None:
        self.connection = connection
        self.closed = closed

    @property
    def is_open(self) -> bool:
        return bool(self.connection.is_open)


class _Chan:
    """A pika channel whose RPCs are awaitable and fail with the channel's close reason."""

    def __init__(self, channel: Any, closed: asyncio.Future[BaseException]) -> None:
        self.channel = channel
        self.closed = closed

    @property
    def is_open(self) -> bool:
        return bool(self.channel.is_open)

    async def call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        try:
            method(**kwargs, callback=_resolver(done))
        except pika_errors.AMQPError as exc:
            raise translate(exc) from exc
        await asyncio.wait({done, self.closed}, return_when=asyncio.FIRST_COMPLETED)
        if done.done():
            return done.result()
        reason = self.closed.result()
        raise translate(reason) from reason

    def close(self) -> None:
        if self.channel.is_open:
            with contextlib.suppress(pika_errors.AMQPError):
                self.channel.close()


def _resolver(future: asyncio.Future[Any]) -> Callable[[Any], None]:
    """A pika callback that resolves ``future`` once (later calls are ignored)."""

    def resolve(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    return resolve


def _to_pika(message: OutgoingMessage) -> Any:
    return pika.BasicProperties(
        content_type=message.content_type,
        headers=dict(message.headers) or None,
        delivery_mode=pika.DeliveryMode.Persistent if message.persistent else pika.DeliveryMode.Transient,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        expiration=None if message.expiration_ms is None else str(message.expiration_ms),
        timestamp=None if message.timestamp is None else int(message.timestamp.timestamp()),
        type=message.type,
        user_id=message.user_id,
    )


def _from_pika(method: Any, properties: Any, body: bytes) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=method.exchange,
        routing_key=method.routing_key,
        body=body,
        message_id=properties.message_id,
        correlation_id=properties.correlation_id,
        type=properties.type,
        content_type=properties.content_type,
        headers=dict(properties.headers or {}),
        user_id=properties.user_id,
        timestamp=None if properties.timestamp is None else datetime.fromtimestamp(properties.timestamp, UTC),
        mandatory=False,
        persistent=properties.delivery_mode == pika.DeliveryMode.Persistent.value,
        expiration_ms=None if properties.expiration is None else int(properties.expiration),
    )


class RabbitDelivery(Delivery):
    def __init__(self, subscription: RabbitSubscription, chan: _Chan, method: Any, message: OutgoingMessage):
        super().__init__(
            body=bytes(message.body),
            properties=message,
            redelivered=bool(method.redelivered),
            delivery_count=int(message.headers.get("x-delivery-count", 0) or 0),
            queue=subscription.queue,
        )
        self._subscription = subscription
        self._chan = chan
        self._tag = method.delivery_tag

    async def _settle(self, verb: str, *, requeue: bool) -> None:
        if self._subscription.current_channel is not self._chan or not self._chan.is_open:
            self._subscription.dropped_settlements += 1
            log.warning("%s of %s dropped: its channel is gone (the broker redelivers)", verb, self.message_id)
            return
        channel = self._chan.channel
        try:
            if verb == "ack":
                channel.basic_ack(delivery_tag=self._tag)
            elif verb == "nack":
                channel.basic_nack(delivery_tag=self._tag, requeue=requeue)
            else:
                channel.basic_reject(delivery_tag=self._tag, requeue=requeue)
        except pika_errors.AMQPError as exc:
            self._subscription.dropped_settlements += 1
            log.warning("%s of %s dropped: %r", verb, self.message_id, exc)


class Desired(enum.Enum):
    """What the owner of a subscription wants; the only input the reconciler acts on."""

    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class RabbitSubscription(Subscription):
    """A consumer on its own channel (its own prefetch), kept in its desired state by one reconciler.

    ``desired`` (active, paused, cancelled) is the single source of truth. One task, the keeper, is the only
    code that opens, consumes on, cancels or closes the consumer channel: it runs a reconcile pass whenever
    something may have changed (the transport has a new link, the channel closed, the broker cancelled the
    consumer, the owner paused or resumed) and retries with backoff until the broker matches ``desired``.
    ``pause``/``cancel`` run their pass themselves under the same lock, so when they return no consumer is
    left on the broker, whatever reconnect was under way (issue 12: a cancel racing the re-subscribe used
    to leave a live consumer behind, outside every bookkeeping).
    """

    def __init__(
        self,
        transport: RabbitMqTransport,
        queue: str,
        handler: Handler,
        prefetch: int,
        private_binding: tuple[str, str] | None = None,
    ) -> None:
        self.queue = queue
        self.desired = Desired.ACTIVE
        self.current_channel: _Chan | None = None
        self.redelivered = 0
        self.dropped_settlements = 0
        self.consumes = 0
        """basic.consume calls confirmed by the broker (1 + every re-subscribe and resume)."""
        self._transport = transport
        self._handler = handler
        self._prefetch = prefetch
        self._private_binding = private_binding
        self._tasks: set[asyncio.Task[None]] = set()
        self._consumer_tag: str | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None

    # ----- the owner's verbs ----------------------------------------------------------------------------
    async def pause(self) -> None:
        """Stop new deliveries; unsettled ones stay settleable on the open channel. Kept across reconnects."""
        if self.desired is Desired.ACTIVE:
            self.desired = Desired.PAUSED
        async with self._lock:
            with contextlib.suppress(NswError):  # a channel that broke on the way has no consumer either
                await self._reconcile()

    async def resume(self) -> None:
        """Consume again; the keeper re-subscribes now or as soon as the broker is back."""
        if self.desired is Desired.PAUSED:
            self.desired = Desired.ACTIVE
            self.wake()

    async def cancel(self) -> None:
        self.desired = Desired.CANCELLED
        async with self._lock:
            with contextlib.suppress(NswError):
                await self._reconcile()
        await self._finish(kill=False)

    @property
    def active(self) -> bool:
        return self.desired is Desired.ACTIVE

    # ----- reconciling ----------------------------------------------------------------------------------
    def wake(self) -> None:
        """Something may have changed: the keeper runs a reconcile pass."""
        self._wake.set()

    async def begin(self, link: _Link) -> None:
        """The first pass, in the caller's task, so ``consume`` raises what the broker refused; then keep."""
        async with self._lock:
            try:
                await self._reconcile(link)
            except BaseException:
                self._drop_channel()
                raise
        self._keeper = asyncio.get_running_loop().create_task(self._keep(), name=f"keep-{self.queue}")

    async def _keep(self) -> None:
        backoff = Backoff(first=0.05, cap=self._transport.reconnect_max_seconds)
        while self.desired is not Desired.CANCELLED and not self._transport.closing:
            await self._wake.wait()
            self._wake.clear()
            try:
                async with self._lock:
                    await self._reconcile()
            except Exception as exc:  # any failure is retried: a keeper that dies is a consumer lost
                if self._transport.link_is_open():
                    log.warning("re-subscribing to %s failed: %r; retrying", self.queue, exc)
                    await asyncio.sleep(backoff.next_delay())
                self.wake()  # with the link down, the next pass does nothing until the new link wakes it
                continue
            backoff.reset()

    async def _reconcile(self, link: _Link | None = None) -> None:
        """One pass: make the broker's consumer match ``desired`` on the transport's current link."""
        chan = self.current_channel
        if chan is not None and not chan.is_open:
            self._drop_channel()
            chan = None
        if self.desired is Desired.CANCELLED or (self.desired is Desired.PAUSED and self._private_binding):
            if chan is not None:  # a private queue is auto-delete: paused, it is given up and made anew
                await self._basic_cancel(chan)
                self._drop_channel()
            return
        if self.desired is Desired.PAUSED:
            if chan is not None:
                await self._basic_cancel(chan)
            return
        link = link or self._transport.link
        if link is None or not link.is_open:
            return  # the transport wakes every subscription when it has a link again
        if chan is None:
            chan = await self._open(link)
        if self._consumer_tag is None:
            frame = await chan.call(chan.channel.basic_consume, queue=self.queue, on_message_callback=self._on_message)
            if self.current_channel is chan and chan.is_open:
                self._consumer_tag = frame.method.consumer_tag
                self.consumes += 1

    async def _open(self, link: _Link) -> _Chan:
        chan = await self._transport.open_channel(link, on_close=self._on_channel_closed)
        self.current_channel = chan  # tracked at once: whatever happens next, it is closed with the rest
        await chan.call(chan.channel.basic_qos, prefetch_count=self._prefetch)
        if self._private_binding is not None:
            exchange, routing_key = self._private_binding
            frame = await chan.call(chan.channel.queue_declare, queue="", exclusive=True, auto_delete=True)
            self.queue = frame.method.queue
            await chan.call(chan.channel.queue_bind, queue=self.queue, exchange=exchange, routing_key=routing_key)
        chan.channel.add_on_cancel_callback(lambda _frame: self._on_broker_cancel(chan))
        return chan

    async def _basic_cancel(self, chan: _Chan) -> None:
        tag, self._consumer_tag = self._consumer_tag, None
        if tag is not None:
            await chan.call(chan.channel.basic_cancel, consumer_tag=tag)

    def _drop_channel(self) -> None:
        chan, self.current_channel, self._consumer_tag = self.current_channel, None, None
        if chan is not None:
            chan.close()

    # ----- pika callbacks -------------------------------------------------------------------------------
    def _on_channel_closed(self, chan: _Chan, reason: BaseException) -> None:
        if self.current_channel is not chan:
            return
        self.current_channel, self._consumer_tag = None, None
        if self.desired is Desired.ACTIVE and self._transport.link_is_open():
            log.warning("consumer channel of %s closed: %r", self.queue, reason)
        self.wake()

    def _on_broker_cancel(self, chan: _Chan) -> None:
        """The broker cancelled the consumer (queue deleted, leader moved): consume again."""
        if self.current_channel is chan:
            log.warning("the broker cancelled the consumer of %s", self.queue)
            self._consumer_tag = None
            self.wake()

    def _on_message(self, channel: Any, method: Any, properties: Any, body: bytes) -> None:
        chan = self.current_channel
        if chan is None or chan.channel is not channel:  # never happens with one channel per subscription;
            with contextlib.suppress(pika_errors.AMQPError):  # never leave a delivery held for nobody
                channel.basic_reject(delivery_tag=method.delivery_tag, requeue=True)
            return
        delivery = RabbitDelivery(self, chan, method, _from_pika(method, properties, body))
        if delivery.redelivered:
            self.redelivered += 1
        task = asyncio.get_running_loop().create_task(self._run(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, delivery: Delivery) -> None:
        try:
            await self._handler(delivery)
        except Exception:
            log.exception("handler failed on %s from %s", delivery.message_id, delivery.queue)
        if not delivery.settled:
            await delivery.nack(requeue=True)

    async def _finish(self, *, kill: bool) -> None:
        self.desired = Desired.CANCELLED
        keeper = self._keeper
        if keeper is not None and keeper is not asyncio.current_task():
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        others = [task for task in self._tasks if task is not asyncio.current_task()]
        if kill:
            for task in others:
                task.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)
        async with self._lock:
            self._drop_channel()
        self._transport.forget(self)


class RabbitMqTransport(Transport):
    """Build it with ``connect``; one connection, one publish channel, one channel per subscription.

    ``nodes`` are the connection parameters of every node of one cluster: a connection goes to the first that
    answers, starting with the one after the node whose connection was lost (a dead node is not retried
    first, and the others share the reconnecting clients).
    """

    def __init__(
        self,
        nodes: Sequence[Any],
        *,
        confirm_window: int,
        reconnect_max_seconds: float,
        publish_timeout: float,
        max_sends: int,
        user: str | None = None,
    ) -> None:
        if not nodes:
            raise ConfigurationError("the RabbitMQ transport needs at least one node's connection parameters")
        self.user: str = user or nodes[0].credentials.username
        """Who the broker knows this connection as: the login's name, or the certificate's CN (x509)."""
        self.reconnect_max_seconds = reconnect_max_seconds
        self.closing = False
        self.link: _Link | None = None
        self.reconnects = 0
        self.frame_max = FRAME_MAX
        """Negotiated with the broker at each connect; a content header frame must fit in one frame."""
        self._nodes = tuple(nodes)
        self._node = 0  # index into _nodes of the node tried first on the next connect
        self._publish_timeout = publish_timeout
        self._window = asyncio.Semaphore(confirm_window)
        self._tracker = ConfirmTracker(max_sends=max_sends)
        self._publish_chan: _Chan | None = None
        self._subscriptions: list[RabbitSubscription] = []
        self._connected = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._reopening: asyncio.Task[None] | None = None
        self._renewed: _Chan | None = None  # the publish channel closed at its first nack
        self._nack_backoff = Backoff(first=0.5, cap=reconnect_max_seconds)

    @property
    def stats(self) -> Any:
        """Publish counters (sent, confirmed, republished, returned, nacked, channel_resets)."""
        return self._tracker.stats

    # ----- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        link = await self._open_link()
        try:
            await self._setup(link)
        except BaseException:
            with contextlib.suppress(pika_errors.AMQPError):
                link.connection.close()
            raise
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise(link))

    @property
    def node(self) -> str:
        """``host:port`` of the node the transport is connected to (or tries first next)."""
        parameters = self._nodes[self._node]
        return f"{parameters.host}:{parameters.port}"

    async def _open_link(self) -> _Link:
        """A connection to the first node that answers, trying each once from ``_node`` on; the last error
        if none does."""
        failure: NswError | None = None
        for _ in self._nodes:
            try:
                return await self._open_link_to(self._nodes[self._node])
            except NswError as exc:
                failure = exc
                if len(self._nodes) > 1:
                    log.warning("broker node %s refused or unreachable: %s", self.node, exc)
                self._node = (self._node + 1) % len(self._nodes)
        assert failure is not None
        raise failure

    async def _open_link_to(self, parameters: Any) -> _Link:
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Any] = loop.create_future()
        closed: asyncio.Future[BaseException] = loop.create_future()

        def on_open(connection: Any) -> None:
            if not opened.done():
                opened.set_result(connection)

        def on_open_error(_connection: Any, exc: BaseException) -> None:
            if not opened.done():
                opened.set_exception(translate(exc))
            if not closed.done():
                closed.set_result(exc)

        def on_close(_connection: Any, exc: BaseException) -> None:
            self._connected.clear()
            if not opened.done():
                opened.set_exception(translate(exc))
            if not closed.done():
                closed.set_result(exc)

        try:
            AsyncioConnection(parameters, on_open, on_open_error, on_close, custom_ioloop=loop)
        except pika_errors.AMQPError as exc:
            raise translate(exc) from exc
        return _Link(await opened, closed)

    async def _setup(self, link: _Link) -> None:
        self.frame_max = int(link.connection.params.frame_max)
        await self._open_publish_channel(link)
        self.link = link
        self._connected.set()
        for subscription in list(self._subscriptions):
            subscription.wake()  # each keeper reconciles its consumer with what its owner wants

    def link_is_open(self) -> bool:
        link = self.link
        return link is not None and link.is_open

    async def _supervise(self, link: _Link) -> None:
        backoff = Backoff(cap=self.reconnect_max_seconds)
        while not self.closing:
            reason = await link.closed
            self._connected.clear()
            self._blame_connection(reason)
            self._publish_chan = None
            requeued = self._tracker.reset_channel()
            if self.closing:
                return
            # The count is what the fault harness reads to prove a fault struck publishes in flight.
            log.warning("broker connection lost (%r); reconnecting, %d unconfirmed to resend", reason, requeued)
            self._node = (self._node + 1) % len(self._nodes)
            while not self.closing:
                await asyncio.sleep(backoff.next_delay())
                try:
                    link = await self._open_link()
                except NswError as exc:
                    log.warning("reconnect failed: %s", exc)
                    continue
                try:
                    await self._setup(link)
                except NswError as exc:
                    log.warning("setup after reconnect failed: %s", exc)
                    with contextlib.suppress(pika_errors.AMQPError):
                        link.connection.close()
                self.reconnects += 1
                log.warning("reconnected to the broker at %s; publish counters %s", self.node, self._tracker.stats)
                backoff.reset()
                break

    async def close(self) -> None:
        if self.closing:
            return
        self.closing = True
        for subscription in list(self._subscriptions):
            await subscription._finish(kill=True)
        self._tracker.fail(lambda _m: True, BrokerUnavailable("the transport was closed"))
        link = self.link
        if link is not None and link.is_open:
            with contextlib.suppress(pika_errors.AMQPError):
                link.connection.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(link.closed), 10)
        for task in (self._supervisor, self._reopening):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def forget(self, subscription: RabbitSubscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    # ----- channels -------------------------------------------------------------------------------------
    async def open_channel(self, link: _Link, on_close: Callable[[_Chan, BaseException], None] | None = None) -> _Chan:
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Any] = loop.create_future()
        closed: asyncio.Future[BaseException] = loop.create_future()
        holder: list[_Chan] = []

        def on_channel_close(_channel: Any, exc: BaseException) -> None:
            if not opened.done():
                opened.set_exception(translate(exc))
            if not closed.done():
                closed.set_result(exc)
            if holder and on_close is not None:
                on_close(holder[0], exc)

        try:
            channel = link.connection.channel(on_open_callback=_resolver(opened))
            channel.add_on_close_callback(on_channel_close)
        except pika_errors.AMQPError as exc:
            raise translate(exc) from exc
        try:
            chan = _Chan(await asyncio.wait_for(opened, self._publish_timeout), closed)
        except TimeoutError as exc:
            raise BrokerUnavailable(f"no channel within {self._publish_timeout} s") from exc
        holder.append(chan)
        return chan

    async def _open_publish_channel(self, link: _Link) -> None:
        chan = await self.open_channel(link, on_close=self._on_publish_channel_closed)
        chan.channel.add_on_return_callback(self._on_return)
        await chan.call(chan.channel.confirm_delivery, ack_nack_callback=self._on_confirm)
        self._publish_chan = chan
        self._flush()

    def _on_publish_channel_closed(self, chan: _Chan, reason: BaseException) -> None:
        if self._publish_chan is not chan:
            return
        self._publish_chan = None
        if isinstance(reason, pika_errors.ChannelClosedByBroker):
            self._blame(reason)
        self._tracker.reset_channel()
        link = self.link
        if not self.closing and link is not None and link.is_open:
            # After a nack the next channel waits (0.5 s, doubling): a leader election must end before a new
            # channel can learn the new leader, and the nacked message's max_sends must outlast it.
            pause = self._nack_backoff.next_delay() if chan is self._renewed else 0.0
            self._reopening = asyncio.get_running_loop().create_task(self._reopen_publish_channel(link, pause))

    def _blame(self, reason: Any) -> None:
        """Fail the publishes that caused a channel error; the others are republished."""
        error = translate(reason)
        code, text = reason.reply_code, reason.reply_text
        exchange = _EXCHANGE_IN_TEXT.search(text)
        if code == 406 and "user_id" in text:
            self._tracker.fail(lambda m: m.user_id is not None and m.user_id != self.user, error)
        elif code in (403, 404) and exchange:
            name = "" if exchange.group(1) == "amq.default" else exchange.group(1)
            self._tracker.fail(lambda m: m.exchange == name, error)
        elif code == 406 and (size := _MESSAGE_SIZE_IN_TEXT.search(text)):
            body = int(size.group(1))
            self._tracker.fail(lambda m: len(m.body) == body, PayloadTooLarge(f"broker refused the message: {text}"))
        elif code == 406 and ("invalid message" in text or "invalid expiration" in text):
            self._tracker.fail(_unsendable, InvalidInput(f"broker refused the message: {text}"))
        else:
            self._tracker.fail(lambda _m: True, error)

    def _blame_connection(self, reason: BaseException) -> None:
        """A frame the broker could not take closes the connection (501): fail that message, never resend it.

        ``publish`` checks the header frame against ``frame_max`` first, so this is the last line only.
        """
        if not isinstance(reason, pika_errors.ConnectionClosedByBroker) or reason.reply_code != 501:
            return
        found = _FRAME_TOO_LARGE_IN_TEXT.search(reason.reply_text)
        if found:
            payload = int(found.group(1))
            error = PayloadTooLarge(f"broker refused the message: {reason.reply_code} {reason.reply_text}")
            self._tracker.fail(lambda m: _header_payload(m) == payload, error)

    async def _reopen_publish_channel(self, link: _Link, pause: float = 0.0) -> None:
        await asyncio.sleep(pause)
        backoff = Backoff(first=0.05, cap=self.reconnect_max_seconds)
        while not self.closing and link.is_open and self._publish_chan is None:
            try:
                await self._open_publish_channel(link)
            except NswError as exc:
                log.warning("reopening the publish channel failed: %s", exc)
                await asyncio.sleep(backoff.next_delay())

    # ----- publishing -----------------------------------------------------------------------------------
    async def publish(self, message: OutgoingMessage) -> None:
        self._check_open()
        # A message the broker can never take would close the connection (or channel) for everyone, and be
        # resent into the same refusal: it fails here, permanently, before a frame goes out.
        check_message(message, frame_max=self.frame_max, header_frame=header_frame_size(message))
        async with self._window:
            self._check_open()
            loop = asyncio.get_running_loop()
            pending = PendingPublish(message, loop.create_future())
            timer = loop.call_later(self._publish_timeout, self._expire, pending)
            self._tracker.add(pending)
            self._flush()
            try:
                await pending.future
            except asyncio.CancelledError:
                self._tracker.forget(pending)
                raise
            finally:
                timer.cancel()

    def _expire(self, pending: PendingPublish) -> None:
        """No confirm in time (broker blocked or unreachable): the outcome is unknown, the caller retries."""
        if not pending.future.done():
            pending.future.set_exception(
                BrokerUnavailable(
                    f"message {pending.message.message_id!r} not confirmed within {self._publish_timeout} s"
                )
            )

    def _flush(self) -> None:
        chan = self._publish_chan
        if chan is None:
            return
        for pending in self._tracker.take_unsent():
            tag = self._tracker.sent(pending)
            message = pending.message
            try:
                chan.channel.basic_publish(
                    message.exchange,
                    message.routing_key,
                    bytes(message.body),
                    properties=_to_pika(message),
                    mandatory=message.mandatory,
                )
            except _STATE_ERRORS:
                self._tracker.unsend(tag)
                return
            except Exception as exc:  # pika marshals every frame before writing one: nothing went out
                self._tracker.unsend(tag)
                if not pending.future.done():
                    pending.future.set_exception(
                        InvalidInput(f"message {message.message_id!r} cannot be encoded: {type(exc).__name__}")
                    )

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        ack = isinstance(method, Basic.Ack)
        self._tracker.on_confirm(method.delivery_tag, multiple=bool(method.multiple), ack=ack)
        if ack:
            self._nack_backoff.reset()
        else:
            self._renew_publish_channel()

    def _renew_publish_channel(self) -> None:
        """At a channel's first nack, close it: the nacked message (resent within its send budget, see
        ``ConfirmTracker``) and the unconfirmed ones go out again on a new channel.

        On RabbitMQ 3.10.8 a channel that first published to a quorum queue during that queue's leader election
        had every later publish to it nacked until the old leader's node came back (12 s in the cluster fault,
        docs/reliability.md), while channels opened a moment later published normally. A new channel learns the
        current leader. A queue that is really full (reject-publish) nacks on every channel, so each message
        is refused after ``max_sends`` channels at most.
        """
        chan = self._publish_chan
        if chan is None or chan is self._renewed:
            return
        self._renewed = chan
        log.warning("broker nacked a publish; publishing on a new channel")
        chan.close()

    def _on_return(self, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        self._tracker.on_return(
            exchange=method.exchange,
            routing_key=method.routing_key,
            message_id=properties.message_id,
            body=body,
            reply=f"{method.reply_code} {method.reply_text}",
        )

    # ----- consuming and declaring ----------------------------------------------------------------------
    async def consume(self, queue: str, handler: Handler, *, prefetch: int) -> Subscription:
        return await self._subscribe(RabbitSubscription(self, queue, handler, _check(prefetch)))

    async def consume_private(
        self, exchange: str, routing_key: str, handler: Handler, *, prefetch: int
    ) -> Subscription:
        subscription = RabbitSubscription(self, "", handler, _check(prefetch), (exchange, routing_key))
        return await self._subscribe(subscription)

    async def _subscribe(self, subscription: RabbitSubscription) -> Subscription:
        link = await self._ready_link()
        await subscription.begin(link)
        self._subscriptions.append(subscription)
        return subscription

    async def declare_passive(self, queue: str) -> QueueState:
        chan = await self.open_channel(await self._ready_link())
        try:
            frame = await chan.call(chan.channel.queue_declare, queue=queue, passive=True)
        finally:
            chan.close()
        return QueueState(message_count=frame.method.message_count, consumer_count=frame.method.consumer_count)

    async def _ready_link(self) -> _Link:
        self._check_open()
        try:
            await asyncio.wait_for(self._connected.wait(), self._publish_timeout)
        except TimeoutError as exc:
            raise BrokerUnavailable(f"no broker connection within {self._publish_timeout} s") from exc
        assert self.link is not None
        return self.link

    def _check_open(self) -> None:
        if self.closing:
            raise BrokerUnavailable("the transport is closed")


def _unsendable(message: OutgoingMessage) -> bool:
    try:
        check_message(message, frame_max=2**32, header_frame=0)
    except InvalidInput:
        return True
    return False


def _header_payload(message: OutgoingMessage) -> int | None:
    """The size RabbitMQ reports in ``frame_too_large``: the frame without its 8 octets of framing."""
    try:
        return header_frame_size(message) - 8
    except InvalidInput:
        return None


def _check(prefetch: int) -> int:
    if prefetch < 1:
        raise InvalidInput(f"prefetch must be at least 1, got {prefetch}")
    return prefetch


def _secure(parameters: Any, tls: BrokerTlsSettings, username: str | None) -> str:
    """TLS for an amqps:// URL with our own context (TLS 1.2+, the broker checked against ``tls.ca_file``
    and the host name dialled), and the x509 login; returns the broker user this connection becomes."""
    if parameters.ssl_options is not None:
        parameters.ssl_options = pika.SSLOptions(tls.context(), server_hostname=parameters.host)
    common_name = tls.certificate_user
    if common_name is None:
        return str(parameters.credentials.username)
    if username is not None and username != common_name:
        raise ConfigurationError(
            f"this process logs in as broker user {username!r}, but broker.tls.cert_file is {common_name!r}'s "
            f"certificate (x509 login takes the user from the CN): give it a certificate with CN={username}"
        )
    parameters.credentials = pika.credentials.ExternalCredentials()
    return common_name


async def connect(
    settings: BrokerSettings,
    *,
    vhost: str | None = None,
    username: str | None = None,
    password: str | None = None,
    connection_name: str = "nsw",
    publish_timeout: float = 60.0,
    max_sends: int = 5,
) -> RabbitMqTransport:
    """Connect to ``settings.url`` (or, if it does not answer, to the next of ``settings.urls``);
    ``vhost``/``username`` override the URLs (least-privilege users).

    The vhost is the argument, else each URL's path, else ``settings.vhost``. With an x509 login
    (``settings.tls.login_by_certificate``) the certificate names the user: ``username`` must be its CN.
    """
    if not settings.url:
        raise ConfigurationError("broker.url is not set; use the in-memory transport instead")
    nodes = []
    user = ""
    for url in settings.node_urls:
        parameters = pika.URLParameters(url)
        path = unquote(urlsplit(url).path.lstrip("/"))
        parameters.virtual_host = vhost or path or settings.vhost
        if username is not None:
            parameters.credentials = pika.PlainCredentials(username, password or "")
        user = _secure(parameters, settings.tls, username)
        parameters.heartbeat = settings.heartbeat_seconds
        parameters.connection_attempts = 1
        parameters.blocked_connection_timeout = publish_timeout
        parameters.client_properties = {"connection_name": connection_name}
        nodes.append(parameters)
    transport = RabbitMqTransport(
        nodes,
        confirm_window=settings.confirm_window,
        reconnect_max_seconds=settings.reconnect_max_seconds,
        publish_timeout=publish_timeout,
        max_sends=max_sends,
        user=user,
    )
    await transport.start()
    return transport

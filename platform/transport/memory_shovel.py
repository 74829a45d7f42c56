"""A dynamic Shovel on the in-memory broker: the cross-border link with nothing running.

It behaves like a RabbitMQ 3.10 dynamic shovel with ``ack-mode`` ``on-confirm``, ``src-delete-after``
``never`` and ``dest-add-forward-headers`` false, moving messages from one vhost's queue to another vhost's
exchange:

* it consumes the source queue (up to ``prefetch`` unacked) and re-publishes each message, unchanged
  (message id, type, headers, body, user_id, the routing key it was published with), to the destination
  exchange as ``dest_user``, not mandatory (an unroutable message is confirmed and gone, as on RabbitMQ);
* the source message is acked only once the destination took it. A refusal (no write access, a ``user_id``
  that is not ``dest_user``, a full queue with ``reject-publish``, a missing exchange or vhost, an unknown
  user) leaves it unacked for ``reconnect_delay`` seconds, then returns it to the source queue, where it
  counts toward the queue's delivery limit, as the real shovel's reconnect or nack does;
* ``stop`` (deleting the shovel, or a cut link) returns whatever it holds to the source queue; starting it
  again resumes from there. Nothing is lost; a message may be moved twice only if it was both accepted and
  returned, which this stand-in never does (RabbitMQ may, after a lost confirm: receivers dedupe).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from singlewindow.platform.errors import NswError
from singlewindow.platform.transport.memory_queue import Consumer, MemoryQueue, StoredMessage

if TYPE_CHECKING:
    from singlewindow.platform.transport.memory import MemoryBroker

log = logging.getLogger(__name__)

DEFAULT_PREFETCH = 1000
"""RabbitMQ's default ``src-prefetch-count``."""


class ShovelState(StrEnum):
    """The states ``GET /api/shovels/{vhost}`` reports."""

    STARTING = "starting"
    RUNNING = "running"
    TERMINATED = "terminated"


class MemoryShovel:
    """One shovel; built and owned by ``MemoryBroker.start_shovel``."""

    def __init__(
        self,
        broker: MemoryBroker,
        name: str,
        source: MemoryQueue,
        dest_vhost: str,
        dest_exchange: str,
        dest_user: str,
        *,
        reconnect_delay: float,
        prefetch: int,
    ) -> None:
        self.name = name
        self.source = source
        self.dest_vhost = dest_vhost
        self.dest_exchange = dest_exchange
        self.dest_user = dest_user
        self.state = ShovelState.STARTING
        self.last_error: str | None = None
        self.moved = 0
        """Messages the destination accepted (and the source forgot)."""
        self.refused = 0
        """Refusals by the destination; each returned a message to the source after ``reconnect_delay``."""
        self.last_refusal: str | None = None
        """Why the destination last refused a message (kept after later messages pass)."""
        self._broker = broker
        self._delay = reconnect_delay
        self._tasks: set[asyncio.Task[None]] = set()
        self._reconnect: asyncio.TimerHandle | None = None
        self._consumer = Consumer(f"shovel-{name}", self, prefetch, self._deliver)

    def start(self) -> None:
        """Connect to the destination (log in as ``dest_user``), then consume the source. A destination
        that cannot be reached (no such vhost or user, no access to the vhost) is retried every
        ``reconnect_delay`` seconds without touching the source, as RabbitMQ's shovel does."""
        self._reconnect = None
        if self.state is ShovelState.TERMINATED:
            return
        try:
            self._broker.login(self.dest_vhost, self.dest_user, None)
        except NswError as exc:
            self.state, self.last_error = ShovelState.STARTING, str(exc)
            self._reconnect = asyncio.get_running_loop().call_later(self._delay, self.start)
            return
        self.state, self.last_error = ShovelState.RUNNING, None
        self.source.add_consumer(self._consumer)

    def stop(self) -> None:
        """Detach from the source; everything not yet accepted by the destination goes back to it."""
        self.state = ShovelState.TERMINATED
        if self._reconnect is not None:
            self._reconnect.cancel()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self.source.remove_consumer(self._consumer, requeue_unacked=True)

    def _deliver(self, stored: StoredMessage, tag: int) -> None:
        task = asyncio.get_running_loop().create_task(self._move(stored, tag), name=f"shovel-{self.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _move(self, stored: StoredMessage, tag: int) -> None:
        message = replace(stored.message, exchange=self.dest_exchange, mandatory=False)
        try:
            user = self._broker.login(self.dest_vhost, self.dest_user, None)
            self._broker.publish(self.dest_vhost, user, message)
        except NswError as exc:
            self.refused += 1
            self.state, self.last_error = ShovelState.STARTING, str(exc)
            self.last_refusal = str(exc)
            log.warning("shovel %s: destination refused %s: %s", self.name, message.message_id, exc)
            await asyncio.sleep(self._delay)
            if self.state is not ShovelState.TERMINATED:
                self.source.settle(tag, "nack", requeue=True)
            return
        self.state, self.last_error = ShovelState.RUNNING, None
        self.moved += 1
        self.source.settle(tag, "ack", requeue=False)
        await asyncio.sleep(0)

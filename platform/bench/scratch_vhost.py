"""A throwaway vhost for the broker bench: quorum queues declared through the management API (as
``nsw topology declare`` does), the AMQP user given rights there, and the vhost deleted afterwards, even when
the bench fails. No user is created, so nothing global to the node is left behind."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import unquote, urlsplit

from singlewindow.platform.errors import NotFound, NswError
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.topology.management import ManagementClient

VHOST_PREFIX = "nsw-bench-"
QUORUM = {"x-queue-type": "quorum"}


def amqp_user(amqp_url: str) -> str:
    """The user the bench connects as (AMQP's default ``guest`` when the URL names none)."""
    return unquote(urlsplit(amqp_url).username or "guest")


@asynccontextmanager
async def scratch_vhost(broker: BrokerSettings, user: str, queues: Sequence[str]) -> AsyncIterator[str]:
    """Yield the name of a fresh vhost holding ``queues`` (quorum, durable); delete it on the way out."""
    vhost = f"{VHOST_PREFIX}{secrets.token_hex(4)}"
    async with ManagementClient.from_settings(broker) as client:
        await client.put_vhost(vhost)
        try:
            await client.put_permissions(vhost, user, ".*", ".*", ".*")
            for queue in queues:
                await client.put_queue(vhost, queue, QUORUM)
            yield vhost
        finally:
            with contextlib.suppress(NotFound, NswError):
                await client.delete_vhost(vhost)

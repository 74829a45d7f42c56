"""The broker's view of a hub bench run: messages published into and delivered out of the run's vhost, read
from the management API's counters once they stop moving (its statistics lag by up to 5 s)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.topology.management import ManagementClient

SETTLE_POLL_SECONDS = 1.0
SETTLE_LIMIT_SECONDS = 12.0


@dataclass(frozen=True, slots=True)
class VhostCounts:
    published: int
    delivered: int  # deliver_get: deliveries to consumers and basic.get answers


async def _read(client: ManagementClient, vhost: str) -> VhostCounts:
    stats = (await client.get_vhost(vhost)).get("message_stats") or {}
    return VhostCounts(int(stats.get("publish", 0)), int(stats.get("deliver_get", 0)))


async def settled_counts(broker: BrokerSettings, vhost: str) -> VhostCounts:
    """The vhost's counters once two readings a second apart agree (or after ``SETTLE_LIMIT_SECONDS``)."""
    async with ManagementClient.from_settings(broker) as client:
        previous = await _read(client, vhost)
        waited = 0.0
        while waited < SETTLE_LIMIT_SECONDS:
            await asyncio.sleep(SETTLE_POLL_SECONDS)
            waited += SETTLE_POLL_SECONDS
            current = await _read(client, vhost)
            if current == previous and current.published > 0:
                return current
            previous = current
        return previous

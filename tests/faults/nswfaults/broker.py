"""Readings from the private node's management API: queue depths, unacked counts, redelivery statistics, and
on a cluster each quorum queue's leader and members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx


@dataclass(frozen=True)
class QueueReading:
    name: str
    ready: int
    unacked: int
    redelivered: int  # the broker's message_stats.redeliver (reset when the node restarts)
    published: int

    @property
    def total(self) -> int:
        return self.ready + self.unacked


@dataclass(frozen=True)
class Placement:
    """Where a quorum queue's replicas live (``GET /api/queues/<vhost>/<name>``: leader, members, online)."""

    name: str
    leader: str
    members: tuple[str, ...]
    online: tuple[str, ...]


class Management:
    """``url`` may be a function: on a cluster it names a node that is up at the time of each call."""

    def __init__(self, url: str | Callable[[], str], vhost: str) -> None:
        self._url = url
        self.vhost = vhost

    @property
    def url(self) -> str:
        return self._url if isinstance(self._url, str) else self._url()

    async def _get(self, path: str) -> Any:
        async with httpx.AsyncClient(auth=("guest", "guest"), timeout=10) as http:
            response = await http.get(f"{self.url}{path}")
            response.raise_for_status()
            return response.json()

    async def queues(self) -> dict[str, QueueReading]:
        readings = {}
        for q in await self._get(f"/api/queues/{quote(self.vhost, safe='')}"):
            stats = q.get("message_stats") or {}
            readings[q["name"]] = QueueReading(
                q["name"],
                int(q.get("messages_ready", 0) or 0),
                int(q.get("messages_unacknowledged", 0) or 0),
                int(stats.get("redeliver", 0) or 0),
                int(stats.get("publish", 0) or 0),
            )
        return readings

    async def placements(self) -> dict[str, Placement]:
        """Every quorum queue of the vhost: its leader, its members and which of them are online."""
        found = {}
        for q in await self._get(f"/api/queues/{quote(self.vhost, safe='')}"):
            if q.get("type") == "quorum":
                members = tuple(q.get("members") or ())
                found[q["name"]] = Placement(q["name"], str(q.get("leader", "")), members, tuple(q.get("online") or ()))
        return found

    async def unacked_by_user(self) -> dict[str, int]:
        """Unacknowledged deliveries held by each broker user's channels right now."""
        held: dict[str, int] = {}
        for channel in await self._get(f"/api/vhosts/{quote(self.vhost, safe='')}/channels"):
            user = channel.get("user", "?")
            held[user] = held.get(user, 0) + int(channel.get("messages_unacknowledged", 0) or 0)
        return held

    async def unacked_by_connection(self) -> dict[str, int]:
        """Unacked per client connection (peer port identifies the process); key: ``user@peer_port``."""
        held: dict[str, int] = {}
        for channel in await self._get(f"/api/vhosts/{quote(self.vhost, safe='')}/channels"):
            details = channel.get("connection_details") or {}
            key = f"{channel.get('user', '?')}@{details.get('peer_port', '?')}"
            held[key] = held.get(key, 0) + int(channel.get("messages_unacknowledged", 0) or 0)
        return held

    async def close_all_connections(self) -> int:
        """Close every client connection of the private node's vhost through the API; returns how many."""
        closed = 0
        async with httpx.AsyncClient(auth=("guest", "guest"), timeout=10) as http:
            connections = (await http.get(f"{self.url}/api/vhosts/{quote(self.vhost, safe='')}/connections")).json()
            for connection in connections:
                response = await http.delete(
                    f"{self.url}/api/connections/{quote(connection['name'], safe='')}",
                    headers={"X-Reason": "fault harness: all connections closed"},
                )
                closed += response.status_code in (200, 204)
        return closed

    async def peek(self, queue: str, count: int = 50) -> list[dict[str, Any]]:
        """Messages left in ``queue`` (requeued after the look), with their properties."""
        async with httpx.AsyncClient(auth=("guest", "guest"), timeout=10) as http:
            response = await http.post(
                f"{self.url}/api/queues/{quote(self.vhost, safe='')}/{quote(queue, safe='')}/get",
                json={"count": count, "ackmode": "ack_requeue_true", "encoding": "auto", "truncate": 200},
            )
            response.raise_for_status()
            result: list[dict[str, Any]] = response.json()
            return result

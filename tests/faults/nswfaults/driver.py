"""Open-loop driver and status-stream follower, talking only to the hubs' HTTP APIs.

The driver starts one submission every ``1/rate`` seconds whatever happens to earlier ones (open loop, so a
fault does not slow the offered load), alternating between the hubs. A submission that fails with a
connection error or 5xx is sent again, with the same trader reference, to the other hub: resubmission is
idempotent, so it is accepted once. Every accepted submission id is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from singlewindow.platform.specs import Catalog

EXAMPLES = [json.loads(p.read_text()) for p in Catalog().get("consignment").valid_examples[:3]]  # 4, 4, 2 agencies
TERMINAL = {"CLEARED", "REJECTED", "CANCELLED"}


@dataclass
class Driver:
    urls: list[str]
    token: str
    tag: str
    rate: float
    accepted: dict[str, str] = field(default_factory=dict)  # trader reference -> submission id
    indeterminate: set[str] = field(default_factory=set)
    retries: int = 0
    offered: int = 0

    def document(self, index: int) -> dict[str, Any]:
        document = json.loads(json.dumps(EXAMPLES[index % len(EXAMPLES)]))
        document["traderReference"] = f"F-{self.tag}-{index:05d}"
        return document

    def request(self, index: int) -> tuple[str, dict[str, Any]]:
        """The ``index``-th submission: its trader reference and the POST body (other workloads override)."""
        document = self.document(index)
        return document["traderReference"], {"documentType": "consignment", "document": document}

    async def _submit(self, http: httpx.AsyncClient, index: int, give_up_after: float) -> None:
        reference, body = self.request(index)
        deadline = time.monotonic() + give_up_after
        attempt = 0
        while time.monotonic() < deadline:
            url = self.urls[(index + attempt) % len(self.urls)]
            attempt += 1
            try:
                response = await http.post(
                    f"{url}/v1/submissions",
                    json=body,
                    headers={"authorization": f"Bearer {self.token}"},
                )
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code in (200, 201):
                self.accepted[reference] = response.json()["submission"]["submissionId"]
                self.indeterminate.discard(reference)
                return
            if response is not None and response.status_code < 500:
                raise AssertionError(f"submission {reference} refused: {response.status_code} {response.text}")
            self.indeterminate.add(reference)
            self.retries += 1
            await asyncio.sleep(min(0.2 * attempt, 2))

    async def run(self, seconds: float, give_up_after: float = 120) -> None:
        """Offer ``rate`` submissions a second for ``seconds``; return when every one is settled."""
        tasks: list[asyncio.Task[None]] = []
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=50)) as http:
            while time.monotonic() - started < seconds:
                tasks.append(asyncio.create_task(self._submit(http, self.offered, give_up_after)))
                self.offered += 1
                next_at = started + self.offered / self.rate
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await asyncio.gather(*tasks)


@dataclass
class StatusStream:
    """Follows ``GET /v1/submissions/watch`` from a resume token, moving to the other hub on errors."""

    urls: list[str]
    token: str
    resume: str | None
    terminal: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    last_sequence: int = 0
    reconnects: int = 0

    async def follow(self, stop: asyncio.Event) -> None:
        index = 0
        async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=60)) as http:
            while not stop.is_set():
                headers = {"authorization": f"Bearer {self.token}"}
                if self.resume is not None:
                    headers["last-event-id"] = self.resume
                try:
                    async with http.stream(
                        "GET", f"{self.urls[index % 2]}/v1/submissions/watch", headers=headers
                    ) as response:
                        if response.status_code != 200:
                            raise httpx.HTTPError(f"watch answered {response.status_code}")
                        await self._read(response, stop)
                except (httpx.HTTPError, httpx.StreamError):
                    pass
                if not stop.is_set():
                    self.reconnects += 1
                    index += 1
                    await asyncio.sleep(0.3)

    async def _read(self, response: httpx.Response, stop: asyncio.Event) -> None:
        lines = response.aiter_lines()
        while not stop.is_set():
            reader = asyncio.ensure_future(anext(lines))
            waiter = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if reader not in done:
                reader.cancel()
                with contextlib.suppress(BaseException):
                    await reader
                return
            waiter.cancel()
            try:
                line = reader.result()
            except StopAsyncIteration:
                return
            if line.startswith("data: "):
                item = json.loads(line[6:])
                self.resume = item["resumeToken"]
                self.last_sequence = int(item["resumeToken"])
                if item["kind"] == "STATUS_CHANGED" and item["status"] in TERMINAL:
                    key = (item["submissionId"], int(item["version"]))
                    self.terminal.setdefault(key, []).append(item["status"])

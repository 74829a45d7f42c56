"""One role of the raw pipeline baseline in a process of its own:
``python -m singlewindow.platform.bench.raw_pipeline_worker producer|consumer|collector``.

The configuration comes as one JSON line on stdin (``children``); answers go back as JSON lines. The pika
work is in ``raw_broker`` (the one bench module that may use pika directly); this module only wires it up.
"""

from __future__ import annotations

import asyncio
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singlewindow.platform.bench.children import read_config, say, stdin_closed, until_closed
from singlewindow.platform.bench.raw_broker import RawClient, collect_replies, publish_confirmed, reply_to_each

_LENGTH = struct.Struct(">I")
ROLES = ("producer", "consumer", "collector")


def write_bodies(path: Path, bodies: Iterable[bytes]) -> None:
    """Message bodies for a producer, each after its 4-byte length."""
    path.write_bytes(b"".join(_LENGTH.pack(len(body)) + body for body in bodies))


def read_bodies(path: Path) -> list[bytes]:
    data, bodies, offset = path.read_bytes(), [], 0
    while offset < len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        offset += _LENGTH.size
        bodies.append(data[offset : offset + length])
        offset += length
    return bodies


async def _producer(client: RawClient, config: dict[str, Any], bodies: list[bytes], _closed: asyncio.Event) -> None:
    result = await publish_confirmed(
        client, "", config["documents"], bodies, config["window"], config["limit_seconds"], exchange=config["exchange"]
    )
    say(started_at=result.started_at, published=result.operations, seconds=result.seconds)


async def _consumer(client: RawClient, config: dict[str, Any], bodies: list[bytes], closed: asyncio.Event) -> None:
    (reply,) = bodies
    await reply_to_each(  # until stdin closes
        client,
        config["queue"],
        config["reply_queue"],
        reply,
        config["label"],
        config["prefetch"],
        closed,
        lambda: say(ready=True),
    )


async def _collector(client: RawClient, config: dict[str, Any], _bodies: list[bytes], _closed: asyncio.Event) -> None:
    complete, last = await collect_replies(
        client,
        config["reply_queue"],
        config["documents"],
        config["per_document"],
        config["prefetch"],
        config["limit_seconds"],
        lambda: say(ready=True),
    )
    say(complete=complete, last_completed_at=last)


async def main(role: str, config: dict[str, Any], bodies: list[bytes]) -> None:
    closed = stdin_closed()
    client = await RawClient.open(config["url"], config["vhost"])
    try:
        work = {"producer": _producer, "consumer": _consumer, "collector": _collector}[role]
        await until_closed(work(client, config, bodies, closed), closed)
    finally:
        await client.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ROLES:
        raise SystemExit(f"usage: python -m {__spec__.name if __spec__ else 'raw_pipeline_worker'} {'|'.join(ROLES)}")
    settings = read_config()
    asyncio.run(main(sys.argv[1], settings, read_bodies(Path(settings["bodies"])) if "bodies" in settings else []))

"""Publish-with-confirm throughput of the RabbitMQ transport, on a throwaway vhost.

    .venv/bin/python scripts/bench_publish.py --messages 10000 --size 1024 --window 256

Creates a vhost with one quorum queue through the management API, publishes ``--messages`` persistent
messages of ``--size`` bytes concurrently (the transport keeps at most ``--window`` unconfirmed), waits
for every confirm, prints messages/s, then deletes the vhost. Never touches anything else on the broker.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from urllib.parse import quote

import httpx

from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.transport import OutgoingMessage, connect


async def run(args: argparse.Namespace) -> None:
    vhost = f"nsw-bench-{uuid.uuid4().hex[:8]}"
    v = quote(vhost, safe="")
    async with httpx.AsyncClient(base_url=args.management_url, auth=("guest", "guest"), timeout=30) as http:
        (await http.put(f"/api/vhosts/{v}", json={})).raise_for_status()
        perms = {"configure": ".*", "write": ".*", "read": ".*"}
        (await http.put(f"/api/permissions/{v}/guest", json=perms)).raise_for_status()
        queue = {"durable": True, "arguments": {"x-queue-type": "quorum"}}
        (await http.put(f"/api/queues/{v}/bench", json=queue)).raise_for_status()
        try:
            settings = BrokerSettings(url=args.url, confirm_window=args.window)
            transport = await connect(settings, vhost=vhost, connection_name="nsw-bench")
            body = b"x" * args.size
            messages = [
                OutgoingMessage("", "bench", body, message_id=str(n), persistent=True) for n in range(args.messages)
            ]
            started = time.perf_counter()
            await asyncio.gather(*(transport.publish(message) for message in messages))
            elapsed = time.perf_counter() - started
            count = (await transport.declare_passive("bench")).message_count
            await transport.close()
            print(
                f"{args.messages} x {args.size} B persistent to a quorum queue, window {args.window}: "
                f"{elapsed:.2f} s, {args.messages / elapsed:,.0f} msg/s confirmed "
                f"(queue holds {count}; republished {transport.stats.republished})"
            )
        finally:
            await http.delete(f"/api/vhosts/{v}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--management-url", default="http://127.0.0.1:15672")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

"""The deliberately unsafe pipeline's consumer (negative control only; never copy this).

Auto-ack on a classic, non-durable queue: the broker forgets each message the moment it is written to the
socket, so whatever the process has received but not yet processed dies with it. Processing a message means
appending its id to the ledger (the "terminal status" of this pipeline).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import pika


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--work-seconds", type=float, default=0.05)
    args = parser.parse_args()
    connection = pika.BlockingConnection(pika.URLParameters(args.url))
    channel = connection.channel()
    channel.queue_declare(args.queue, durable=False, arguments={"x-queue-type": "classic"})
    with open(args.ledger, "a", encoding="utf-8") as ledger:

        def handle(_channel: object, _method: object, properties: pika.BasicProperties, _body: bytes) -> None:
            time.sleep(args.work_seconds)
            ledger.write(f"{properties.message_id}\n")
            ledger.flush()
            os.fsync(ledger.fileno())

        channel.basic_consume(args.queue, handle, auto_ack=True)
        print("unsafe consumer up", flush=True)
        channel.start_consuming()
    return 0


if __name__ == "__main__":
    sys.exit(main())

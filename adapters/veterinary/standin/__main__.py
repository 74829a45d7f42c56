"""``python -m singlewindow.adapters.veterinary.standin --port P --db FILE``: the CHED-like service."""

from __future__ import annotations

import argparse
import asyncio

from singlewindow.adapters.standins import FaultScript, ScriptedFaults, serve_forever
from singlewindow.adapters.veterinary.standin.app import build_app, run_veterinarian
from singlewindow.adapters.veterinary.standin.store import ChedStore


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m singlewindow.adapters.veterinary.standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091, help="0 picks a free port (printed on start)")
    parser.add_argument("--db", required=True, help="SQLite file of the stand-in's own storage")
    parser.add_argument("--country", default="KZ", help="country part of the CHED references")
    parser.add_argument("--webhook-token", default=None, help="sent as X-Webhook-Token on every callback")
    parser.add_argument("--script", default="{}", help='initial fault script as JSON, e.g. {"mode": "down"}')
    return parser.parse_args()


async def main() -> None:
    arguments = _arguments()
    faults = ScriptedFaults(FaultScript.model_validate_json(arguments.script))
    store = await ChedStore.open(arguments.db, arguments.country)
    try:

        async def veterinarian(stop: asyncio.Event) -> None:
            await run_veterinarian(store, faults, stop, arguments.webhook_token)

        await serve_forever(build_app(store, faults), arguments.host, arguments.port, veterinarian)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

"""``python -m singlewindow.adapters.phytosanitary.standin --port P --db FILE``: the plant-protection system."""

from __future__ import annotations

import argparse
import asyncio

from singlewindow.adapters.phytosanitary.standin.app import build_app
from singlewindow.adapters.phytosanitary.standin.store import CertificateStore
from singlewindow.adapters.standins import FaultScript, ScriptedFaults, serve_forever


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m singlewindow.adapters.phytosanitary.standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8093, help="0 picks a free port (printed on start)")
    parser.add_argument("--db", required=True, help="SQLite file of the stand-in's own storage")
    parser.add_argument("--country", default="KZ", help="the issuing country (certificate numbers)")
    parser.add_argument("--script", default="{}", help='initial fault script as JSON, e.g. {"mode": "down"}')
    return parser.parse_args()


async def main() -> None:
    arguments = _arguments()
    faults = ScriptedFaults(FaultScript.model_validate_json(arguments.script))
    store = await CertificateStore.open(arguments.db)
    try:
        await serve_forever(build_app(store, faults, arguments.country), arguments.host, arguments.port)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

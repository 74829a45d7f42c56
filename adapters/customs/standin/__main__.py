"""``python -m singlewindow.adapters.customs.standin --folder DIR --db FILE``: run the customs stand-in.

Flags (or ``NSW_CUSTOMS_STANDIN_<FLAG>`` variables) give the script's defaults; ``--control FILE`` (JSON,
re-read on every poll) overrides them while it runs. SIGTERM or SIGINT stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from singlewindow.adapters.customs.exchange import ExchangeFolder
from singlewindow.adapters.customs.risk_profile import load_profile
from singlewindow.adapters.customs.standin.script import Script, read_script
from singlewindow.adapters.customs.standin.store import CustomsStore, read_traders
from singlewindow.adapters.customs.standin.system import CustomsSystem


def _env(name: str, default: str) -> str:
    return os.environ.get(f"NSW_CUSTOMS_STANDIN_{name.upper()}", default)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="customs-standin", description=__doc__)
    parser.add_argument("--folder", type=Path, required=True, help="file-exchange folder (inbox/outbox/archive)")
    parser.add_argument("--db", type=Path, required=True, help="the system's own SQLite file")
    parser.add_argument("--control", type=Path, help="JSON control file scripting the system while it runs")
    parser.add_argument("--profile", type=Path, help="risk profile JSON (default: the shipped kz-import)")
    parser.add_argument("--traders", type=Path, help='trader register JSON: [{"id", "aeo", "violations"}]')
    parser.add_argument("--poll-seconds", type=float, default=float(_env("poll_seconds", "0.2")))
    parser.add_argument("--down", action="store_true", default=_env("down", "") == "1")
    parser.add_argument("--slow", type=float, default=float(_env("slow", "0")), help="seconds before each answer")
    parser.add_argument("--errors", type=int, default=int(_env("errors", "0")), help="error answers per declaration")
    parser.add_argument("--malformed", type=int, default=int(_env("malformed", "0")), help="garbage answers first")
    parser.add_argument("--duplicate", action="store_true", default=_env("duplicate", "") == "1")
    parser.add_argument(
        "--query-first", action="store_true", default=_env("query_first", "") == "1", help="query, then decide"
    )
    parser.add_argument("--inspection-seconds", type=float, default=float(_env("inspection_seconds", "1")))
    parser.add_argument(
        "--inspection-result", choices=["RELEASE", "REFUSE"], default=_env("inspection_result", "RELEASE")
    )
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    defaults = Script(
        down=args.down, slow_seconds=args.slow, errors=args.errors, malformed=args.malformed,
        duplicate=args.duplicate, inspection_seconds=args.inspection_seconds,
        inspection_result=args.inspection_result, query_first=args.query_first,
    )  # fmt: skip
    store = await CustomsStore.open(args.db)
    if args.traders:
        await store.load_traders(read_traders(args.traders))
    system = CustomsSystem(
        ExchangeFolder(args.folder), store, load_profile(args.profile), lambda: read_script(args.control, defaults),
        poll_seconds=args.poll_seconds,
    )  # fmt: skip
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await system.run(stop)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

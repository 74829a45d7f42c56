"""``python -m singlewindow.adapters.sanitary.standin --db URL``: run the sanitary legacy system stand-in.

Flags (or ``NSW_SANITARY_STANDIN_<FLAG>`` variables) give the script's defaults; ``--control FILE`` (JSON,
re-read on every poll) overrides them while it runs; ``--permits FILE`` seeds its permit register.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.standin.rules import read_register
from singlewindow.adapters.sanitary.standin.script import Script, read_script
from singlewindow.adapters.sanitary.standin.system import SanitarySystem


def _env(name: str, default: str) -> str:
    return os.environ.get(f"NSW_SANITARY_STANDIN_{name.upper()}", default)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sanitary-standin", description=__doc__)
    parser.add_argument("--db", required=True, help="the agency database URL (sqlite:///... or postgresql://...)")
    parser.add_argument("--control", type=Path, help="JSON control file scripting the system while it runs")
    parser.add_argument("--permits", type=Path, help='permit register JSON: [{"number", "validUntil"}]')
    parser.add_argument("--poll-seconds", type=float, default=float(_env("poll_seconds", "0.2")))
    parser.add_argument("--down", action="store_true", default=_env("down", "") == "1")
    parser.add_argument("--slow", type=float, default=float(_env("slow", "0")), help="seconds before each decision")
    parser.add_argument("--errors", type=int, default=int(_env("errors", "0")), help="error answers per row first")
    parser.add_argument("--malformed", type=int, default=int(_env("malformed", "0")), help="garbled answers first")
    parser.add_argument("--duplicate", action="store_true", default=_env("duplicate", "") == "1")
    parser.add_argument(
        "--query-first", action="store_true", default=_env("query_first", "") == "1", help="query, then decide"
    )
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    defaults = Script(
        down=args.down, slow_seconds=args.slow, errors=args.errors, malformed=args.malformed, duplicate=args.duplicate,
        query_first=args.query_first,
    )  # fmt: skip
    engine = agency_engine(args.db)
    system = SanitarySystem(
        engine, dict(read_register(args.permits)), lambda: read_script(args.control, defaults), args.poll_seconds
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await system.run(stop)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())

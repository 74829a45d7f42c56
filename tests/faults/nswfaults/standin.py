"""An agency system for the echo-file adapter, as its own process (standard library only, starts fast).

It reads each hand-over file the adapter writes to ``--outbox``, "decides" after ``--officer-seconds``
(the window in which a kill strikes between receiving and answering), writes an ACCEPTED decision file
``<stem>--0001.json`` atomically into ``--decisions``, and only then notes the stem in its ledger. A kill
anywhere means the document is decided again after the restart, under the same file name, which the
adapter's idempotency key (the file name) absorbs. The ledger is what the checker compares the hub with.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path


def write_atomically(folder: Path, name: str, content: str) -> None:
    temporary = folder / f".{name}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)


def already_decided(ledger: Path, decisions: Path) -> set[str]:
    stems = set(ledger.read_text().split()) if ledger.exists() else set()
    for folder in (decisions, decisions / "done"):
        if folder.is_dir():
            stems.update(p.name.split("--", 1)[0] for p in folder.glob("*--*.json"))
    return stems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outbox", type=Path, required=True)
    parser.add_argument("--decisions", type=Path, required=True)
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--officer-seconds", type=float, default=0.05)
    parser.add_argument("--poll-seconds", type=float, default=0.2)
    args = parser.parse_args()
    running = True

    def stop(_signum: int, _frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    args.decisions.mkdir(parents=True, exist_ok=True)
    decided = already_decided(args.ledger, args.decisions)
    print(f"stand-in up, {len(decided)} decided before", flush=True)
    with args.ledger.open("a", encoding="utf-8") as ledger:
        while running:
            try:
                waiting = sorted(p.stem for p in args.outbox.glob("*.json") if not p.name.startswith("."))
            except OSError:
                waiting = []  # the share is away: the system is down
            for stem in waiting:
                if stem in decided or not running:
                    continue
                time.sleep(args.officer_seconds)  # received, not yet answered
                decision = {"status": "ACCEPTED", "officer": {"id": "FAULT-1", "name": "Fault harness officer"}}
                write_atomically(args.decisions, f"{stem}--0001.json", json.dumps(decision))
                ledger.write(stem + "\n")
                ledger.flush()
                os.fsync(ledger.fileno())
                decided.add(stem)
            time.sleep(args.poll_seconds)
    print("stand-in stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The adapter's record of the permit write-offs it made per declaration: ``<exchange>/write-offs/<reference>.json``.

A cancelled or replaced declaration must give its quantities back, and only the adapter knows which
(permit, goods item) pairs a version wrote off: a declaration the permits check stopped half-way has some
and never reached customs. Each pair is recorded *before* its write-off is asked for, so a crash between
the two leaves a pair the register does not know (reversing it is a harmless 404), never a write-off
nobody will give back. The runtime passes one submission's messages on one at a time, so read-modify-write
here needs no lock.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

WRITE_OFFS = "write-offs"


class WriteOffRecord:
    def __init__(self, root: Path) -> None:
        self._dir = root / WRITE_OFFS

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)

    async def add(self, reference: str, number: str, goods_item: int) -> None:
        """Record that ``number`` is about to be written off for ``goods_item`` of the declaration."""
        known = await self.of(reference)
        if (number, goods_item) not in known:
            await asyncio.to_thread(self._write, reference, [*known, (number, goods_item)])

    async def of(self, reference: str) -> list[tuple[str, int]]:
        """(permit number, goods item) of every write-off asked for the declaration, in order."""
        try:
            text = await asyncio.to_thread((self._dir / f"{reference}.json").read_text, encoding="utf-8")
        except FileNotFoundError:
            return []
        return [(str(entry["number"]), int(entry["goodsItem"])) for entry in json.loads(text)]

    def _write(self, reference: str, pairs: list[tuple[str, int]]) -> None:
        body = json.dumps([{"number": number, "goodsItem": item} for number, item in pairs])
        temporary = self._dir / f".{reference}.json.part"
        temporary.write_text(body, encoding="utf-8")
        os.replace(temporary, self._dir / f"{reference}.json")

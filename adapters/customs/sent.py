"""The adapter's own record of what it sent: ``<exchange>/sent/<reference>.edi`` and ``.json``.

A CUSRES names only the declaration reference; the record maps it back to the submission version (also
after the first decision, when the SDK no longer lists the hand-over as pending) and keeps the CUSDEC to
send again when the customs system asks for it or garbles its answer.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path

SENT = "sent"


@dataclass(frozen=True, slots=True)
class SentDeclaration:
    reference: str
    submission_id: str
    version: int
    resends: int


class SentRecord:
    def __init__(self, root: Path) -> None:
        self._dir = root / SENT

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)

    async def remember(self, reference: str, submission_id: str, version: int, cusdec: str) -> None:
        await asyncio.to_thread(self._write, f"{reference}.edi", cusdec)
        meta = {"submissionId": submission_id, "version": version, "resends": 0}
        if await self.find(reference) is None:
            await asyncio.to_thread(self._write, f"{reference}.json", json.dumps(meta))

    async def find(self, reference: str) -> SentDeclaration | None:
        try:
            meta = json.loads(await asyncio.to_thread((self._dir / f"{reference}.json").read_text, encoding="utf-8"))
        except FileNotFoundError:
            return None
        return SentDeclaration(reference, str(meta["submissionId"]), int(meta["version"]), int(meta["resends"]))

    async def cusdec(self, reference: str) -> str:
        return await asyncio.to_thread((self._dir / f"{reference}.edi").read_text, encoding="utf-8")

    async def count_resend(self, sent: SentDeclaration) -> None:
        meta = {"submissionId": sent.submission_id, "version": sent.version, "resends": sent.resends + 1}
        await asyncio.to_thread(self._write, f"{sent.reference}.json", json.dumps(meta))

    def _write(self, name: str, text: str) -> None:
        temporary = self._dir / f".{name}.part"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self._dir / name)

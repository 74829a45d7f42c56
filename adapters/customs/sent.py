"""The adapter's own record of what it sent: ``<exchange>/sent/<reference>.edi`` and ``.json``.

A CUSRES names only the declaration reference; the record maps it back to the submission version (also
after the first decision, when the SDK no longer lists the hand-over as pending) and keeps the CUSDEC to
send again when the customs system asks for it or garbles its answer. It also remembers what happened to
the declaration since: ``withdrawn`` (cancelled, superseded or replaced: a CUSRES still arriving for it is
not applied) and ``query`` (the response number of the customs query an answer must name).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SENT = "sent"


@dataclass(frozen=True, slots=True)
class SentDeclaration:
    reference: str
    submission_id: str
    version: int
    resends: int
    withdrawn: str | None = None  # why: "cancelled", "superseded", "replaced by <reference>"
    query: str | None = None

    def meta(self, **changes: Any) -> dict[str, Any]:
        meta = {
            "submissionId": self.submission_id,
            "version": self.version,
            "resends": self.resends,
            "withdrawn": self.withdrawn,
            "query": self.query,
        }
        return {**meta, **changes}


class SentRecord:
    def __init__(self, root: Path) -> None:
        self._dir = root / SENT

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)

    async def remember(self, reference: str, submission_id: str, version: int, cusdec: str) -> None:
        await asyncio.to_thread(self._write, f"{reference}.edi", cusdec)
        if await self.find(reference) is None:
            await self._meta(reference, SentDeclaration(reference, submission_id, version, 0).meta())

    async def find(self, reference: str) -> SentDeclaration | None:
        try:
            meta = json.loads(await asyncio.to_thread((self._dir / f"{reference}.json").read_text, encoding="utf-8"))
        except FileNotFoundError:
            return None
        return SentDeclaration(
            reference,
            str(meta["submissionId"]),
            int(meta["version"]),
            int(meta["resends"]),
            meta.get("withdrawn"),
            meta.get("query"),
        )

    async def cusdec(self, reference: str) -> str:
        return await asyncio.to_thread((self._dir / f"{reference}.edi").read_text, encoding="utf-8")

    async def count_resend(self, sent: SentDeclaration) -> None:
        await self._meta(sent.reference, sent.meta(resends=sent.resends + 1))

    async def withdraw(self, reference: str, submission_id: str, version: int, why: str) -> None:
        """Mark the declaration withdrawn (recorded also when it was never sent, so a late deliver is not)."""
        sent = await self.find(reference) or SentDeclaration(reference, submission_id, version, 0)
        await self._meta(reference, sent.meta(withdrawn=why))

    async def queried(self, sent: SentDeclaration, response_number: str) -> None:
        await self._meta(sent.reference, sent.meta(query=response_number))

    async def _meta(self, reference: str, meta: dict[str, Any]) -> None:
        await asyncio.to_thread(self._write, f"{reference}.json", json.dumps(meta))

    def _write(self, name: str, text: str) -> None:
        temporary = self._dir / f".{name}.part"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self._dir / name)

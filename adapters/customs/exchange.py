"""The file-exchange folder legacy customs systems use: ``inbox/`` (declarations to customs), ``outbox/``
(responses from customs), ``archive/`` (files read), and a ``heartbeat`` file the system touches while up.

Writers write a dot-file and rename it into place, so a reader never sees half a file. Readers take files
in name order and archive each after handling it, so a crash re-reads at most the file being handled
(handling is idempotent on both sides).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

INBOX, OUTBOX, ARCHIVE = "inbox", "outbox", "archive"
HEARTBEAT = "heartbeat"


@dataclass(frozen=True, slots=True)
class ExchangeFolder:
    root: Path

    def box(self, name: str) -> Path:
        return self.root / name

    def prepare(self) -> None:
        for name in (INBOX, OUTBOX, ARCHIVE):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    async def put(self, box: str, name: str, text: str) -> Path:
        return await asyncio.to_thread(self._put, box, name, text)

    def _put(self, box: str, name: str, text: str) -> Path:
        final = self.box(box) / name
        temporary = self.box(box) / f".{name}.part"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, final)
        return final

    async def ready(self, box: str) -> list[Path]:
        """Complete files waiting in ``box``, oldest name first."""
        return await asyncio.to_thread(self._ready, box)

    def _ready(self, box: str) -> list[Path]:
        try:
            return sorted(p for p in self.box(box).iterdir() if p.is_file() and not p.name.startswith("."))
        except FileNotFoundError:
            return []

    async def text(self, path: Path) -> str:
        """A file's text; bytes that are not UTF-8 come back replaced, so garbage reads as garbage."""
        return await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")

    async def data(self, path: Path) -> bytes:
        """A file's bytes, for readers that decode by the syntax level the file declares (EDIFACT UNB)."""
        return await asyncio.to_thread(path.read_bytes)

    async def archive(self, path: Path) -> None:
        """Move a handled file under ``archive/<box>/`` (a file already gone was archived by a twin run)."""
        target = self.box(ARCHIVE) / path.parent.name
        await asyncio.to_thread(self._move, path, target)

    @staticmethod
    def _move(path: Path, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, target / path.name)
        except FileNotFoundError:
            return

    def beat(self) -> None:
        """The system is alive: touch the heartbeat file."""
        (self.root / HEARTBEAT).write_text(f"{time.time():.3f}\n", encoding="utf-8")

    def heartbeat_age(self) -> float | None:
        """Seconds since the system last touched its heartbeat; None when it never did."""
        try:
            return time.time() - (self.root / HEARTBEAT).stat().st_mtime
        except FileNotFoundError:
            return None


def unique_name(prefix: str, reference: str) -> str:
    """``PREFIX_<reference>_<nanoseconds>.edi``: sortable by time, distinct for every write."""
    return f"{prefix}_{reference}_{time.time_ns():020d}.edi"


def reference_of(path: Path) -> str | None:
    """The declaration reference in a file name written by ``unique_name``."""
    parts = path.stem.split("_")
    return parts[1] if len(parts) >= 3 else None

"""Attachment bytes on disk, named by their SHA-256: written to a temporary file while hashing and counting,
then renamed into place, so a reader never sees half a file and the same content is kept once.

The size limit is enforced while reading (a client that lies about ``Content-Length`` is cut off at the
limit), and a hash the client declared is verified before the file becomes visible.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from singlewindow.platform.errors import InvalidInput, NotFound, PayloadTooLarge, Problem, StorageUnavailable

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_sha256(value: str, path: str = "/sha256") -> str:
    if not SHA256.match(value):
        raise InvalidInput(f"{value!r} is not a SHA-256", [Problem(path, "pattern", "64 lower-case hex digits")])
    return value


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size_bytes: int


class BlobStore:
    """Files under ``folder/<first two hex digits>/<sha256>``; temporary files under ``folder/.incoming``."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.folder / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def require(self, sha256: str) -> Path:
        path = self.path(sha256)
        if not path.is_file():
            raise NotFound(f"no attachment {sha256}")
        return path

    async def write(self, chunks: AsyncIterable[bytes], expected_sha256: str | None = None) -> StoredBlob:
        """Store the stream; PayloadTooLarge past the limit, InvalidInput if empty or the hash differs."""
        if expected_sha256 is not None:
            check_sha256(expected_sha256)
        incoming = self.folder / ".incoming"
        try:
            await asyncio.to_thread(incoming.mkdir, parents=True, exist_ok=True)
            temporary = incoming / secrets.token_hex(16)
            handle = await asyncio.to_thread(temporary.open, "wb")
        except OSError as exc:
            raise StorageUnavailable(f"cannot write to the attachment store: {exc}") from exc
        try:
            digest, size = await self._copy(chunks, handle)
        except BaseException:
            handle.close()
            await asyncio.to_thread(_discard, temporary)
            raise
        handle.close()
        return await self._publish(temporary, digest, size, expected_sha256)

    async def _copy(self, chunks: AsyncIterable[bytes], handle: BinaryIO) -> tuple[str, int]:
        hasher, size = hashlib.sha256(), 0
        async for chunk in chunks:
            if not chunk:
                continue
            size += len(chunk)
            if size > self.max_bytes:
                raise PayloadTooLarge(
                    f"attachment exceeds the limit of {self.max_bytes} bytes",
                    [Problem("", "maxBytes", f"at most {self.max_bytes} bytes")],
                )
            hasher.update(chunk)
            try:
                await asyncio.to_thread(handle.write, chunk)
            except OSError as exc:
                raise StorageUnavailable(f"cannot write to the attachment store: {exc}") from exc
        return hasher.hexdigest(), size

    async def _publish(self, temporary: Path, digest: str, size: int, expected: str | None) -> StoredBlob:
        try:
            if size == 0:
                raise InvalidInput("the attachment is empty", [Problem("", "minBytes", "at least 1 byte")])
            if expected is not None and expected != digest:
                raise InvalidInput(
                    "the attachment's SHA-256 differs from the one declared",
                    [Problem("/sha256", "hashMismatch", f"declared {expected}, received {digest}")],
                )
            final = self.path(digest)
            await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(os.replace, temporary, final)  # same content: replacing is harmless
        except OSError as exc:
            raise StorageUnavailable(f"cannot store the attachment: {exc}") from exc
        finally:
            await asyncio.to_thread(_discard, temporary)
        return StoredBlob(digest, size)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()

"""Signed checkpoints of every submission's chain head, written outside the database.

A checkpoint is one JSON file, never overwritten::

    {"format": "nsw-audit-checkpoint/1", "createdAt": "...Z", "keyId": "<16 hex>",
     "submissions": {"<submission id>": {"head": "<sha256 hex>", "length": 5}, ...},
     "signature": "<base64 Ed25519 over the RFC 8785 form of everything but the signature>"}

Whoever can rewrite the database can recompute every chain; they cannot make an earlier checkpoint, kept
where the database's users cannot write, agree with a rewritten history without the signing key.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.audit.keys import key_id
from singlewindow.platform.state.chain import ChainHead
from singlewindow.platform.state.common import rfc3339_millis
from singlewindow.platform.storage.tables import submissions

FORMAT = "nsw-audit-checkpoint/1"
PATTERN = "checkpoint-*.json"
_HEAD = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A checkpoint file whose signature verified with a trusted key."""

    name: str
    created_at: str
    key_id: str
    heads: Mapping[str, ChainHead]


class UnusableCheckpoint(Exception):
    """A checkpoint file that cannot be trusted, and why."""


async def chain_heads(engine: AsyncEngine, submission_id: str | None = None) -> dict[str, ChainHead]:
    """Every submission's chain head as stored (those with at least one link), or one submission's."""
    query = select(submissions.c.id, submissions.c.chain_head, submissions.c.chain_length)
    query = query.where(submissions.c.chain_length > 0) if submission_id is None else query
    if submission_id is not None:
        query = query.where(submissions.c.id == submission_id)
    async with engine.connect() as conn:
        return {row.id: ChainHead(row.chain_head, row.chain_length) for row in await conn.execute(query)}


def signed(heads: Mapping[str, ChainHead], key: Ed25519PrivateKey, at: datetime) -> dict[str, Any]:
    """The checkpoint document of ``heads``, signed."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "createdAt": rfc3339_millis(at),
        "keyId": key_id(key.public_key()),
        "submissions": {sid: {"head": head.hash, "length": head.length} for sid, head in sorted(heads.items())},
    }
    return {**body, "signature": base64.b64encode(key.sign(rfc8785.dumps(body))).decode()}


def write(directory: Path, document: Mapping[str, Any], at: datetime) -> Path:
    """Write ``document`` as a new file in ``directory``; an existing file is never replaced (hard link of a
    complete temporary file: the name appears only once the content is whole)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = at.strftime("%Y%m%dT%H%M%S.%fZ")
    temporary = directory / f".checkpoint-{stamp}-{os.getpid()}.tmp"
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    try:
        for attempt in range(1, 1000):
            target = directory / (f"checkpoint-{stamp}.json" if attempt == 1 else f"checkpoint-{stamp}-{attempt}.json")
            try:
                os.link(temporary, target)
            except FileExistsError:
                continue
            os.chmod(target, 0o444)
            return target
        raise FileExistsError(f"no free checkpoint name for {stamp} in {directory}")
    finally:
        temporary.unlink()


def read(path: Path, trusted: Mapping[str, Ed25519PublicKey]) -> Checkpoint:
    """The checkpoint in ``path`` once its signature verifies with a trusted key; else UnusableCheckpoint."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise UnusableCheckpoint(f"cannot be read as JSON ({type(exc).__name__})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UnusableCheckpoint(f"is not a checkpoint (format is not {FORMAT})")
    body = {k: v for k, v in document.items() if k != "signature"}
    signer = trusted.get(str(document.get("keyId")))
    if signer is None:
        raise UnusableCheckpoint(f"is signed by key {document.get('keyId')!r}, which is not trusted")
    try:
        signer.verify(base64.b64decode(str(document.get("signature")), validate=True), rfc8785.dumps(body))
    except (InvalidSignature, ValueError, rfc8785.CanonicalizationError) as exc:
        raise UnusableCheckpoint("signature does not verify: the file was altered or signed by another key") from exc
    return Checkpoint(path.name, str(body.get("createdAt")), str(body["keyId"]), _heads(body.get("submissions")))


def _heads(entries: object) -> dict[str, ChainHead]:
    """The signed entries; a well-signed file with a malformed entry was signed so by us: still refused."""
    if not isinstance(entries, dict):
        raise UnusableCheckpoint("has no submissions map")
    heads = {}
    for sid, entry in entries.items():
        head, length = (entry.get("head"), entry.get("length")) if isinstance(entry, dict) else (None, None)
        if not isinstance(head, str) or not _HEAD.match(head) or type(length) is not int or length < 1:
            raise UnusableCheckpoint(f"has a malformed entry for submission {sid!r}")
        heads[sid] = ChainHead(head, length)
    return heads

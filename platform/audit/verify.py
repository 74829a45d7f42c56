"""Recompute every submission's event chain and hold it to its stored head and to signed checkpoints.

Per submission the events are walked in sequence order. Events before the first link were written before
the chain existed (migration 0009) and are counted, not checked. The first event whose link is wrong is
named (its sequence, its link index, the hash expected and the one found) and the walk of that submission
stops there: after a broken link nothing is proven. Each checkpoint entry must then match the hash the
*recomputed* chain has at the checkpoint's length, so a history rewritten with fresh hashes still fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.audit.checkpoints import PATTERN, Checkpoint, UnusableCheckpoint, chain_heads, read
from singlewindow.platform.state.chain import ChainHead, link
from singlewindow.platform.storage.tables import events


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``kind`` is broken_link, head_mismatch, checkpoint_mismatch or checkpoint_unusable."""

    kind: str
    message: str
    submission: str | None = None
    sequence: int | None = None
    index: int | None = None
    expected: str | int | None = None
    found: str | int | None = None
    checkpoint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass(slots=True)
class ChainWalk:
    """One submission's chain as recomputed: the hash at each intact link, events outside the chain."""

    submission: str
    hashes: list[str] = field(default_factory=list)
    unlinked: int = 0
    broken: Finding | None = None


@dataclass(slots=True)
class AuditReport:
    chains: list[ChainWalk] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)

    @property
    def links(self) -> int:
        return sum(len(walk.hashes) for walk in self.chains)

    @property
    def unlinked(self) -> int:
        return sum(walk.unlinked for walk in self.chains)


def walk(submission: str, rows: Sequence[Mapping[str, Any]]) -> ChainWalk:
    """Recompute one submission's chain from its event rows (sequence order) up to the first broken link."""
    found = ChainWalk(submission)
    for position, row in enumerate(rows):
        expected = len(found.hashes) + 1
        sequence, index, kind = row["sequence"], row["chain_index"], row["kind"]
        if index is None:
            if found.hashes:
                found.broken = _broken(row, expected, None, f"carries no link, though link {expected} was due")
                return found
            found.unlinked += 1
            continue
        if index != expected:
            later = any(r["chain_index"] == expected for r in rows[position + 1 :])
            why = (
                "out of order (moved or copied)" if later or index < expected else "earlier links are missing (deleted)"
            )
            found.broken = _broken(row, expected, index, f"has link {index} where link {expected} was due: {why}")
            return found
        recomputed = link(found.hashes[-1] if found.hashes else None, row)
        if recomputed != row["entry_hash"]:
            found.broken = Finding(
                "broken_link",
                f"submission {submission}: event {sequence} ({kind}, link {index}) does not hash to its stored "
                f"link: its content or an earlier event's was altered",
                submission,
                sequence,
                index,
                recomputed,
                row["entry_hash"],
            )
            return found
        found.hashes.append(recomputed)
    return found


def _broken(row: Mapping[str, Any], expected: int, index: int | None, what: str) -> Finding:
    message = f"submission {row['submission_id']}: event {row['sequence']} ({row['kind']}) {what}"
    return Finding("broken_link", message, row["submission_id"], row["sequence"], index, expected, index)


def against_head(chain: ChainWalk, head: ChainHead) -> Finding | None:
    """The stored head must be where the intact chain ends (a chain cut at its end still links)."""
    ends = ChainHead(chain.hashes[-1] if chain.hashes else None, len(chain.hashes))
    if chain.broken is not None or ends == head:
        return None
    return Finding(
        "head_mismatch",
        f"submission {chain.submission}: its row says {head.length} links ending in {head.hash}, the events give "
        f"{ends.length} ending in {ends.hash}: events removed at the end, or the head altered",
        chain.submission,
        expected=head.hash,
        found=ends.hash,
    )


def against_checkpoints(chain: ChainWalk, checkpoints: Sequence[Checkpoint]) -> list[Finding]:
    """Each checkpoint's entry for this submission must equal the recomputed hash at its length."""
    findings = []
    for checkpoint in checkpoints:
        signed = checkpoint.heads.get(chain.submission)
        if signed is None:
            continue
        held = chain.hashes[signed.length - 1] if signed.length <= len(chain.hashes) else None
        if held == signed.hash:
            continue
        now = f"has {held}" if held else f"has only {len(chain.hashes)} intact links"
        findings.append(
            Finding(
                "checkpoint_mismatch",
                f"checkpoint {checkpoint.name}: submission {chain.submission} had {signed.length} links ending in "
                f"{signed.hash}; the database no longer matches: at link {signed.length} it {now}",
                chain.submission,
                index=signed.length,
                expected=signed.hash,
                found=held,
                checkpoint=checkpoint.name,
            )
        )
    return findings


async def verify(
    engine: AsyncEngine, checkpoints: Sequence[Checkpoint], submission_id: str | None = None
) -> AuditReport:
    """Walk every chain (or one submission's) and hold it to its head and to ``checkpoints``."""
    heads = await chain_heads(engine, submission_id)
    report = AuditReport(checkpoints=[c.name for c in checkpoints])
    query = select(events).order_by(events.c.submission_id, events.c.sequence)
    if submission_id is not None:
        query = query.where(events.c.submission_id == submission_id)
    batch: list[Mapping[str, Any]] = []
    async with engine.connect() as conn:
        async for row in await conn.stream(query):
            if batch and batch[-1]["submission_id"] != row.submission_id:
                _check_chain(report, walk(batch[0]["submission_id"], batch), heads, checkpoints)
                batch = []
            batch.append(dict(row._mapping))
    if batch:
        _check_chain(report, walk(batch[0]["submission_id"], batch), heads, checkpoints)
    seen = {chain.submission for chain in report.chains}
    for sid in sorted(set(heads) - seen):  # a head with no events left at all
        _check_chain(report, ChainWalk(sid), heads, checkpoints)
    signed = {sid for checkpoint in checkpoints for sid in checkpoint.heads} - seen - set(heads)
    for sid in sorted(s for s in signed if submission_id in (None, s)):
        _check_chain(report, ChainWalk(sid), heads, checkpoints)
    return report


def load_checkpoints(
    directory: Path, trusted: Mapping[str, Ed25519PublicKey]
) -> tuple[list[Checkpoint], list[Finding]]:
    """Every checkpoint file in ``directory`` (oldest first) that verifies; a finding for each that does not."""
    usable, findings = [], []
    for path in sorted(directory.glob(PATTERN)):
        try:
            usable.append(read(path, trusted))
        except UnusableCheckpoint as exc:
            findings.append(Finding("checkpoint_unusable", f"checkpoint {path.name} {exc}", checkpoint=path.name))
    return usable, findings


def _check_chain(
    report: AuditReport, chain: ChainWalk, heads: Mapping[str, ChainHead], checkpoints: Sequence[Checkpoint]
) -> None:
    report.chains.append(chain)
    if chain.broken is not None:
        report.findings.append(chain.broken)
    mismatch = against_head(chain, heads.get(chain.submission, ChainHead()))
    if mismatch is not None:
        report.findings.append(mismatch)
    report.findings.extend(against_checkpoints(chain, checkpoints))

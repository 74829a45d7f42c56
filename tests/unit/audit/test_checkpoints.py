"""Signed checkpoints: written as new files only, refused when altered, and a history rewritten with fresh
hashes after a checkpoint is named by it; ``nsw audit`` end to end with its exit codes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.audit import checkpoints
from singlewindow.platform.audit.keys import key_id, signing_key, trusted_keys
from singlewindow.platform.audit.verify import Finding, load_checkpoints, verify
from singlewindow.platform.cli.main import cli
from singlewindow.platform.state.chain import ChainHead, extend
from singlewindow.platform.storage.tables import events, submissions

AT = datetime(2026, 12, 7, 15, 0, 0, 123456, tzinfo=UTC)


async def write_checkpoint(engine: AsyncEngine, directory: Path, key: Ed25519PrivateKey) -> Path:
    return checkpoints.write(directory, checkpoints.signed(await checkpoints.chain_heads(engine), key, AT), AT)


async def rewrite_history(engine: AsyncEngine, submission_id: str, sequence: int) -> None:
    """What an administrator with write access to the database could do: alter an event, then recompute
    every link after it and the head, so the chain itself is consistent again."""
    query = select(events).where(events.c.submission_id == submission_id).order_by(events.c.sequence)
    async with engine.begin() as conn:
        head = ChainHead()
        for row in [dict(r._mapping) for r in await conn.execute(query)]:
            if row["sequence"] == sequence:
                row["detail"] = {"forged": True}
            head = extend(head, row)
            values = {"detail": row["detail"], "entry_hash": row["entry_hash"]}
            await conn.execute(update(events).where(events.c.sequence == row["sequence"]).values(**values))
        await conn.execute(update(submissions).where(submissions.c.id == submission_id).values(chain_head=head.hash))


def test_a_checkpoint_is_never_overwritten(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    first = checkpoints.write(tmp_path, checkpoints.signed({"s_1": ChainHead("a" * 64, 1)}, key, AT), AT)
    second = checkpoints.write(tmp_path, checkpoints.signed({"s_1": ChainHead("b" * 64, 2)}, key, AT), AT)
    assert (first.name, second.name) == (
        "checkpoint-20261207T150000.123456Z.json",
        "checkpoint-20261207T150000.123456Z-2.json",
    )
    assert json.loads(first.read_text())["submissions"] == {"s_1": {"head": "a" * 64, "length": 1}}
    assert sorted(os.listdir(tmp_path)) == sorted([first.name, second.name])  # no temporary file left


async def test_a_rewritten_history_is_named_by_the_checkpoint_before_it(history: AsyncEngine, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    written = await write_checkpoint(history, tmp_path, key)
    signed_head = json.loads(written.read_text())["submissions"]["s_1"]["head"]
    usable, unusable = load_checkpoints(tmp_path, {key_id(key.public_key()): key.public_key()})
    assert ([c.name for c in usable], unusable) == ([written.name], [])
    assert (await verify(history, usable)).findings == []
    async with history.connect() as conn:
        third = (await conn.execute(select(events.c.sequence).where(events.c.submission_id == "s_1"))).all()[2][0]
    await rewrite_history(history, "s_1", third)
    async with history.connect() as conn:
        rewritten = (await conn.execute(select(submissions.c.chain_head).where(submissions.c.id == "s_1"))).scalar()
    assert (await verify(history, [])).findings == []  # the chain alone cannot tell
    (finding,) = (await verify(history, usable)).findings
    assert finding == Finding(
        "checkpoint_mismatch",
        f"checkpoint {written.name}: submission s_1 had 9 links ending in {signed_head}; the database no longer "
        f"matches: at link 9 it has {rewritten}",
        "s_1",
        index=9,
        expected=signed_head,
        found=rewritten,
        checkpoint=written.name,
    )


async def test_a_deleted_submission_and_a_cut_chain_are_named_by_the_checkpoint(
    history: AsyncEngine, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    await write_checkpoint(history, tmp_path, key)
    async with history.begin() as conn:
        await conn.execute(events.delete().where(events.c.submission_id == "s_2"))
    usable, _ = load_checkpoints(tmp_path, {key_id(key.public_key()): key.public_key()})
    kinds = [(f.kind, f.submission, f.found) for f in (await verify(history, usable)).findings]
    assert kinds == [("head_mismatch", "s_2", None), ("checkpoint_mismatch", "s_2", None)]


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (
            lambda d: d["submissions"]["s_1"].update(length=1),
            "signature does not verify: the file was altered or signed by another key",
        ),
        (
            lambda d: d.update(signature="AAAA"),
            "signature does not verify: the file was altered or signed by another key",
        ),
        (lambda d: d.update(keyId="0123456789abcdef"), "is signed by key '0123456789abcdef', which is not trusted"),
        (lambda d: d.update(format="other"), "is not a checkpoint (format is not nsw-audit-checkpoint/1)"),
    ],
)
async def test_a_tampered_checkpoint_file_is_refused_by_name(
    history: AsyncEngine, tmp_path: Path, tamper: object, why: str
) -> None:
    key = Ed25519PrivateKey.generate()
    path = await write_checkpoint(history, tmp_path, key)
    document = json.loads(path.read_text())
    tamper(document)  # type: ignore[operator]
    path.chmod(0o644)
    path.write_text(json.dumps(document))
    usable, unusable = load_checkpoints(tmp_path, {key_id(key.public_key()): key.public_key()})
    assert (usable, unusable) == (
        [],
        [Finding("checkpoint_unusable", f"checkpoint {path.name} {why}", checkpoint=path.name)],
    )


def test_a_checkpoint_that_is_not_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "checkpoint-x.json").write_bytes(b"\xff{")
    _, (finding,) = load_checkpoints(tmp_path, {})
    assert finding.message == "checkpoint checkpoint-x.json cannot be read as JSON (UnicodeDecodeError)"


def test_the_signing_key_is_made_once_and_trusted_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit.pem"
    made = signing_key(path, create=True)
    again = signing_key(path, create=True)
    assert key_id(made.public_key()) == key_id(again.public_key())
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert list(trusted_keys(path, [])) == [key_id(made.public_key())]


def test_nsw_audit_checkpoint_then_verify_exits_0_then_1_after_tampering(history: AsyncEngine, tmp_path: Path) -> None:
    database = tmp_path / "hub.db"
    env = {
        "NSW_DATABASE__URL": f"sqlite:///{database}",
        "NSW_AUDIT__CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "NSW_AUDIT__KEY_FILE": str(tmp_path / "audit.pem"),
        "NSW_EVENT_LOOP": "asyncio",
    }
    runner = CliRunner()
    made = runner.invoke(cli, ["audit", "checkpoint"], env=env)
    assert made.exit_code == 0, made.output
    assert "(2 submissions, key " in made.output
    clean = runner.invoke(cli, ["audit", "verify", "--json"], env=env)
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output) | {"checkpoints": []} == {
        "ok": True, "submissions": 2, "links": 10, "unlinked": 0, "checkpoints": [], "findings": []
    }  # fmt: skip
    import sqlite3

    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE events SET actor = 'someone-else' WHERE submission_id = 's_2'")
    broken = runner.invoke(cli, ["audit", "verify", "--submission", "s_2"], env=env)
    assert broken.exit_code == 1
    lines = broken.output.splitlines()
    assert lines[0].startswith("broken_link: submission s_2: event ")
    assert lines[1].startswith("checkpoint_mismatch: checkpoint checkpoint-")
    assert lines[-1] == (
        "1 submissions, 0 links, 1 checkpoints checked; 0 events before the chain began (before migration 0009, "
        "not covered); 2 problems"
    )

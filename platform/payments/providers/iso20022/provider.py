"""The ISO 20022 provider: payment files out to the bank channel, notification files in from it.

``initiate`` writes the order as a ``pain.001`` into the outbox folder, atomically (written beside, then
renamed) and named by its message id; the same order again finds its file and writes nothing new, and its
message id is the same, which a bank refuses to execute twice. ``notices`` reads the ``*.xml`` files the
bank channel put in the inbox folder, oldest name first: a file read whole is moved to ``processed/``, a
file that cannot be read (not camt.054, hostile, for another account, inconsistent) to ``rejected/`` with
``<name>.reason.txt`` beside it. A file is never deleted and never read into a notice twice by two hub
processes: it is moved by a link that fails if the name is taken, then unlinked; the process whose unlink
finds the file gone drops what it read. (On a file system without hard links it is renamed instead, and
that guarantee rests on one hub process reading the inbox.)

The folders are the bank channel's (an SFTP drop, an EBICS client, a host-to-host gateway): the channel
writes a file under another name and renames it to ``*.xml`` when complete, as such channels do; files
with other names and hidden files are left alone. Checking a bank's signature on the file is the
channel's job, not done here.

A caller that crashes after ``notices`` returned and before it reconciled them finds the file in
``processed/``: re-importing it (``notices_from_file``) is safe, reconciliation being idempotent.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import structlog

from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.payments.provider import Initiation, Party, PaymentNotice, PaymentOrder
from singlewindow.platform.payments.providers.iso20022.accounts import normalise_account
from singlewindow.platform.payments.providers.iso20022.camt054 import read_file
from singlewindow.platform.payments.providers.iso20022.pain001 import CONTENT_TYPE, message_id_for, write_pain001
from singlewindow.platform.payments.providers.iso20022.safe_xml import MAX_BYTES

log = structlog.get_logger(__name__)
PROCESSED = "processed"
REJECTED = "rejected"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Iso20022Config:
    """Where payment files go, where notifications come from, and the treasury account they pay into."""

    outbox: Path
    inbox: Path
    creditor: Party
    max_bytes: int = MAX_BYTES


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.part")
    with partial.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _move(source: Path, folder: Path) -> Path | None:
    """Move ``source`` into ``folder`` under a free name; None when another process moved it first."""
    folder.mkdir(exist_ok=True)
    for attempt in range(10_000):
        target = folder / (source.name if attempt == 0 else f"{source.stem}.{attempt}{source.suffix}")
        try:
            os.link(source, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        except OSError:  # a file system without hard links (a network share): rename to a name not taken
            if target.exists() or target.is_symlink():
                continue
            try:
                os.rename(source, target)
            except FileNotFoundError:
                return None
            return target
        try:
            source.unlink()
        except FileNotFoundError:  # another process took it between our link and unlink: ours is a copy
            target.unlink()
            return None
        return target
    raise OSError(f"no free name for {source.name} in {folder}")


class Iso20022Provider:
    """Bank files: pain.001 into ``config.outbox``, camt.054 out of ``config.inbox``."""

    def __init__(self, config: Iso20022Config, *, name: str = "iso20022", clock: Callable[[], datetime] = _now):
        self._config = config
        self._name = name
        self._clock = clock
        self._inbox_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    async def initiate(self, order: PaymentOrder) -> Initiation:
        return await asyncio.to_thread(self.write_order, order)

    async def notices(self) -> list[PaymentNotice]:
        return await asyncio.to_thread(self.read_inbox)

    def write_order(self, order: PaymentOrder) -> Initiation:
        """The pain.001 for ``order`` in the outbox (written once); the order must pay the treasury."""
        treasury = self._config.creditor
        if normalise_account(order.creditor.account) != normalise_account(treasury.account):
            message = "the order does not pay into the treasury's account"
            raise InvalidInput(f"creditor: {message}", [Problem("creditor/account", "creditor.not-treasury", message)])
        order = replace(order, creditor=treasury)
        message_id = message_id_for([order])
        path = self._config.outbox / f"{message_id}.xml"
        if path.is_file():
            document = path.read_bytes()
        else:
            document = write_pain001([order], message_id=message_id, created_at=self._clock())
            self._config.outbox.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, document)
            log.info("pain001 written", message_id=message_id, invoice=order.invoice_id, file=str(path))
        return Initiation(provider=self._name, message_id=message_id, document=document, content_type=CONTENT_TYPE)

    def read_inbox(self) -> list[PaymentNotice]:
        """The credits of every new notification file in the inbox, each file moved once it is read."""
        inbox = self._config.inbox
        notices: list[PaymentNotice] = []
        with self._inbox_lock:
            if not inbox.is_dir():
                return notices
            for path in sorted(inbox.iterdir()):
                if path.name.startswith(".") or path.suffix.lower() != ".xml" or path.is_dir():
                    continue
                notices.extend(self._read_one(path))
        return notices

    def _read_one(self, path: Path) -> list[PaymentNotice]:
        inbox = self._config.inbox
        try:
            if path.is_symlink() or not path.is_file():
                raise InvalidInput(
                    "file: not a regular file", [Problem("/", "file.not-regular", "links are not followed")]
                )
            reading = read_file(
                path, provider=self._name, account=self._config.creditor.account, max_bytes=self._config.max_bytes
            )
        except InvalidInput as exc:
            self._reject(path, exc)
            return []
        except FileNotFoundError:  # another process moved it
            return []
        except OSError as exc:  # unreadable now (permissions, I/O): left in place for the next call
            log.warning("camt054 not readable", file=path.name, error=str(exc))
            return []
        if _move(path, inbox / PROCESSED) is None:
            return []
        log.info(
            "camt054 read",
            file=path.name,
            message_id=reading.message_id,
            notices=len(reading.notices),
            skipped=len(reading.skipped),
        )
        return list(reading.notices)

    def _reject(self, path: Path, error: InvalidInput) -> None:
        moved = _move(path, self._config.inbox / REJECTED)
        if moved is None:
            return
        lines = [f"{path.name} was not read: {error.message}"]
        lines += [f"{problem.path}: {problem.code}: {problem.message}" for problem in error.problems]
        _write_atomically(moved.with_name(f"{moved.name}.reason.txt"), ("\n".join(lines) + "\n").encode())
        log.warning("camt054 rejected", file=path.name, moved_to=str(moved), reason=error.message)

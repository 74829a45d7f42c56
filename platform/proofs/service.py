"""Issue and verify the hub's signed status statements (the QR code on a consolidated decision).

The hub signs, not the portal: the key lives in the hub's own keystore (setting ``hub.status_keys_dir``, the
same layout and rotation as the gateway's keys, adapters/gateway/keystore.py), so a proof verifies at any
hub process and against ``GET /v1/status-proofs/keys`` offline. Verifying says three things an officer at
the border needs: whether the hub signed it, whether it is still the submission's latest status, and if not,
what the latest is.
"""

from __future__ import annotations

import base64
import fcntl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.signing import parse_timestamp, verdict, verify
from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.proofs.statement import StatusStatement, decode_payload, encode_payload
from singlewindow.platform.state import SubmissionStore
from singlewindow.platform.state.common import rfc3339_millis, utcnow

Verdict = Literal["current", "outdated", "bad-signature", "unknown-key", "unknown-submission"]

_MESSAGES: dict[Verdict, str] = {
    "current": "signed by the hub; this is the submission's latest status",
    "outdated": "signed by the hub, but a later status exists",
    "bad-signature": "not signed by this hub: the payload was altered or signed with another key",
    "unknown-key": "signed with a key this hub does not know",
    "unknown-submission": "signed by the hub, but the submission no longer exists here",
}


@dataclass(frozen=True, slots=True)
class Verification:
    verdict: Verdict
    statement: StatusStatement
    latest: dict[str, Any] | None = None  # version, status, statusSequence now (only for a genuine proof)

    @property
    def signed(self) -> bool:
        return self.verdict in ("current", "outdated", "unknown-submission")

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "signed": self.signed,
            "current": self.verdict == "current",
            "message": _MESSAGES[self.verdict],
            "statement": self.statement.as_dict(),
            "latest": self.latest,
        }


STATUS_KEY_NAME = "nsw-status"  # key ids read nsw-status-2026-01: never taken for a gateway key


def status_keystore(directory: Path) -> Keystore:
    """The status keystore, with a first key made if it has none (a fresh deployment, embedded defaults).

    Hub processes sharing the folder may issue their first proofs at once: the check and the key's making
    happen under an exclusive lock on a file in the folder, so they make one key, not one each (the later
    index would hide the earlier key and its proofs would no longer verify).
    """
    keystore = Keystore(directory)
    if keystore.records():
        return keystore
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (directory / ".make-key.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not keystore.records():
            keystore.generate(STATUS_KEY_NAME)
    return keystore


class StatusProofs:
    """Keys are made on the first proof issued, not at start: a hub that never issues one writes nothing."""

    def __init__(self, directory: Path, submissions: SubmissionStore) -> None:
        self._keystore = Keystore(directory)
        self._submissions = submissions

    def issue(self, view: SubmissionView, now: datetime | None = None) -> dict[str, Any]:
        """The payload for ``view`` as the caller just read it (the API checked the caller may read it)."""
        key = status_keystore(self._keystore.directory).active(now)
        statement = StatusStatement(
            view.submission_id,
            view.version,
            view.ucr,
            view.status.value,
            view.status_sequence,
            rfc3339_millis(now or utcnow()),
            key.key_id,
        )
        signature = base64.b64decode(key.sign(statement.signed_bytes()))
        return {"payload": encode_payload(statement, signature), "statement": statement.as_dict()}

    def public_keys(self) -> list[dict[str, str]]:
        return self._keystore.export_public()

    async def verify(self, payload: object) -> Verification:
        """InvalidInput for a payload not of our form; otherwise a verdict (a forged one is a verdict too)."""
        statement, signature = decode_payload(payload)
        try:  # a key that has since stopped signing still vouches for what it signed while valid
            issued = parse_timestamp(statement.issued_at)
        except ValueError:
            return Verification("bad-signature", statement)  # the hub never signs a statement without an instant
        key = verdict([record.profile_entry() for record in self._keystore.records()], statement.key_id, issued)
        if key.public_key is None:
            return Verification("unknown-key" if key.status == "unknown" else "bad-signature", statement)
        if not verify(key.public_key, base64.b64encode(signature).decode("ascii"), statement.signed_bytes()):
            return Verification("bad-signature", statement)
        try:
            record = await self._submissions.get(statement.submission_id)
        except NotFound:
            return Verification("unknown-submission", statement)
        head = await self._submissions.version(record.id, record.current_version)
        latest = {
            "version": record.current_version,
            "status": head.status.value,
            "statusSequence": head.status_sequence,
        }
        same = (record.current_version, head.status_sequence) == (statement.version, statement.status_sequence)
        return Verification("current" if same else "outdated", statement, latest)

"""Our signing keys on disk, and partners' public keys in their profiles.

The keystore is a directory (setting ``gateway.keys_dir``, mode 0700) holding one private key per file,
``<keyId>.key`` (PEM PKCS#8, mode 0600, written once and never rewritten), and ``keys.json``, the index::

    {"hubId": "kz-nsw", "keys": [{"keyId": "kz-nsw-2026-01", "publicKey": "<base64 raw 32 bytes>",
      "createdAt": "...Z", "validFrom": "...Z", "validTo": "...Z", "active": true}]}

Exactly one key is active (the one we sign with). Rotation makes a new key active and shortens the old key's
validity to now + overlap, so the partner still verifies what was signed with it and still in flight; the
partner needs the new public key (``export_public``) in its profile of us before our first envelope signed
with it arrives. The index is replaced atomically; a private key file is written before the index names it.
Key material never reaches a log line, a repr or an error message.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from singlewindow.adapters.gateway.signing import SigningKey, decode_public_key, parse_timestamp
from singlewindow.platform.errors import ConfigurationError, Conflict, InvalidInput, NotFound, Problem
from singlewindow.platform.specs.catalog import read_json
from singlewindow.platform.state.common import rfc3339_millis, utcnow

INDEX = "keys.json"
DEFAULT_VALID_DAYS = 730
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,63}$")  # the envelope spec's Signature.keyId pattern
HUB_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")  # the envelope spec's HubAddress.hubId pattern
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One of our keys as the index lists it (public parts and dates only)."""

    key_id: str
    public_key: str
    created_at: datetime
    valid_from: datetime
    valid_to: datetime
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "keyId": self.key_id,
            "publicKey": self.public_key,
            "createdAt": rfc3339_millis(self.created_at),
            "validFrom": rfc3339_millis(self.valid_from),
            "validTo": rfc3339_millis(self.valid_to),
            "active": self.active,
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> KeyRecord:
        return cls(
            key_id=str(entry["keyId"]),
            public_key=str(entry["publicKey"]),
            created_at=parse_timestamp(entry["createdAt"]),
            valid_from=parse_timestamp(entry["validFrom"]),
            valid_to=parse_timestamp(entry["validTo"]),
            active=bool(entry["active"]),
        )

    def profile_entry(self) -> dict[str, str]:
        """The entry for the partner's profile of us (its ``keys`` list)."""
        return {
            "keyId": self.key_id,
            "publicKey": self.public_key,
            "validFrom": rfc3339_millis(self.valid_from),
            "validTo": rfc3339_millis(self.valid_to),
        }


def _write_atomically(path: Path, text: str, mode: int) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


class Keystore:
    """The keys directory. Every call reads the index afresh: the CLI may have rotated since."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX

    def _key_path(self, key_id: str) -> Path:
        if not KEY_ID.fullmatch(key_id):  # a key id names a file: nothing that could leave the directory
            raise InvalidInput(f"{key_id!r} is not a key id")
        return self.directory / f"{key_id}.key"

    def _read_index(self) -> dict[str, Any]:
        if not self.index_path.exists():
            return {"hubId": None, "keys": []}
        index = read_json(self.index_path)
        if not isinstance(index, dict) or not isinstance(index.get("keys"), list):
            raise ConfigurationError(f"{self.index_path}: not a keystore index")
        return index

    def _write_index(self, hub_id: str, records: list[KeyRecord]) -> None:
        index = {"hubId": hub_id, "keys": [record.to_json() for record in records]}
        _write_atomically(self.index_path, json.dumps(index, indent=2) + "\n", 0o600)

    def _prepare_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)

    def _new_key(self, hub_id: str, records: list[KeyRecord], now: datetime, valid_days: int) -> KeyRecord:
        """A fresh key, its private half already on disk (0600), not yet in the index."""
        if valid_days < 1:
            raise InvalidInput("a key must be valid for at least one day")
        prefix = f"{hub_id}-{now.year}-"
        number = 1 + sum(record.key_id.startswith(prefix) for record in records)
        while self._key_path(f"{prefix}{number:02d}").exists():  # a file left by an interrupted run
            number += 1
        key = SigningKey.generate(f"{prefix}{number:02d}")
        descriptor = os.open(self._key_path(key.key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(key.to_pem())
            handle.flush()
            os.fsync(handle.fileno())
        return KeyRecord(key.key_id, key.public_key_b64, now, now, now + timedelta(days=valid_days), True)

    @property
    def hub_id(self) -> str | None:
        hub_id = self._read_index().get("hubId")
        return hub_id if isinstance(hub_id, str) else None

    def records(self) -> list[KeyRecord]:
        """Every key the index lists, oldest first."""
        try:
            return [KeyRecord.from_json(entry) for entry in self._read_index()["keys"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"{self.index_path}: a key entry is incomplete or malformed") from exc

    def generate(self, hub_id: str, *, valid_days: int = DEFAULT_VALID_DAYS, now: datetime | None = None) -> KeyRecord:
        """The first key of an empty keystore, active from now; Conflict when there are keys (rotate them)."""
        if not HUB_ID.fullmatch(hub_id):
            raise InvalidInput(f"{hub_id!r} is not a hub id (lower case, like kz-nsw)")
        if self.records():
            raise Conflict(f"{self.directory} already holds keys; use rotate for a new one")
        self._prepare_directory()
        record = self._new_key(hub_id, [], now or utcnow(), valid_days)
        self._write_index(hub_id, [record])
        return record

    def active_record(self, now: datetime | None = None) -> KeyRecord:
        """The key to sign with at ``now``: the newest (flagged ``active``) once its validFrom has come; until
        then the one it replaces, still valid (a rotation announced ahead, ``rotate(activate_in=...)``)."""
        now = now or utcnow()
        current = [record for record in self.records() if record.valid_from <= now < record.valid_to]
        if not current:
            raise NotFound(f"{self.directory}: no active signing key valid now (run `nsw gateway keys generate`)")
        flagged = [record for record in current if record.active]
        return flagged[0] if flagged else max(current, key=lambda record: record.valid_from)

    def active(self, now: datetime | None = None) -> SigningKey:
        """The key to sign with now (or at ``now``)."""
        return self.signing_key(self.active_record(now).key_id)

    def signing_key(self, key_id: str) -> SigningKey:
        """One of our keys by id, refused if its file is readable by anyone but its owner."""
        path = self._key_path(key_id)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise NotFound(f"{path}: no such key file") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(f"{path}: a private key file must be mode 0600 (chmod 600 {path})")
        key = SigningKey.from_pem(key_id, path.read_bytes())
        listed = {record.key_id: record.public_key for record in self.records()}
        if listed.get(key_id) != key.public_key_b64:
            raise ConfigurationError(f"{path}: the key does not match the index's public key for {key_id}")
        return key

    def export_public(self, *, now: datetime | None = None) -> list[dict[str, str]]:
        """Profile key entries (keyId, publicKey, validFrom, validTo) of every key not yet expired: what the
        partner pastes into its profile of us."""
        now = now or utcnow()
        return [record.profile_entry() for record in self.records() if record.valid_to > now]

    def rotate(
        self,
        overlap: timedelta,
        *,
        activate_in: timedelta = timedelta(0),
        valid_days: int = DEFAULT_VALID_DAYS,
        now: datetime | None = None,
    ) -> KeyRecord:
        """A new key that signs from now + ``activate_in``; the key it replaces signs until then and stays
        valid for ``overlap`` after it (never longer than it already was), so envelopes it signed that are
        still on the link verify, and none after. Announce ahead (``activate_in``) so the partner can import
        the new public key before the first envelope signed with it arrives."""
        if overlap < timedelta(0) or activate_in < timedelta(0):
            raise InvalidInput("the overlap and the delay before activation cannot be negative")
        now = now or utcnow()
        hub_id = self.hub_id
        old = self.active_record(now)
        assert hub_id is not None  # an index with an active key has its hub id
        self._prepare_directory()
        switch = now + activate_in
        records = [
            replace(record, active=False, valid_to=min(record.valid_to, switch + overlap))
            if record.key_id == old.key_id or record.active
            else record
            for record in self.records()
        ]
        new = self._new_key(hub_id, records, now, valid_days)
        new = replace(new, valid_from=switch, valid_to=switch + timedelta(days=valid_days))
        self._write_index(hub_id, [*records, new])
        assert old.key_id != new.key_id
        return new


def _timestamp(text: object, path: str) -> str:
    """An RFC 3339 instant with a zone, normalised to the specs' UTC millisecond form."""
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise InvalidInput(
            f"{path} must be an RFC 3339 timestamp", [Problem(path, "format", "like 2026-12-07T10:00:00.000Z")]
        )
    try:
        return rfc3339_millis(parse_timestamp(text))
    except ValueError:
        raise InvalidInput(f"{path} is not a real instant", [Problem(path, "format", "a real date and time")]) from None


def partner_key_entry(entry: Mapping[str, Any]) -> dict[str, str]:
    """A profile key entry checked and normalised: key id pattern, a real Ed25519 public key, timestamps in
    the specs' form, validFrom before validTo. InvalidInput names the field otherwise."""
    key_id = entry.get("keyId")
    if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
        raise InvalidInput("keyId is not a key id", [Problem("/keyId", "pattern", KEY_ID.pattern)])
    public_key = entry.get("publicKey")
    if not isinstance(public_key, str):
        raise InvalidInput("publicKey is missing", [Problem("/publicKey", "required", "base64 of 32 bytes")])
    decode_public_key(public_key)
    valid_from, valid_to = (
        _timestamp(entry.get("validFrom"), "/validFrom"),
        _timestamp(entry.get("validTo"), "/validTo"),
    )
    if parse_timestamp(valid_from) >= parse_timestamp(valid_to):
        raise InvalidInput("validFrom must be before validTo", [Problem("/validTo", "range", "after validFrom")])
    return {"keyId": key_id, "publicKey": public_key, "validFrom": valid_from, "validTo": valid_to}


def import_partner_key(profile_path: Path, entry: Mapping[str, Any]) -> str:
    """Add ``entry`` to the profile's ``keys`` (or replace the entry with its keyId); "added" or "updated".

    The profile file keeps its 2-space layout and is replaced atomically; a bad key changes nothing.
    """
    checked = partner_key_entry(entry)
    profile = read_json(profile_path)
    if not isinstance(profile, dict):
        raise InvalidInput(f"{profile_path}: a partner profile is a JSON object")
    keys = profile.setdefault("keys", [])
    if not isinstance(keys, list):
        raise InvalidInput(f"{profile_path}: keys must be a list")
    for other in keys:
        if (
            isinstance(other, dict)
            and other.get("publicKey") == checked["publicKey"]
            and other.get("keyId") != checked["keyId"]
        ):
            raise Conflict(f"{profile_path}: that public key is already listed as {other.get('keyId')}")
    positions = [
        i for i, other in enumerate(keys) if isinstance(other, dict) and other.get("keyId") == checked["keyId"]
    ]
    if positions:
        keys[positions[0]] = checked
    else:
        keys.append(checked)
    mode = stat.S_IMODE(profile_path.stat().st_mode)
    _write_atomically(profile_path, json.dumps(profile, indent=2, ensure_ascii=False) + "\n", mode)
    return "updated" if positions else "added"

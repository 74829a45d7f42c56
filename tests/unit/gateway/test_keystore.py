"""The keys directory: private keys stay private (modes, no material in the index), one key is active,
rotation keeps the old key valid for the overlap only, and partner keys land in their profile files."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from singlewindow.adapters.gateway.keystore import Keystore, import_partner_key, partner_key_entry
from singlewindow.adapters.gateway.signing import SigningKey, verify
from singlewindow.platform.errors import ConfigurationError, Conflict, InvalidInput, NotFound

NOW = datetime(2026, 12, 7, 10, 0, 0, 123000, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path / "var" / "gateway-keys")


def test_generate_writes_a_private_key_only_its_owner_can_read(store: Keystore) -> None:
    record = store.generate("kz-nsw", now=NOW)

    assert record.key_id == "kz-nsw-2026-01" and record.active
    assert record.valid_from == NOW and record.valid_to == NOW + timedelta(days=730)
    assert mode(store.directory) == 0o700
    assert mode(store.directory / "kz-nsw-2026-01.key") == 0o600
    assert mode(store.index_path) == 0o600
    index = json.loads(store.index_path.read_text())
    assert index == {"hubId": "kz-nsw", "keys": [record.to_json()]}
    assert "PRIVATE" not in store.index_path.read_text()

    key = store.active(NOW)
    assert key.key_id == "kz-nsw-2026-01" and key.public_key_b64 == record.public_key
    assert verify(key.public_key, key.sign(b"x"), b"x")


def test_generate_refuses_a_keystore_that_has_keys_and_a_bad_hub_id(store: Keystore) -> None:
    with pytest.raises(InvalidInput, match="hub id"):
        store.generate("KZ NSW")
    store.generate("kz-nsw", now=NOW)
    with pytest.raises(Conflict, match="rotate"):
        store.generate("kz-nsw", now=NOW)


def test_an_empty_keystore_has_no_active_key(store: Keystore) -> None:
    with pytest.raises(NotFound, match="no active signing key"):
        store.active(NOW)
    assert store.export_public() == [] and store.hub_id is None


def test_rotate_makes_a_new_active_key_and_ends_the_old_one_after_the_overlap(store: Keystore) -> None:
    first = store.generate("kz-nsw", now=NOW - timedelta(days=100))
    second = store.rotate(timedelta(days=7), now=NOW)

    assert second.key_id == "kz-nsw-2026-02" and second.active and second.valid_from == NOW
    old, new = store.records()
    assert old.key_id == first.key_id and not old.active and old.valid_to == NOW + timedelta(days=7)
    assert new == second
    assert store.active(NOW).key_id == "kz-nsw-2026-02"
    assert store.signing_key(first.key_id).public_key_b64 == first.public_key  # still there to read

    exported = store.export_public(now=NOW + timedelta(days=6))
    assert [entry["keyId"] for entry in exported] == ["kz-nsw-2026-01", "kz-nsw-2026-02"]
    assert exported[0] == {
        "keyId": "kz-nsw-2026-01",
        "publicKey": first.public_key,
        "validFrom": "2026-08-29T10:00:00.123Z",
        "validTo": "2026-12-14T10:00:00.123Z",
    }
    assert [entry["keyId"] for entry in store.export_public(now=NOW + timedelta(days=7))] == ["kz-nsw-2026-02"]


def test_rotate_never_lengthens_an_old_key(store: Keystore) -> None:
    store.generate("kz-nsw", valid_days=3, now=NOW)
    store.rotate(timedelta(days=30), now=NOW)
    assert store.records()[0].valid_to == NOW + timedelta(days=3)


def test_a_private_key_readable_by_others_is_refused(store: Keystore) -> None:
    store.generate("kz-nsw", now=NOW)
    (store.directory / "kz-nsw-2026-01.key").chmod(0o644)
    with pytest.raises(ConfigurationError, match="mode 0600"):
        store.active(NOW)


def test_a_key_file_that_is_not_the_indexed_key_is_refused(store: Keystore) -> None:
    store.generate("kz-nsw", now=NOW)
    path = store.directory / "kz-nsw-2026-01.key"
    path.write_bytes(SigningKey.generate("kz-nsw-2026-01").to_pem())
    with pytest.raises(ConfigurationError, match="does not match"):
        store.active(NOW)


def test_a_key_id_cannot_name_a_file_outside_the_directory(store: Keystore) -> None:
    with pytest.raises(InvalidInput):
        store.signing_key("../../etc/passwd")


def profile(tmp_path: Path) -> Path:
    path = tmp_path / "cn.json"
    path.write_text(json.dumps({"version": 1, "country": "CN", "hubId": "cn-sw", "keys": []}, indent=2) + "\n")
    return path


def partner_entry(key: SigningKey, **changes: str) -> dict[str, str]:
    entry = {
        "keyId": key.key_id,
        "publicKey": key.public_key_b64,
        "validFrom": "2026-12-01T00:00:00Z",
        "validTo": "2028-12-01T08:00:00+08:00",
    }
    return entry | changes


def test_import_adds_then_updates_a_partner_key_keeping_the_layout(tmp_path: Path) -> None:
    path = profile(tmp_path)
    key = SigningKey.generate("cn-sw-2026-01")

    assert import_partner_key(path, partner_entry(key)) == "added"
    text = path.read_text()
    assert text.endswith("}\n") and '\n  "keys": [\n    {\n      "keyId": "cn-sw-2026-01",' in text
    assert json.loads(text)["keys"] == [
        {
            "keyId": "cn-sw-2026-01",
            "publicKey": key.public_key_b64,
            "validFrom": "2026-12-01T00:00:00.000Z",
            "validTo": "2028-12-01T00:00:00.000Z",
        }
    ]

    assert import_partner_key(path, partner_entry(key, validTo="2027-01-01T00:00:00.000Z")) == "updated"
    keys = json.loads(path.read_text())["keys"]
    assert len(keys) == 1 and keys[0]["validTo"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"publicKey": "AAAA"}, "/publicKey"),
        ({"keyId": "CN SW"}, "/keyId"),
        ({"validFrom": "2026-12-01"}, "/validFrom"),
        ({"validTo": "2026-13-01T00:00:00Z"}, "/validTo"),
        ({"validTo": "2026-11-01T00:00:00.000Z"}, "/validTo"),
    ],
)
def test_import_refuses_a_bad_entry_and_leaves_the_profile_alone(
    tmp_path: Path, changes: dict[str, str], where: str
) -> None:
    path = profile(tmp_path)
    before = path.read_text()
    with pytest.raises(InvalidInput) as refused:
        import_partner_key(path, partner_entry(SigningKey.generate("cn-sw-2026-01"), **changes))
    assert refused.value.problems[0].path == where
    assert path.read_text() == before


def test_import_refuses_one_public_key_under_two_ids(tmp_path: Path) -> None:
    path = profile(tmp_path)
    key = SigningKey.generate("cn-sw-2026-01")
    import_partner_key(path, partner_entry(key))
    with pytest.raises(Conflict, match="already listed as cn-sw-2026-01"):
        import_partner_key(path, partner_entry(key, keyId="cn-sw-2026-02"))


def test_exported_entries_import_as_they_are(store: Keystore, tmp_path: Path) -> None:
    store.generate("kz-nsw", now=NOW)
    (entry,) = store.export_public(now=NOW)
    assert partner_key_entry(entry) == entry


def test_a_rotation_announced_ahead_signs_with_the_old_key_until_the_new_one_starts(store: Keystore) -> None:
    first = store.generate("kz-nsw", now=NOW)
    new = store.rotate(timedelta(days=7), activate_in=timedelta(days=1), now=NOW)
    assert new.valid_from == NOW + timedelta(days=1)
    assert store.active(NOW + timedelta(hours=23)).key_id == first.key_id, "announced, not signing yet"
    assert store.active(NOW + timedelta(days=1)).key_id == new.key_id
    exported = {entry["keyId"]: entry for entry in store.export_public(now=NOW)}
    assert set(exported) == {first.key_id, new.key_id}, "the partner can import the new key before it signs"
    (old,) = [r for r in store.records() if r.key_id == first.key_id]
    assert old.valid_to == NOW + timedelta(days=8)
    with pytest.raises(InvalidInput):
        store.rotate(timedelta(days=7), activate_in=timedelta(days=-1), now=NOW)

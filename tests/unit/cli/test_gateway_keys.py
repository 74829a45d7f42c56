"""``nsw gateway keys``: generate, export (public parts only), import into a partner profile, rotate; and the
gateway group's lazily imported subcommands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.signing import SigningKey
from singlewindow.platform.cli import gateway as gateway_cli
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import InvalidInput


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "gateway-keys"


def nsw(keys_dir: Path, *args: str) -> Result:
    env = {"NSW_GATEWAY__KEYS_DIR": str(keys_dir), "NSW_GATEWAY__HUB_ID": "kz-nsw", "NSW_CONFIG_FILE": ""}
    return CliRunner().invoke(cli, ["gateway", *args], env=env)


def test_generate_export_rotate(keys_dir: Path) -> None:
    generated = nsw(keys_dir, "keys", "generate", "--hub-id", "kz-nsw", "--valid-days", "30")
    assert generated.exit_code == 0, generated.output
    assert "generated kz-nsw-" in generated.output
    (private,) = keys_dir.glob("*.key")
    assert private.stat().st_mode & 0o777 == 0o600

    exported = nsw(keys_dir, "keys", "export", "--json")
    assert exported.exit_code == 0, exported.output
    (entry,) = json.loads(exported.output)
    assert set(entry) == {"keyId", "publicKey", "validFrom", "validTo"}
    assert entry["publicKey"] == Keystore(keys_dir).active().public_key_b64
    assert "PRIVATE" not in exported.output and private.read_text().splitlines()[1] not in exported.output

    rotated = nsw(keys_dir, "keys", "rotate", "--overlap", "P7D")
    assert rotated.exit_code == 0, rotated.output
    assert "stays valid P7D after" in rotated.output
    listed = nsw(keys_dir, "keys", "export")
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 2
    records = Keystore(keys_dir).records()
    assert [record.active for record in records] == [False, True]
    assert records[0].valid_to - records[1].valid_from == timedelta(days=7)


def test_export_of_an_empty_keystore_says_what_to_do(keys_dir: Path) -> None:
    assert json.loads(nsw(keys_dir, "keys", "export", "--json").stdout) == []
    result = nsw(keys_dir, "keys", "export")
    assert result.exit_code == 0 and result.stdout == "" and "keys generate" in result.stderr


def test_generate_takes_the_hub_id_from_the_settings(keys_dir: Path) -> None:
    assert nsw(keys_dir, "keys", "generate").exit_code == 0
    assert Keystore(keys_dir).hub_id == "kz-nsw"


def test_rotate_refuses_a_bad_overlap(keys_dir: Path) -> None:
    nsw(keys_dir, "keys", "generate")
    result = nsw(keys_dir, "keys", "rotate", "--overlap", "7 days")
    assert result.exit_code == 2 and "ISO 8601 duration" in result.output


def test_import_adds_a_partner_key_and_refuses_a_bad_one(keys_dir: Path, tmp_path: Path) -> None:
    profile = tmp_path / "cn.json"
    profile.write_text(json.dumps({"country": "CN", "hubId": "cn-sw", "keys": []}, indent=2) + "\n")
    key = SigningKey.generate("cn-sw-2026-01")
    common = ["keys", "import", "--profile", str(profile), "--key-id", "cn-sw-2026-01"]
    dates = ["--valid-from", "2026-12-01T00:00:00.000Z", "--valid-to", "2028-12-01T00:00:00.000Z"]

    added = nsw(keys_dir, *common, "--public-key", key.public_key_b64, *dates)
    assert added.exit_code == 0, added.output
    assert "added key cn-sw-2026-01" in added.output
    assert json.loads(profile.read_text())["keys"][0]["publicKey"] == key.public_key_b64

    before = profile.read_text()
    bad = nsw(keys_dir, *common, "--public-key", "bm90IGEga2V5", *dates)
    assert bad.exit_code != 0 and isinstance(bad.exception, InvalidInput)
    assert profile.read_text() == before


def test_every_lazy_gateway_command_resolves_and_is_listed(keys_dir: Path) -> None:
    listing = nsw(keys_dir, "--help").output.split("Commands:")[1]
    for name in gateway_cli.LAZY:
        command = gateway_cli.gateway.get_command(click.Context(gateway_cli.gateway), name)
        assert isinstance(command, click.Command), name
        assert name in listing
    assert nsw(keys_dir, "nothing-like-it").exit_code == 2

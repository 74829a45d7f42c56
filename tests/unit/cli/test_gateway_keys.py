"""``nsw gateway keys``: generate, export (public parts only), import into a partner profile, rotate; and the
gateway group finding subcommands of other ``gateway_*`` modules lazily."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

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
    assert "stays valid for P7D" in rotated.output
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


@pytest.fixture
def extension(monkeypatch: pytest.MonkeyPatch) -> str:
    """A stand-in gateway_* module offering two commands, as gateway_link.py offers link and unlink."""
    name = "singlewindow.platform.cli.gateway_example"
    module = ModuleType(name)

    @click.command()
    def hello() -> None:
        click.echo("hello from the example module")

    @click.command(name="good-bye")
    def good_bye() -> None:
        click.echo("bye")

    module.COMMANDS = {"hello": hello, "good-bye": good_bye}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(gateway_cli, "_extension_names", lambda: [name])
    return name


def test_the_group_finds_commands_of_gateway_modules(keys_dir: Path, extension: str) -> None:
    assert nsw(keys_dir, "hello").output == "hello from the example module\n"
    assert nsw(keys_dir, "good-bye").output == "bye\n"
    listing = nsw(keys_dir, "--help").output
    assert "hello" in listing and "good-bye" in listing and "keys" in listing
    assert nsw(keys_dir, "nothing-like-it").exit_code == 2


def test_the_real_extension_modules_are_found_by_name() -> None:
    names = gateway_cli._extension_names()
    assert all(name.startswith("singlewindow.platform.cli.gateway_") for name in names)
    assert "singlewindow.platform.cli.gateway" not in names


def test_a_module_without_commands_offers_its_own_top_level_commands(
    keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "singlewindow.platform.cli.gateway_plain"
    module = ModuleType(name)

    @click.group()
    def quarantine() -> None:
        """Set-aside messages."""

    @quarantine.command(name="list")
    def list_() -> None:
        click.echo("nothing set aside")

    for command in (quarantine, list_):
        assert command.callback is not None
        command.callback.__module__ = name
    module.quarantine = quarantine  # type: ignore[attr-defined]
    module.list_ = list_  # type: ignore[attr-defined]
    module.keys = gateway_cli.keys  # type: ignore[attr-defined]  # imported, not its own: not offered again
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(gateway_cli, "_extension_names", lambda: [name])

    assert nsw(keys_dir, "quarantine", "list").output == "nothing set aside\n"
    listing = nsw(keys_dir, "--help").output.split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in listing if line.strip()] == ["keys", "quarantine"]

"""Discovery through the entry-point group (built-ins too, broken entries skipped) and ``nsw adapter``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from singlewindow.adapters.sdk.discovery import discover
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import ConfigurationError

GOOD_MODULE = '''
from singlewindow.adapters import Adapter, Handover


class PortAuthorityAdapter(Adapter):
    """Port authority berth system."""

    agency = "customs"

    async def deliver(self, document):
        return Handover(reference="berth-1")
'''


@pytest.fixture
def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed-looking distribution on sys.path with one good and two broken adapter entry points."""
    (tmp_path / "fake_port_adapter.py").write_text(GOOD_MODULE)
    info = tmp_path / "fake_port_adapter-2.3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-port-adapter\nVersion: 2.3.1\n")
    (info / "entry_points.txt").write_text(
        "[singlewindow.adapters]\n"
        "port = fake_port_adapter:PortAuthorityAdapter\n"
        "ghost = fake_module_that_does_not_exist:Adapter\n"
        "not-an-adapter = json:dumps\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_built_ins_are_found_through_the_entry_point_group() -> None:
    found = discover()
    echo = found.get("echo-file")
    assert (echo.agency, echo.distribution) == ("sanitary", "singlewindow")
    assert echo.target == "singlewindow.adapters.examples.echo_file:EchoFileAdapter"
    assert echo.description.startswith("Hands documents to a folder")


def test_a_broken_entry_point_is_skipped_and_the_rest_still_load(fake_distribution: Path) -> None:
    found = discover()
    names = [entry.name for entry in found.adapters]
    assert "echo-file" in names and "port" in names
    port = found.get("port")
    assert (port.agency, port.version, port.distribution) == ("customs", "2.3.1", "fake-port-adapter")
    broken = {entry.name: entry.error for entry in found.broken}
    assert set(broken) == {"ghost", "not-an-adapter"}
    assert "ModuleNotFoundError" in broken["ghost"]
    assert "not a subclass" in broken["not-an-adapter"]


def test_adapter_list_json_names_versions_and_distributions(fake_distribution: Path) -> None:
    result = CliRunner().invoke(cli, ["adapter", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    by_name = {entry["name"]: entry for entry in listed["adapters"]}
    assert by_name["port"]["version"] == "2.3.1" and by_name["echo-file"]["agency"] == "sanitary"
    assert {entry["name"] for entry in listed["broken"]} == {"ghost", "not-an-adapter"}


def test_adapter_list_table() -> None:
    result = CliRunner().invoke(cli, ["adapter", "list"])
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["NAME", "AGENCY", "VERSION", "DISTRIBUTION"]
    assert any(row.split()[:2] == ["echo-file", "sanitary"] for row in rows)


def test_an_unknown_adapter_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"Did you mean 'echo-file'\?.*Known adapters: .*echo-file"):
        discover().get("echo-fil")


def test_nsw_adapter_run_with_an_unknown_name_fails_listing_the_known_ones() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", "adapter", "run", "no-such-adapter"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "no adapter named 'no-such-adapter'" in result.stderr
    assert "Known adapters:" in result.stderr and "echo-file" in result.stderr
    assert "Traceback" not in result.stderr


def test_nsw_adapter_run_needs_a_broker_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NSW_BROKER__URL", raising=False)
    config = tmp_path / "echo.toml"
    config.write_text(f'[adapter]\noutbox_dir = "{tmp_path}"\ndecisions_dir = "{tmp_path / "d"}"\n')
    result = CliRunner().invoke(cli, ["adapter", "run", "echo-file", "--config", str(config)])
    assert isinstance(result.exception, ConfigurationError)
    assert "NSW_BROKER__URL" in str(result.exception)

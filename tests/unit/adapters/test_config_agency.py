"""An adapter config file may name the catalogue entry to serve (one echo-file system per agency)."""

from __future__ import annotations

from pathlib import Path

from singlewindow.adapters.sdk.config_file import read_config_file


def test_the_agency_key_is_read_and_defaults_to_the_adapter_class_own(tmp_path: Path) -> None:
    named = tmp_path / "customs.toml"
    named.write_text('agency = "customs"\n[adapter]\noutbox_dir = "/x"\n')
    plain = tmp_path / "plain.toml"
    plain.write_text('[adapter]\noutbox_dir = "/x"\n')
    assert read_config_file(named).agency == "customs"
    assert read_config_file(plain).agency is None

"""A third-party adapter in its own distribution, installed into a temporary venv, is discovered by
``nsw adapter list`` run from that venv (entry points, no network, no build isolation)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _list(python: str | Path) -> dict[str, dict[str, str]]:
    listed = subprocess.run(
        [str(python), "-m", "singlewindow.platform.cli", "adapter", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    assert listed.returncode == 0, listed.stderr
    return {entry["name"]: entry for entry in json.loads(listed.stdout)["adapters"]}


def test_an_adapter_installed_from_another_distribution_is_listed(thirdparty_python: Path) -> None:
    adapters = _list(thirdparty_python)
    assert adapters["port-authority"] == {
        "name": "port-authority",
        "agency": "port-authority",
        "version": "1.4.2",
        "distribution": "nsw-port-authority-adapter",
        "target": "nsw_port_authority:PortAuthorityAdapter",
        "description": "Books a berth for each document in the port authority's berth system.",
    }
    assert adapters["echo-file"]["distribution"] == "singlewindow"  # the built-ins, found the same way
    # The parent environment knows nothing of it: it was installed into the temporary venv only.
    assert "port-authority" not in _list(sys.executable)

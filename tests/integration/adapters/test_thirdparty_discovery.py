"""A third-party adapter in its own distribution, installed into a temporary venv, is discovered by
``nsw adapter list`` run from that venv (entry points, no network, no build isolation)."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PACKAGE = Path(__file__).parent / "thirdparty"


def _run(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, check=False, env=env)


def test_an_adapter_installed_from_another_distribution_is_listed(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    created = _run(sys.executable, "-m", "venv", "--system-site-packages", venv, env=env)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    # --system-site-packages reaches the base interpreter's packages, not this venv's: point the new venv at
    # this environment's site-packages (processing its .pth files, so the editable singlewindow is found).
    target = next(
        Path(p) for p in _run(python, "-c", "import site; print(site.getsitepackages()[0])", env=env).stdout.split()
    )
    (target / "nsw-parent-env.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in site.getsitepackages())
    )
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, source)  # build in a scratch copy: nothing written into the repository
    installed = _run(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--quiet", source, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = _run(python, "-m", "singlewindow.platform.cli", "adapter", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    adapters = {entry["name"]: entry for entry in json.loads(listed.stdout)["adapters"]}
    assert adapters["port-authority"] == {
        "name": "port-authority",
        "agency": "border-guard",
        "version": "1.4.2",
        "distribution": "nsw-port-authority-adapter",
        "target": "nsw_port_authority:PortAuthorityAdapter",
        "description": "Books a berth for each document in the port authority's berth system.",
    }
    assert adapters["echo-file"]["distribution"] == "singlewindow"  # the built-ins, found the same way

    # The parent environment knows nothing of it: it was installed into the temporary venv only.
    here = _run(sys.executable, "-m", "singlewindow.platform.cli", "adapter", "list", "--json", env=env)
    assert "port-authority" not in {entry["name"] for entry in json.loads(here.stdout)["adapters"]}

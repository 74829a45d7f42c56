"""Guards for the layout DESIGN.md fixes: platform/ must never shadow the stdlib module; the package list
(computed in setup.py) holds every Python and data folder."""

from __future__ import annotations

import fnmatch
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
SETUP: dict[str, Any] = runpy.run_path(str(ROOT / "setup.py"), run_name="setup_under_test")  # not __main__
PACKAGES: list[str] = SETUP["find_packages"]()

PIKA_ALLOWED = {
    Path("platform/transport/rabbitmq.py"),
    Path("platform/bench/raw_broker.py"),
}


def test_platform_folder_is_not_a_regular_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


def _dotted(name: str, folder: str, sub: Path) -> str:
    return ".".join((name, *sub.relative_to(ROOT / folder).parts))


def test_the_package_list_is_computed_not_kept_by_hand() -> None:
    assert "packages" not in SETUPTOOLS and "package-data" not in SETUPTOOLS
    assert len(PACKAGES) == len(set(PACKAGES))
    assert all(name.split(".")[1] in {"platform", "adapters", "registry", "message_specs"} for name in PACKAGES)
    assert "singlewindow" not in PACKAGES  # an implicit namespace: no singlewindow/ folder


def test_every_python_folder_is_listed_in_packages() -> None:
    listed = set(PACKAGES)
    for name, folder in SETUPTOOLS["package-dir"].items():
        for sub in [ROOT / folder, *(ROOT / folder).rglob("*")]:
            if sub.is_dir() and "__pycache__" not in sub.parts and any(sub.glob("*.py")):
                dotted = _dotted(name, folder, sub)
                assert dotted in listed, f"{sub} holds Python files but {dotted} is not in packages"


def test_every_spec_file_is_shipped_by_its_own_package() -> None:
    """Data folders are packages (so setuptools does not warn they "would be ignored"), and each one's
    patterns take every file it holds: a new document type or code list ships without an edit."""
    data = SETUP["package_data"](PACKAGES)
    for path in (ROOT / "message_specs").rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc") and path.name != "py.typed":
            package = _dotted("singlewindow.message_specs", "message_specs", path.parent)
            assert package in PACKAGES, path
            assert any(fnmatch.fnmatch(path.name, pattern) for pattern in data[package]), path
    for shipped in ("platform.demo.data", "adapters.phytosanitary.schemas", "adapters.phytosanitary.samples"):
        assert f"singlewindow.{shipped}" in PACKAGES and data[f"singlewindow.{shipped}"], shipped


def test_stdlib_platform_wins_when_run_from_the_repo_root() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import uuid, platform, pika; print(platform.system())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_pika_is_imported_only_where_design_allows() -> None:
    offenders = []
    for folder in ("platform", "adapters", "registry", "message_specs"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if ("import pika" in text or "from pika" in text) and path.relative_to(ROOT) not in PIKA_ALLOWED:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_registry_stands_alone() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "registry").rglob("*.py")
        if "singlewindow.platform" in path.read_text() or "singlewindow.adapters" in path.read_text()
    ]
    assert offenders == []

"""Guards for the layout DESIGN.md fixes: platform/ must never shadow the stdlib module."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

PIKA_ALLOWED = {
    Path("platform/transport/rabbitmq.py"),
    Path("platform/bench/raw_broker.py"),
}


def test_platform_folder_is_not_a_regular_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_every_python_folder_is_listed_in_packages() -> None:
    listed = set(SETUPTOOLS["packages"])
    for name, folder in SETUPTOOLS["package-dir"].items():
        for sub in [ROOT / folder, *(ROOT / folder).rglob("*")]:
            if sub.is_dir() and "__pycache__" not in sub.parts and any(sub.glob("*.py")):
                dotted = ".".join((name, *sub.relative_to(ROOT / folder).parts))
                assert dotted in listed, f"{sub} holds Python files but {dotted} is not in packages"


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

"""Agency adapters import only the adapter SDK (``singlewindow.adapters``), their own package and the
testing helpers: never hub internals, never another agency, never the SDK's private modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).resolve().parents[3] / "adapters"
AGENCIES = ["customs", "sanitary", "veterinary", "phytosanitary", "border_guard"]
ALLOWED = {
    "singlewindow.adapters",
    "singlewindow.platform.testing",
    "singlewindow.platform.api.agency_client",  # the public client of the hub's agency services
    "singlewindow.adapters.standins",  # the agency-system stand-ins' shared scaffolding (fault script, serving)
}


def imported(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("agency", AGENCIES)
def test_agency_adapters_import_only_the_sdk_and_their_own_package(agency: str) -> None:
    own = f"singlewindow.adapters.{agency}"
    files = sorted((ADAPTERS / agency).rglob("*.py"))
    assert files, f"adapters/{agency} has no modules"
    wrong = [
        f"{path.relative_to(ADAPTERS)}: {name}"
        for path in files
        for name in imported(path)
        if name.startswith("singlewindow") and name not in ALLOWED and not (name == own or name.startswith(own + "."))
    ]
    assert wrong == []

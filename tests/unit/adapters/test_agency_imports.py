"""Agency adapters import only the adapter SDK (``singlewindow.adapters``), their own package and the
testing helpers: never hub internals, never another agency, never the SDK's private modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ADAPTERS = Path(__file__).resolve().parents[3] / "adapters"
AGENCIES = ["customs", "sanitary", "veterinary", "phytosanitary", "border_guard", "gacc"]
ALLOWED = {
    "singlewindow.adapters",
    "singlewindow.platform.testing",
    "singlewindow.platform.api.agency_client",  # the public client of the hub's agency services
    "singlewindow.adapters.standins",  # the agency-system stand-ins' shared scaffolding (fault script, serving)
    "singlewindow.adapters.formats",  # the reading and problem types of real-world format readers (issue 15)
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


GATEWAY_FORBIDDEN = (
    "singlewindow.platform.hub",
    "singlewindow.platform.routing",
    "singlewindow.platform.transport",
    "singlewindow.platform.topology",
    "singlewindow.platform.aggregation",
    "singlewindow.platform.cli",
    "singlewindow.platform.demo",
    "singlewindow.platform.testing",
)


def test_the_gateway_reaches_its_hub_only_through_the_sdk_and_the_public_client() -> None:
    """The cross-border gateway is an adapter of a PARTNER recipient: the broker through the SDK's link, the
    hub through its public API (intake port); never the hub's internals, routing or transport."""
    wrong = [
        f"{path.relative_to(ADAPTERS)}: {name}"
        for path in sorted((ADAPTERS / "gateway").rglob("*.py"))
        for name in imported(path)
        if any(name == bad or name.startswith(bad + ".") for bad in GATEWAY_FORBIDDEN)
    ]
    assert wrong == []

"""schemathesis over the registry's OpenAPI document (registry/api/openapi.py), against the registry
served behind the principals' write guard: as the operator (every write gets past the guard) and without a
token (reads open, writes 401). Every case: no 5xx, no crash, no partial write, no traceback logged."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from nswhostile.checks import Checker
from nswhostile.mode import examples
from nswhostile.served import Served

from singlewindow.registry.api.openapi import openapi_document

DOCUMENT = openapi_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
SETTINGS = settings(
    max_examples=examples(2, 150),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def _run(case: schemathesis.Case, registry: Served, checker: Checker, who: str | None) -> None:
    headers = registry.auth(who) if who else {}
    outcome = checker.observe(
        f"{case.method} {case.formatted_path} as {who or 'nobody'}",
        case.method,
        lambda: case.call(base_url=registry.registry_url, headers=headers, timeout=60),
    )
    assert outcome.ok, outcome.explain()
    operation = DOCUMENT["paths"].get(case.path, {}).get(case.method.lower(), {})
    if who is None and "security" in operation:
        assert outcome.status is not None and 400 <= outcome.status < 500, (
            f"written without a token: {outcome.explain()}"
        )


@SCHEMA.parametrize()
@SETTINGS
def test_as_the_operator(case: schemathesis.Case, registry: Served, registry_checker: Checker) -> None:
    _run(case, registry, registry_checker, "operator")


@SCHEMA.parametrize()
@SETTINGS
def test_without_a_token(case: schemathesis.Case, registry: Served, registry_checker: Checker) -> None:
    _run(case, registry, registry_checker, None)

"""schemathesis over the hub's own OpenAPI document, against the served hub: as a trader (past auth, into
the handlers) and without a token. Every case: no 5xx, no crash, no partial write, no traceback logged.
The watch operations are left out here (an accepted stream never ends); the corpus covers their inputs."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from nswhostile.checks import Checker
from nswhostile.mode import examples
from nswhostile.served import Served

from singlewindow.platform.api.openapi import openapi_document

DOCUMENT = openapi_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex="watch")
SETTINGS = settings(
    max_examples=examples(8, 400),
    deadline=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def _run(case: schemathesis.Case, hub: Served, checker: Checker, who: str | None) -> None:
    headers = hub.auth(who) if who else {}
    outcome = checker.observe(
        f"{case.method} {case.formatted_path} as {who or 'nobody'}",
        case.method,
        lambda: case.call(base_url=hub.http_url, headers=headers, timeout=60),
    )
    assert outcome.ok, outcome.explain()
    operation = DOCUMENT["paths"].get(case.path, {}).get(case.method.lower(), {})
    if who is None and operation.get("security"):  # documented as needing a token (OPTIONS, /healthz do not)
        assert outcome.status is not None and 400 <= outcome.status < 500, (
            f"served without a token: {outcome.explain()}"
        )


@SCHEMA.parametrize()
@SETTINGS
def test_as_a_trader(case: schemathesis.Case, hub: Served, hub_checker: Checker) -> None:
    _run(case, hub, hub_checker, "trader-a")


@SCHEMA.parametrize()
@SETTINGS
def test_without_a_token(case: schemathesis.Case, hub: Served, hub_checker: Checker) -> None:
    _run(case, hub, hub_checker, None)

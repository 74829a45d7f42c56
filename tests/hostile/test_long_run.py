"""Hostile requests drawn at random from the corpus, plus hypothesis-made odd JSON, against the served
process (hub and registry): short mode a few hundred cases, long mode (``--hostile-long``) 10,000 and more.
The counts table at the end of the run records cases, 2xx, 4xx, 5xx, crashes, partial writes and the
served process's RSS at the start and end (docs/security.md keeps the last long run's table)."""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nswhostile import values
from nswhostile.checks import Checker
from nswhostile.mode import LONG, examples
from nswhostile.served import Served
from nswhostile.tally import TALLY

RANDOM_CASES = 10_000 if LONG else 300
WHO = ["trader-a", "trader-b", "broker-read", "broker-none", "customs-agency", "vet-agency", "vet-officer", "operator"]
GETS = [
    "/v1/submissions?limit={v}",
    "/v1/submissions?status={v}",
    "/v1/submissions/{v}",
    "/v1/submissions/watch?resumeToken={v}",
    "/v1/attachments/{v}",
    "/v1/attachments?submissionId={v}&version={v}",
    "/v1/officer/queue/{v}",
    "/v1/officer/decisions?published=false&limit={v}",
    "/v1/border-events?ucr={v}",
    "/v1/permits?number={v}",
    "/v1/permits/write-offs?number={v}",
]
POSTS = [
    "/v1/submissions",
    "/v1/submissions/{v}/amend",
    "/v1/submissions/{v}/cancel",
    "/v1/submissions/{v}/answers",
    "/v1/permits",
    "/v1/permits/check",
    "/v1/permits/write-offs",
    "/v1/permits/status",
    "/v1/officer/decisions",
    "/v1/officer/queue",
    "/v1/border-events",
    "/v1/attachments",
]
FIELDS = [
    "documentType",
    "traderReference",
    "declarant",
    "document",
    "reason",
    "recipient",
    "answer",
    "number",
    "holderId",
    "quantity",
    "ticket",
    "status",
    "attempt",
    "ucr",
    "submissionVersion",
    "goodsItem",
]


def q(value: str) -> str:
    return quote(value[:8_000].encode("utf-8", "surrogatepass"), safe="")


def random_case(rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    kind = rng.random()
    text = rng.choice(list(values.TEXT.values()))
    if kind < 0.35:
        return "GET", rng.choice(GETS).format(v=q(text)), {}
    path = rng.choice(POSTS).format(v=q(text))
    if kind < 0.6:
        return "POST", path, {"content": rng.choice(list(values.RAW_BODIES.values()))}
    body: dict[str, Any] = {}
    for field in rng.sample(FIELDS, rng.randint(1, 5)):
        body[field] = rng.choice([text, rng.choice(list(values.NUMBERS.values())), {"value": text, "unit": "KGM"}])
    return "POST", path, {"content": values.dumps(body)}


def test_random_hostile_requests(hub: Served, hub_checker: Checker) -> None:
    rng = random.Random(11)
    TALLY.rss_kib["start"] = hub.rss_kib()
    failures = []
    for number in range(RANDOM_CASES):
        method, path, kwargs = random_case(rng)
        who = rng.choice(WHO)
        headers = {"content-type": "application/json", **hub.auth(who)}
        outcome = hub_checker.http(
            method, path, f"random #{number} {method} {path[:80]} as {who}", headers=headers, **kwargs
        )
        if not outcome.ok:
            failures.append(outcome.explain())
    TALLY.rss_kib["end"] = hub.rss_kib()
    assert hub.alive(), "the served process died"
    assert failures == [], f"{len(failures)} of {RANDOM_CASES} failed; first: {failures[:3]}"


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(list(values.TEXT.values())[:12])
)
ODD_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)
ODD_SETTINGS = settings(max_examples=examples(60, 1_500), deadline=None, suppress_health_check=list(HealthCheck))


@ODD_SETTINGS
@given(document=ODD_JSON, extra=st.dictionaries(st.sampled_from(FIELDS), ODD_JSON, max_size=3))
def test_odd_json_documents(document: Any, extra: dict[str, Any], hub: Served, hub_checker: Checker) -> None:
    """Odd JSON as the submitted document and around it: refused with a 4xx (it is never a valid
    consignment), nothing written, no traceback."""
    body = {"documentType": "consignment", **extra, "document": document}
    outcome = hub_checker.http(
        "POST",
        "/v1/submissions",
        f"odd document {json.dumps(body, default=str)[:100]}",
        content=values.dumps(body),
        headers={"content-type": "application/json", **hub.auth("trader-a")},
    )
    assert outcome.ok and outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


@ODD_SETTINGS
@given(body=st.dictionaries(st.sampled_from([*FIELDS, "validFrom", "validUntil", "hsCodes", "kind"]), ODD_JSON))
def test_odd_json_permits(body: dict[str, Any], hub: Served, hub_checker: Checker) -> None:
    for path in ("/v1/permits", "/v1/permits/write-offs"):
        outcome = hub_checker.http(
            "POST",
            path,
            f"odd permit {path}",
            content=values.dumps(body),
            headers={"content-type": "application/json", **hub.auth("customs-agency")},
        )
        assert outcome.ok and outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


@ODD_SETTINGS
@given(schema=ODD_JSON, schema_type=st.sampled_from(["AVRO", "JSON", "PROTOBUF", None]))
def test_odd_json_schemas(schema: Any, schema_type: str | None, registry: Served, registry_checker: Checker) -> None:
    body = {"schema": json.dumps(schema, allow_nan=True) if not isinstance(schema, str) else schema}
    if schema_type:
        body["schemaType"] = schema_type
    outcome = registry_checker.http(
        "POST",
        "/compatibility/subjects/agency.veterinary.odd/versions",
        "odd schema",
        content=values.dumps(body),
        headers={"content-type": "application/json", **registry.auth("operator")},
    )
    assert outcome.ok, outcome.explain()

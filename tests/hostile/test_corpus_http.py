"""The corpus against every hub HTTP route that takes the value: query parameters, path segments, JSON
body fields and whole raw bodies. Every case: an answer under 500, no partial write, no traceback; the
values issue 11 names (NUL, lone surrogates, "²", 4,301 digits, int64 overflow, NaN, 1e28, deep nesting)
must be refused with a 4xx wherever they land."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from nswhostile import values
from nswhostile.checks import Checker
from nswhostile.documents import consignment, submit, wait_status
from nswhostile.served import Served

from singlewindow.platform.api.openapi import openapi_document

Seeds = dict[str, str]
Request = tuple[str, str, dict[str, Any]]  # method, url, httpx keyword arguments

# Values that have no business in any field: always 4xx.
REFUSE_TEXT = {"nul", "lone-surrogate"}
# Values that are not a count: always 4xx in a numeric query parameter or path segment (ASCII digits only).
NOT_A_COUNT = {
    "superscript-two",
    "arabic-indic-digit",
    "digits-4301",
    "int64-overflow",
    "negative",
    "nan",
    "exponent",
    "empty-path",
    "lone-surrogate",
    "nul",
    "percent",
    "sql",
    "crlf",
    "emoji",
    "long-100k",
}
REFUSE_NUMBER = {"nan", "infinity", "minus-infinity", "int64-overflow", "int64-underflow", "digits-4301", "1e28"}


URL_VALUE_MAX = 20_000  # longer than any server's request line limit; httpx itself refuses URLs over 64 KiB


def q(value: str) -> str:
    """Percent-encode anything, lone surrogates included (as a client that does not check would)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def body(value: Any) -> dict[str, Any]:
    return {"content": values.dumps(value), "headers": {"content-type": "application/json"}}


@pytest.fixture(scope="module")
def seeds(hub: Served, hub_http: httpx.Client, hub_checker: Checker) -> Seeds:
    """One routed submission of trader-a held by sanitary's question (it stays open for the answer cases)."""
    auth = hub.auth("trader-a")
    held = submit(hub_http, auth, consignment("apples", query=True))
    wait_status(hub_http, auth, held, "HELD")
    hub_checker.dirty()
    return {"held": held}


# --- query parameters and path segments (text values) ------------------------------------------------------
QUERY_TARGETS: dict[str, tuple[str, Callable[[Seeds, str], str], bool]] = {
    # name: (who, url of the value, numeric: the value must be a count)
    "list-limit": ("trader-a", lambda s, v: f"/v1/submissions?limit={q(v)}", True),
    "list-status": ("trader-a", lambda s, v: f"/v1/submissions?status={q(v)}", False),
    "watch-resume-token": ("trader-a", lambda s, v: f"/v1/submissions/watch?resumeToken={q(v)}", False),
    "watch-one-resume-token": ("trader-a", lambda s, v: f"/v1/submissions/{s['held']}/watch?resumeToken={q(v)}", False),
    "get-id": ("trader-a", lambda s, v: f"/v1/submissions/{q(v)}", False),
    "attachments-submission": ("vet-agency", lambda s, v: f"/v1/attachments?submissionId={q(v)}&version=1", False),
    "attachments-version": (
        "vet-agency",
        lambda s, v: f"/v1/attachments?submissionId={s['held']}&version={q(v)}",
        True,
    ),
    "attachment-sha": ("trader-a", lambda s, v: f"/v1/attachments/{q(v)}", False),
    "officer-decisions-limit": ("vet-agency", lambda s, v: f"/v1/officer/decisions?published=false&limit={q(v)}", True),
    "officer-ticket": ("vet-agency", lambda s, v: f"/v1/officer/queue/{q(v)}", True),
    "border-events-ucr": ("bg-agency", lambda s, v: f"/v1/border-events?ucr={q(v)}", False),
    "permit-number": ("customs-agency", lambda s, v: f"/v1/permits?number={q(v)}", False),
    "ledger-number": ("customs-agency", lambda s, v: f"/v1/permits/write-offs?number={q(v)}", False),
}


@pytest.mark.parametrize("value_name", sorted(values.TEXT))
@pytest.mark.parametrize("target", sorted(QUERY_TARGETS))
def test_query_and_path(target: str, value_name: str, hub: Served, seeds: Seeds, hub_checker: Checker) -> None:
    who, url, numeric = QUERY_TARGETS[target]
    value = values.TEXT[value_name][:URL_VALUE_MAX]
    outcome = hub_checker.http("GET", url(seeds, value), f"{target}={value_name}", headers=hub.auth(who))
    assert outcome.ok, outcome.explain()
    if value_name in REFUSE_TEXT or (numeric and value_name in NOT_A_COUNT):
        assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


# --- JSON body fields --------------------------------------------------------------------------------------
def _submit_with(field: str) -> Callable[[Seeds, Any], Request]:
    def build(seeds: Seeds, value: Any) -> Request:
        document = consignment("beef")
        request: dict[str, Any] = {"documentType": "consignment", "document": document}
        if field.startswith("document."):
            document[field.split(".", 1)[1]] = value
        else:
            request[field] = value
        return "POST", "/v1/submissions", body(request)

    return build


def _permit(**override: Any) -> dict[str, Any]:
    permit = {
        "number": "KZ-HOSTILE-1",
        "kind": "IMPORT_LICENCE",
        "holderId": "180540012345",
        "hsCodes": ["0808"],
        "description": "Apples",
        "quantity": {"value": "100.000", "unit": "KGM"},
        "validFrom": "2026-01-01",
        "validUntil": "2026-12-31",
    }
    return permit | override


def _write_off(**override: Any) -> dict[str, Any]:
    ask = {
        "number": "KZ-HOSTILE-1",
        "holderId": "180540012345",
        "hsCode": "0808",
        "quantity": {"value": "1.000", "unit": "KGM"},
        "at": "2026-06-01",
        "submissionId": "s_missing",
        "submissionVersion": 1,
        "goodsItem": 1,
    }
    return ask | override


FIELD_TARGETS: dict[str, tuple[str, Callable[[Seeds, Any], Request]]] = {
    "submit-documentType": ("trader-a", _submit_with("documentType")),
    "submit-traderReference": ("trader-a", _submit_with("traderReference")),
    "submit-declarant": ("broker-submit", _submit_with("declarant")),
    "submit-document": (
        "trader-a",
        lambda s, v: ("POST", "/v1/submissions", body({"documentType": "consignment", "document": v})),
    ),
    "submit-document.ucr": ("trader-a", _submit_with("document.ucr")),
    "submit-document.invoiceAmount": ("trader-a", _submit_with("document.invoiceAmount")),
    "amend-document.ucr": (
        "trader-a",
        lambda s, v: (
            "POST",
            f"/v1/submissions/{s['held']}/amend",
            body({"document": {**consignment("apples"), "ucr": v}}),
        ),
    ),
    "answer-recipient": (
        "trader-a",
        lambda s, v: ("POST", f"/v1/submissions/{s['held']}/answers", body({"recipient": v, "answer": "x"})),
    ),
    "answer-text": (
        "trader-a",
        lambda s, v: ("POST", f"/v1/submissions/{s['missing']}/answers", body({"recipient": "sanitary", "answer": v})),
    ),
    "cancel-reason": ("trader-b", lambda s, v: ("POST", f"/v1/submissions/{s['held']}/cancel", body({"reason": v}))),
    "permit-number": ("customs-agency", lambda s, v: ("POST", "/v1/permits", body(_permit(number=v)))),
    "permit-description": ("customs-agency", lambda s, v: ("POST", "/v1/permits", body(_permit(description=v)))),
    "permit-quantity": (
        "customs-agency",
        lambda s, v: ("POST", "/v1/permits", body(_permit(quantity={"value": v, "unit": "KGM"}))),
    ),
    "permit-validFrom": ("customs-agency", lambda s, v: ("POST", "/v1/permits", body(_permit(validFrom=v)))),
    "check-quantity": (
        "customs-agency",
        lambda s, v: ("POST", "/v1/permits/check", body(_write_off(quantity={"value": v, "unit": "KGM"}))),
    ),
    "write-off-quantity": (
        "customs-agency",
        lambda s, v: ("POST", "/v1/permits/write-offs", body(_write_off(quantity={"value": v, "unit": "KGM"}))),
    ),
    "write-off-version": (
        "customs-agency",
        lambda s, v: ("POST", "/v1/permits/write-offs", body(_write_off(submissionVersion=v))),
    ),
    "write-off-goods-item": (
        "customs-agency",
        lambda s, v: ("POST", "/v1/permits/write-offs", body(_write_off(goodsItem=v))),
    ),
    "officer-decide-ticket": (
        "vet-officer",
        lambda s, v: ("POST", "/v1/officer/decisions", body({"ticket": v, "status": "ACCEPTED"})),
    ),
    "officer-decide-status": (
        "vet-officer",
        lambda s, v: ("POST", "/v1/officer/decisions", body({"ticket": 1, "status": v})),
    ),
    "officer-enqueue-attempt": (
        "vet-agency",
        lambda s, v: ("POST", "/v1/officer/queue", body({"document": {}, "attempt": v})),
    ),
    "border-event-ucr": ("bg-agency", lambda s, v: ("POST", "/v1/border-events", body({"ucr": v}))),
}
FIELD_VALUES = {
    **{f"text:{k}": v for k, v in values.TEXT.items()},
    **{f"number:{k}": v for k, v in values.NUMBERS.items()},
}
# Numeric fields: a number that is not a sane count or quantity is refused.
NUMERIC_FIELDS = {
    "permit-quantity",
    "check-quantity",
    "write-off-quantity",
    "write-off-version",
    "write-off-goods-item",
    "officer-decide-ticket",
    "officer-enqueue-attempt",
    "submit-document.invoiceAmount",
}


@pytest.mark.parametrize("value_name", sorted(FIELD_VALUES))
@pytest.mark.parametrize("target", sorted(FIELD_TARGETS))
def test_body_field(target: str, value_name: str, hub: Served, seeds: Seeds, hub_checker: Checker) -> None:
    who, build = FIELD_TARGETS[target]
    value = copy.deepcopy(FIELD_VALUES[value_name])
    method, url, kwargs = build(seeds | {"missing": "s_0000000000000000"}, value)
    headers = {**kwargs.pop("headers"), **hub.auth(who)}
    outcome = hub_checker.http(method, url, f"{target}={value_name}", headers=headers, **kwargs)
    assert outcome.ok, outcome.explain()
    kind, name = value_name.split(":", 1)
    if (kind == "text" and name in REFUSE_TEXT) or (
        target in NUMERIC_FIELDS and kind == "number" and name in REFUSE_NUMBER
    ):
        assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


# --- whole raw bodies --------------------------------------------------------------------------------------
BODY_ROUTES: dict[str, tuple[str, Callable[[Seeds], str]]] = {
    "submit": ("trader-a", lambda s: "/v1/submissions"),
    "amend": ("trader-a", lambda s: f"/v1/submissions/{s['held']}/amend"),
    "cancel": ("trader-b", lambda s: f"/v1/submissions/{s['held']}/cancel"),
    "answer": ("trader-a", lambda s: f"/v1/submissions/{s['held']}/answers"),
    "permit-issue": ("customs-agency", lambda s: "/v1/permits"),
    "permit-status": ("customs-agency", lambda s: "/v1/permits/status"),
    "permit-check": ("customs-agency", lambda s: "/v1/permits/check"),
    "permit-write-off": ("customs-agency", lambda s: "/v1/permits/write-offs"),
    "officer-decide": ("vet-officer", lambda s: "/v1/officer/decisions"),
    "officer-enqueue": ("vet-agency", lambda s: "/v1/officer/queue"),
    "border-event": ("bg-agency", lambda s: "/v1/border-events"),
}


@pytest.mark.parametrize("raw", sorted(values.RAW_BODIES))
@pytest.mark.parametrize("route", sorted(BODY_ROUTES))
def test_raw_body(route: str, raw: str, hub: Served, seeds: Seeds, hub_checker: Checker) -> None:
    who, url = BODY_ROUTES[route]
    headers = {"content-type": "application/json", **hub.auth(who)}
    outcome = hub_checker.http(
        "POST", url(seeds), f"{route} body={raw}", content=values.RAW_BODIES[raw], headers=headers
    )
    assert outcome.ok, outcome.explain()
    # Nothing here is a valid request (cancel is trader-b's on trader-a's submission: never found).
    assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


def test_cancel_without_a_body(hub: Served, hub_http: httpx.Client, hub_checker: Checker) -> None:
    """No body and no content type at all: answered as the OpenAPI document says (a required body: 4xx and
    nothing cancelled; an optional one: a cancel), never a 5xx."""
    auth = hub.auth("trader-a")
    submission_id = submit(hub_http, auth, consignment("laptops"))
    hub_checker.dirty()
    outcome = hub_checker.http("POST", f"/v1/submissions/{submission_id}/cancel", "cancel without a body", headers=auth)
    assert outcome.ok, outcome.explain()
    operation = openapi_document()["paths"]["/v1/submissions/{id}/cancel"]["post"]
    if operation.get("requestBody", {}).get("required"):
        assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()
        assert hub_http.get(f"/v1/submissions/{submission_id}", headers=auth).json()["cancelled"] is False
    else:
        assert outcome.status == 200, outcome.explain()
        assert wait_status(hub_http, auth, submission_id, "CANCELLED")["status"] == "CANCELLED"


def test_same_answer_twice_is_200_and_another_is_409(hub: Served, hub_http: httpx.Client, hub_checker: Checker) -> None:
    auth = hub.auth("trader-a")
    submission_id = submit(hub_http, auth, consignment("apples", query=True))
    wait_status(hub_http, auth, submission_id, "HELD")
    hub_checker.dirty()
    url = f"/v1/submissions/{submission_id}/answers"
    answer = {"recipient": "sanitary", "answer": "Cold store 7, Almaty"}
    first = hub_checker.http("POST", url, "answer", json=answer, headers=auth)
    assert first.ok and first.status == 200, first.explain()
    again = hub_checker.http("POST", url, "the same answer again", json=answer, headers=auth)
    assert again.ok and again.status == 200, again.explain()
    other = hub_checker.http("POST", url, "another answer", json={**answer, "answer": "Cold store 9"}, headers=auth)
    assert other.ok and other.status == 409, other.explain()


OPTIONS_PATHS = {
    "/v1/submissions": {"GET", "POST"},
    "/v1/submissions/s_x": {"GET"},
    "/v1/submissions/s_x/cancel": {"POST"},
    "/v1/attachments": {"GET", "POST"},
    "/v1/officer/decisions": {"GET", "POST"},
    "/v1/border-events": {"GET", "POST"},
    "/v1/permits": {"GET", "POST"},
    "/v1/permits/write-offs": {"GET", "POST"},
}


@pytest.mark.parametrize("path", sorted(OPTIONS_PATHS))
def test_options_answers_allow(path: str, hub_checker: Checker) -> None:
    outcome = hub_checker.http("OPTIONS", path, f"OPTIONS {path}")
    assert outcome.ok and outcome.status is not None and outcome.status < 300, outcome.explain()
    allowed = {m.strip().upper() for m in outcome.response.headers.get("allow", "").split(",") if m.strip()}
    assert OPTIONS_PATHS[path] <= allowed, f"{path}: Allow {allowed}"

"""Issue 11 on the agency services' routes: a ticket over int64 sent as a string and a URL that is not UTF-8
once percent-decoded are 422 with a pointer, not a 500 (the first) or a 200 on three U+FFFD (the second)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import structlog


@pytest.fixture
def no_error_logs() -> Iterator[None]:
    with structlog.testing.capture_logs() as captured:
        yield
    assert [e for e in captured if e.get("log_level") in ("error", "critical") or "exc_info" in e] == []


def _problem(answer: Any) -> tuple[str, str]:
    body = answer.json()
    assert body["error"] == "invalid_input", body
    return body["problems"][0]["path"], body["problems"][0]["code"]


@pytest.mark.parametrize("ticket", ["9223372036854775808", "1", 9223372036854775808, True])
async def test_a_decision_ticket_is_a_strict_int64(env: Any, no_error_logs: None, ticket: Any) -> None:
    answer = await env.http.post(
        "/v1/officer/decisions", json={"ticket": ticket, "status": "ACCEPTED"}, headers=env.auth("vet-officer")
    )
    assert answer.status_code == 422, answer.text
    assert _problem(answer)[0] == "/ticket"


@pytest.mark.parametrize(
    ("url", "who", "pointer"),
    [
        ("/v1/border-events?ucr=%ED%A0%80", "bg-adapter", "/ucr"),
        ("/v1/officer/decisions?published=false&limit=%FF", "vet-adapter", "/limit"),
        ("/v1/officer/queue/%ED%A0%80", "vet-adapter", ""),
    ],
)
async def test_a_url_that_is_not_utf8_is_refused(
    env: Any, no_error_logs: None, url: str, who: str, pointer: str
) -> None:
    answer = await env.http.get(url, headers=env.auth(who))
    assert answer.status_code == 422, answer.text
    assert _problem(answer) == (pointer, "invalid-utf8")


async def test_valid_utf8_in_the_url_still_reaches_the_route(env: Any) -> None:
    answer = await env.http.get("/v1/border-events?ucr=%C3%A9%EF%BF%BD", headers=env.auth("bg-adapter"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"events": []}

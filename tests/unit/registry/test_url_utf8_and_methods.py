"""Issue 11 on the registry's REST app: a URL that is not UTF-8 once percent-decoded is a 400 (it was decoded
with errors="replace" and registered a subject of three U+FFFD), ``OPTIONS`` answers 204 with ``Allow`` and a
method the path does not serve 405 with ``Allow`` (it was 405 without one, and OPTIONS too)."""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import Tokens

SCHEMA = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "n", "type": "string"}]})


def _allow(response: httpx.Response) -> set[str]:
    return {method.strip() for method in response.headers["allow"].split(",")}


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/subjects", {"GET"}),
        ("/subjects/x/versions", {"GET", "POST"}),
        ("/subjects/agency.veterinary%2Fx/versions", {"GET", "POST"}),
        ("/config", {"GET", "PUT"}),
        ("/schemas/ids/1", {"GET"}),
    ],
)
async def test_options_answers_allow_and_a_wrong_method_405_with_allow(
    rest: httpx.AsyncClient, path: str, served: set[str]
) -> None:
    options = await rest.options(path)
    assert options.status_code == 204, options.text
    allowed = _allow(options)
    assert served <= allowed and "OPTIONS" in allowed
    assert ("HEAD" in allowed) == ("GET" in allowed)
    refused = await rest.patch(path)
    assert refused.status_code == 405
    assert _allow(refused) == allowed
    assert refused.json()["error_code"] == 405


async def test_options_on_an_unknown_path_is_404(rest: httpx.AsyncClient) -> None:
    assert (await rest.options("/nowhere")).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/subjects/%ED%A0%80/versions"),
        ("GET", "/subjects/%ED%A0%80/versions/latest"),
        ("GET", "/subjects/agency.veterinary.x%FF/versions"),
        ("GET", "/subjects?subjectPrefix=%ED%A0%80"),
        ("DELETE", "/subjects/agency.veterinary.x?permanent=%FF"),
    ],
)
async def test_a_url_that_is_not_utf8_is_400(rest: httpx.AsyncClient, tokens: Tokens, method: str, url: str) -> None:
    body = {"schema": SCHEMA} if method == "POST" else None
    answer = await rest.request(method, url, json=body, headers={"Authorization": f"Bearer {tokens.operator}"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error_code"] == 400
    assert "UTF-8" in answer.json()["message"]
    assert (await rest.get("/subjects")).json() == []


async def test_valid_percent_encoded_utf8_still_routes(rest: httpx.AsyncClient, tokens: Tokens) -> None:
    answer = await rest.get("/subjects/agency.veterinary.%C3%A9t%C3%A9/versions")
    assert answer.status_code == 404, answer.text
    assert answer.json()["error_code"] == 40401

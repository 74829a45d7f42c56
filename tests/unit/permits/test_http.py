"""The register's HTTP routes: bearer principals, JSON bodies with pointers, 409 with problem codes."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.identity import Role

BEEF = {
    "number": "KZ/VET/2026/481",
    "kind": "VETERINARY_CERTIFICATE",
    "holderId": "180540012345",
    "hsCodes": ["0202"],
    "description": "Frozen boneless beef",
    "quantity": {"value": "20000.000", "unit": "KGM"},
    "validFrom": "2026-11-01",
    "validUntil": "2026-12-31",
}
ITEM = {
    "number": "KZ/VET/2026/481",
    "holderId": "180540012345",
    "hsCode": "0202300000",
    "quantity": {"value": "15000", "unit": "KGM"},
    "at": "2026-11-27",
}


async def test_issue_check_write_off_and_ledger_over_http(register: Any) -> None:
    tokens = {}
    for name, role, agency in [("vet-http", "agency", "veterinary"), ("customs-http", "agency", "customs")]:
        tokens[name] = (await register.principals.add(name, Role(role), agency)).token

    async def auth(header: str | None) -> Any:
        return await authenticate(register.principals, header)

    app = Starlette(routes=permit_routes(register.service, auth))
    vet = {"authorization": f"Bearer {tokens['vet-http']}"}
    customs = {"authorization": f"Bearer {tokens['customs-http']}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        assert (await client.post("/v1/permits", json=BEEF)).status_code == 401
        issued = await client.post("/v1/permits", json=BEEF, headers=vet)
        assert issued.status_code == 201 and issued.json()["remaining"]["value"] == "20000.000"
        assert (await client.post("/v1/permits", json=BEEF, headers=customs)).status_code == 403
        bad = await client.post("/v1/permits", json={**BEEF, "hsCodes": ["x"], "validFrom": "soon"}, headers=vet)
        assert bad.status_code == 422
        assert {p["path"] for p in bad.json()["problems"]} == {"/hsCodes", "/validFrom"}
        got = await client.get("/v1/permits", params={"number": "KZ/VET/2026/481"}, headers=customs)
        assert got.json()["number"] == "KZ/VET/2026/481"
        checked = await client.post("/v1/permits/check", json=ITEM, headers=customs)
        assert checked.json()["ok"] is True
        key = {"submissionId": "s1", "submissionVersion": 1, "goodsItem": 1}
        first = await client.post("/v1/permits/write-offs", json={**ITEM, **key}, headers=customs)
        again = await client.post("/v1/permits/write-offs", json={**ITEM, **key}, headers=customs)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["remaining"]["value"] == "5000.000"
        over = await client.post("/v1/permits/write-offs", json={**ITEM, **key, "submissionId": "s2"}, headers=customs)
        assert over.status_code == 409
        assert [p["code"] for p in over.json()["problems"]] == ["QUANTITY_EXCEEDS_BALANCE"]
        ledger = await client.get("/v1/permits/write-offs", params={"number": "KZ/VET/2026/481"}, headers=vet)
        assert [e["submissionId"] for e in ledger.json()["entries"]] == ["s1"]
        missing = await client.get("/v1/permits", params={"number": "NOPE"}, headers=customs)
        assert missing.status_code == 404

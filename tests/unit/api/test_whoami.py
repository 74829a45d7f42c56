"""``GET /v1/me``: who a token belongs to, and for a broker the traders its grants cover now."""

from __future__ import annotations

from .conftest import Env


async def test_a_trader_is_told_its_name_and_role(env: Env) -> None:
    body = (await env.http.get("/v1/me", headers=env.headers("trader-a"))).json()
    assert {k: body[k] for k in ("name", "role", "agency", "actingFor")} == {
        "name": "trader-a",
        "role": "trader",
        "agency": None,
        "actingFor": [],
    }


async def test_a_broker_is_told_the_traders_it_acts_for(env: Env) -> None:
    granted = (await env.http.get("/v1/me", headers=env.headers("broker-granted"))).json()
    trader = await env.embedded.hub.principals.get("trader-a")
    assert granted["actingFor"] == [{"traderId": trader.id, "traderName": "trader-a", "scope": "read"}]
    alone = (await env.http.get("/v1/me", headers=env.headers("broker-without"))).json()
    assert alone["actingFor"] == []


async def test_no_token_is_401(env: Env) -> None:
    response = await env.http.get("/v1/me", headers={"authorization": "Bearer nsw_unknown"})
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"

"""The adapters' permits client: an unreachable or failing hub is AgencyUnavailable (retry), a refusal of
the call itself is a configuration fault, a refused write-off carries the register's problem codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from singlewindow.adapters import AgencyUnavailable
from singlewindow.adapters.customs.permits_client import PermitItem, PermitsApiError, PermitsClient, WriteOffRefused

ITEM = PermitItem("P-1", "IMPORT_LICENCE", "120240017788", "8471300000", Decimal("10"), "H87", date(2026, 6, 1))


def client(status: int, body: dict[str, object]) -> PermitsClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return PermitsClient("http://hub", "token", transport=transport)


async def test_an_unreachable_hub_is_agency_unavailable() -> None:
    unreachable = PermitsClient("http://127.0.0.1:9", "token", timeout=1)
    try:
        with pytest.raises(AgencyUnavailable):
            await unreachable.check(ITEM)
    finally:
        await unreachable.close()


async def test_answers_map_to_problems_refusals_and_errors() -> None:
    problems = {"problems": [{"code": "QUANTITY_EXCEEDS_BALANCE", "message": "10 asked, 0 left"}]}
    async with client(200, {"ok": False, **problems}) as c:
        assert [p.code for p in await c.check(ITEM)] == ["QUANTITY_EXCEEDS_BALANCE"]
    async with client(201, {"created": True}) as c:
        assert await c.write_off(ITEM, "s_1", 1, 1) is True
    async with client(200, {"created": False}) as c:
        assert await c.write_off(ITEM, "s_1", 1, 1) is False
    async with client(409, problems) as c:
        with pytest.raises(WriteOffRefused) as refused:
            await c.write_off(ITEM, "s_1", 1, 1)
    assert refused.value.problems[0].code == "QUANTITY_EXCEEDS_BALANCE"
    async with client(503, {}) as c:
        with pytest.raises(AgencyUnavailable):
            await c.check(ITEM)
    async with client(403, {"error": "access_denied"}) as c:
        with pytest.raises(PermitsApiError):
            await c.check(ITEM)


async def test_an_answer_that_is_not_a_problem_list_is_a_permits_api_error_not_a_json_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    async with PermitsClient("http://hub", "token", transport=transport) as c:
        with pytest.raises(PermitsApiError, match="permits check answered 200 with no problem list"):
            await c.check(ITEM)
    async with client(200, {"problems": [{"message": "no code"}]}) as c:
        with pytest.raises(PermitsApiError):
            await c.check(ITEM)


async def test_a_reversal_answers_done_now_done_before_or_unknown() -> None:
    async with client(201, {"created": True}) as c:
        assert await c.reverse("P-1", "s_1", 1, 1, "cancelled") is True
    async with client(200, {"created": False}) as c:
        assert await c.reverse("P-1", "s_1", 1, 1, "cancelled") is False
    async with client(404, {"error": "not_found"}) as c:  # never written off (or not by us): nothing to give back
        assert await c.reverse("P-1", "s_1", 1, 1, "cancelled") is None
    async with client(403, {"error": "access_denied"}) as c:
        with pytest.raises(PermitsApiError, match="403"):
            await c.reverse("P-1", "s_1", 1, 1, "cancelled")
    async with client(503, {}) as c:
        with pytest.raises(AgencyUnavailable):
            await c.reverse("P-1", "s_1", 1, 1, "cancelled")

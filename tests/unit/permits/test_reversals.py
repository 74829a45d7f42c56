"""Reversing a write-off (its declaration was cancelled or replaced): once, its own ledger entry, only by the
principal that wrote it off (anyone else hears what an unknown write-off gets), never above the total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.errors import AccessDenied, InvalidInput, NotFound
from singlewindow.platform.identity import Role
from singlewindow.platform.permits import CheckRequest, EntryKind, PermitStatus, WriteOffKey
from singlewindow.platform.permits.wire import reversal_from_json

NUMBER = "KZ-VET-2026-000481"
KEY = WriteOffKey("s_1", 1, 1)


def ask(quantity: str) -> CheckRequest:
    return CheckRequest(NUMBER, "180540012345", "0202300000", Decimal(quantity), "KGM", date(2026, 11, 27))


async def test_a_reversal_gives_the_quantity_back_once_as_its_own_ledger_entry(register: Any, certificate: Any) -> None:
    service = register.service
    await service.issue(register.veterinary, certificate())
    await service.write_off(register.customs, ask("8000"), KEY)
    first = await service.reverse(register.customs, NUMBER, KEY, "cancelled by the declarant")
    again = await service.reverse(register.customs, NUMBER, KEY, "cancelled by the declarant")
    assert (first.created, first.remaining) == (True, Decimal("20000.000"))
    assert (again.created, again.remaining, again.entry) == (False, Decimal("20000.000"), first.entry)
    assert (await service.get(register.customs, NUMBER)).remaining == Decimal("20000.000")
    ledger = await service.ledger(register.veterinary, NUMBER)
    assert [(e.kind, e.key, e.quantity) for e in ledger] == [
        (EntryKind.WRITE_OFF, KEY, Decimal("8000.000")),
        (EntryKind.REVERSAL, KEY, Decimal("8000.000")),
    ]
    reversal = ledger[1].as_dict()
    assert reversal["kind"] == "REVERSAL" and reversal["reason"] == "cancelled by the declarant"
    assert reversal["reversedBy"] == register.customs.id and reversal["writtenOffBy"] == register.customs.id
    assert "reversedBy" not in ledger[0].as_dict() and ledger[0].as_dict()["kind"] == "WRITE_OFF"


async def test_an_amendment_leaves_exactly_the_new_versions_quantity(register: Any, certificate: Any) -> None:
    service = register.service
    await service.issue(register.veterinary, certificate())
    await service.write_off(register.customs, ask("15000"), KEY)
    await service.reverse(register.customs, NUMBER, KEY, "replaced by version 2")
    result = await service.write_off(register.customs, ask("12000"), WriteOffKey("s_1", 2, 1))
    assert result.remaining == Decimal("8000.000")
    # A redelivered write-off of the reversed version writes nothing again.
    repeat = await service.write_off(register.customs, ask("15000"), KEY)
    assert (repeat.created, repeat.remaining) == (False, Decimal("8000.000"))


async def test_unknown_and_someone_elses_write_offs_get_the_same_404(register: Any, certificate: Any) -> None:
    service = register.service
    await service.issue(register.veterinary, certificate())
    with pytest.raises(NotFound) as unknown:
        await service.reverse(register.customs, NUMBER, KEY, "cancelled")
    with pytest.raises(NotFound) as no_permit:
        await service.reverse(register.customs, "NOPE", KEY, "cancelled")
    await service.write_off(register.customs, ask("8000"), KEY)
    other = (await register.principals.add("customs-backup", Role.AGENCY, "customs")).principal
    with pytest.raises(NotFound) as someone_elses:
        await service.reverse(other, NUMBER, KEY, "cancelled")
    assert str(someone_elses.value) == str(unknown.value)
    assert "NOPE" in str(no_permit.value)
    for outsider in (register.veterinary, register.operator, register.trader):
        with pytest.raises(AccessDenied):
            await service.reverse(outsider, NUMBER, KEY, "cancelled")
    assert (await service.get(register.customs, NUMBER)).remaining == Decimal("12000.000")


async def test_a_suspended_permit_still_takes_its_quantity_back(register: Any, certificate: Any) -> None:
    """The reversal only undoes the register's own bookkeeping: status and dates do not matter."""
    service = register.service
    await service.issue(register.veterinary, certificate())
    await service.write_off(register.customs, ask("8000"), KEY)
    await service.set_status(register.veterinary, NUMBER, PermitStatus.SUSPENDED)
    assert (await service.reverse(register.customs, NUMBER, KEY, "cancelled")).remaining == Decimal("20000.000")


def test_a_reversal_request_names_every_bad_field() -> None:
    with pytest.raises(InvalidInput) as bad:
        reversal_from_json({"number": "", "submissionId": 7, "submissionVersion": 0, "reason": "x" * 201})
    assert {p.path for p in bad.value.problems} == {
        "/number", "/submissionId", "/submissionVersion", "/goodsItem", "/reason"
    }  # fmt: skip
    assert reversal_from_json({"number": "N", "submissionId": "s", "submissionVersion": 1, "goodsItem": 2}) == (
        "N", WriteOffKey("s", 1, 2), "reversed"
    )  # fmt: skip


async def test_reversal_over_http(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    await register.service.write_off(register.customs, ask("8000"), KEY)
    token = (await register.principals.rotate(register.customs.id)).token
    vet = (await register.principals.rotate(register.veterinary.id)).token

    async def auth(header: str | None) -> Any:
        return await authenticate(register.principals, header)

    app = Starlette(routes=permit_routes(register.service, auth))
    body = {"number": NUMBER, "submissionId": "s_1", "submissionVersion": 1, "goodsItem": 1, "reason": "cancelled"}
    as_customs = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        first = await client.post("/v1/permits/reversals", json=body, headers=as_customs)
        again = await client.post("/v1/permits/reversals", json=body, headers=as_customs)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["remaining"] == {"value": "20000.000", "unit": "KGM"}
        assert again.json()["created"] is False and again.json()["entry"]["kind"] == "REVERSAL"
        unknown = await client.post("/v1/permits/reversals", json={**body, "goodsItem": 9}, headers=as_customs)
        assert unknown.status_code == 404
        denied = await client.post("/v1/permits/reversals", json=body, headers={"authorization": f"Bearer {vet}"})
        assert denied.status_code == 403
        bad = await client.post("/v1/permits/reversals", json={**body, "goodsItem": "one"}, headers=as_customs)
        assert bad.status_code == 422 and [p["path"] for p in bad.json()["problems"]] == ["/goodsItem"]
        ledger = await client.get("/v1/permits/write-offs", params={"number": NUMBER}, headers=as_customs)
        assert [e["kind"] for e in ledger.json()["entries"]] == ["WRITE_OFF", "REVERSAL"]

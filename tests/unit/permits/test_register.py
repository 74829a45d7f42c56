"""The permits register: issue, check every problem, write off exactly once, never overdraw; who may do it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound
from singlewindow.platform.permits import (
    CheckRequest,
    PermitKind,
    PermitRefused,
    PermitStatus,
    ProblemCode,
    WriteOffKey,
)

AT = date(2026, 11, 27)


def request(quantity: str = "8000.000", **changes: object) -> CheckRequest:
    base = CheckRequest("KZ-VET-2026-000481", "180540012345", "0202300000", Decimal(quantity), "KGM", AT)
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_issue_and_get_round_trip(register: Any, certificate: Any) -> None:
    issued = await register.service.issue(register.veterinary, certificate())
    got = await register.service.get(register.customs, issued.number)
    assert got == issued
    assert got.issuing_agency == "veterinary" and got.remaining == Decimal("20000.000")
    assert got.as_dict()["remaining"] == {"value": "20000.000", "unit": "KGM"}


async def test_an_agency_issues_only_its_own_kind(register: Any, certificate: Any) -> None:
    with pytest.raises(AccessDenied, match="issued by veterinary"):
        await register.service.issue(register.sanitary, certificate())
    with pytest.raises(AccessDenied):
        await register.service.issue(register.trader, certificate())
    loaded = await register.service.issue(register.operator, certificate("KZ-VET-LEGACY-1"))
    assert loaded.issuing_agency == "veterinary"


async def test_a_number_is_registered_once(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    with pytest.raises(Conflict):
        await register.service.issue(register.veterinary, certificate())


async def test_quantities_with_more_than_three_decimals_are_refused(register: Any, certificate: Any) -> None:
    with pytest.raises(InvalidInput, match="3 decimals"):
        await register.service.issue(register.veterinary, certificate(quantity="1.0001"))


async def test_check_ok_and_every_problem_named(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    assert (await register.service.check(register.customs, request())).ok
    unknown = await register.service.check(register.customs, request(number="FORGED-1"))
    assert [p.code for p in unknown.problems] == [ProblemCode.UNKNOWN]
    bad = await register.service.check(
        register.customs,
        request("25000", holder_id="999999999999", hs_code="0808100000", at=date(2027, 1, 5)),
    )
    assert {p.code for p in bad.problems} == {
        ProblemCode.EXPIRED,
        ProblemCode.WRONG_HOLDER,
        ProblemCode.HS_NOT_COVERED,
        ProblemCode.QUANTITY_EXCEEDS_BALANCE,
    }
    wrong = await register.service.check(register.customs, request(unit="NAR", kind=PermitKind.SANITARY_PERMIT))
    assert {p.code for p in wrong.problems} == {ProblemCode.UNIT_MISMATCH, ProblemCode.WRONG_KIND}


async def test_only_customs_checks_and_writes_off(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    with pytest.raises(AccessDenied):
        await register.service.check(register.trader, request())
    with pytest.raises(AccessDenied):
        await register.service.write_off(register.veterinary, request(), WriteOffKey("s1", 1, 1))
    with pytest.raises(AccessDenied):
        await register.service.ledger(register.sanitary, "KZ-VET-2026-000481")


async def test_write_off_is_idempotent_per_key_and_never_overdraws(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    first = await register.service.write_off(register.customs, request("12000"), WriteOffKey("s1", 1, 1))
    again = await register.service.write_off(register.customs, request("12000"), WriteOffKey("s1", 1, 1))
    assert first.created and not again.created
    assert first.remaining == again.remaining == Decimal("8000.000")
    with pytest.raises(Conflict, match=r"written off as 12000\.000"):
        await register.service.write_off(register.customs, request("11000"), WriteOffKey("s1", 1, 1))
    with pytest.raises(PermitRefused) as refused:
        await register.service.write_off(register.customs, request("8000.001"), WriteOffKey("s2", 1, 1))
    assert [p.code for p in refused.value.problems] == [ProblemCode.QUANTITY_EXCEEDS_BALANCE]
    last = await register.service.write_off(register.customs, request("8000"), WriteOffKey("s2", 1, 1))
    assert last.remaining == Decimal("0.000")
    ledger = await register.service.ledger(register.veterinary, "KZ-VET-2026-000481")
    assert [(e.key.submission_id, e.quantity) for e in ledger] == [
        ("s1", Decimal("12000.000")),
        ("s2", Decimal("8000.000")),
    ]
    assert all(e.written_off_by == register.customs.id for e in ledger)
    exhausted = await register.service.check(register.customs, request("1"))
    assert [p.code for p in exhausted.problems] == [ProblemCode.QUANTITY_EXCEEDS_BALANCE]


async def test_suspended_permits_are_not_written_off(register: Any, certificate: Any) -> None:
    await register.service.issue(register.veterinary, certificate())
    with pytest.raises(AccessDenied):
        await register.service.set_status(register.sanitary, "KZ-VET-2026-000481", PermitStatus.SUSPENDED)
    await register.service.set_status(register.veterinary, "KZ-VET-2026-000481", PermitStatus.SUSPENDED)
    with pytest.raises(PermitRefused) as refused:
        await register.service.write_off(register.customs, request(), WriteOffKey("s1", 1, 1))
    assert [p.code for p in refused.value.problems] == [ProblemCode.NOT_VALID]
    with pytest.raises(PermitRefused, match="no permit"):
        await register.service.write_off(register.customs, request(number="NOPE"), WriteOffKey("s1", 1, 1))
    with pytest.raises(NotFound):
        await register.service.ledger(register.customs, "NOPE")

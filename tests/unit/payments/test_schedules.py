"""Fee schedules: the shipped ones load, the schema and the overlap check refuse bad ones, validity picks one."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.payments.schedules import SCHEMA_FILE, FeeSchedules, default_fees_dir, read_schedules


def write(folder: Path, name: str, body: dict[str, object]) -> None:
    (folder / name).write_text(json.dumps(body), encoding="utf-8")


def schedule(
    schedule_id: str, valid_from: str, valid_to: str | None = None, amount: str = "100.00"
) -> dict[str, object]:
    body: dict[str, object] = {
        "id": schedule_id,
        "agency": "sanitary",
        "version": 1,
        "validFrom": valid_from,
        "fees": [{"code": "SAN-DOC", "description": "check", "per": "DOCUMENT", "amount": amount, "currency": "KZT"}],
    }
    if valid_to:
        body["validTo"] = valid_to
    return body


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(default_fees_dir() / SCHEMA_FILE, tmp_path / SCHEMA_FILE)
    return tmp_path


def test_the_shipped_schedules_are_valid_and_do_not_overlap() -> None:
    schedules, problems = read_schedules(default_fees_dir())
    assert problems == []
    assert {s.agency for s in schedules} == {"customs", "sanitary", "phytosanitary", "veterinary"}
    assert FeeSchedules.load().in_force("border-guard", datetime(2026, 12, 1, tzinfo=UTC)) is None


def test_the_schedule_in_force_on_the_day_is_chosen(folder: Path) -> None:
    write(folder, "old.json", schedule("san-2025", "2025-01-01", "2026-01-01", "100.00"))
    write(folder, "new.json", schedule("san-2026", "2026-01-01", amount="150.00"))
    schedules = FeeSchedules.load(folder)
    old = schedules.in_force("sanitary", datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    new = schedules.in_force("sanitary", datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    assert old is not None and old.id == "san-2025" and old.fees[0].amount == Decimal("100.00")
    assert new is not None and new.id == "san-2026"
    assert schedules.in_force("sanitary", datetime(2024, 6, 1, tzinfo=UTC)) is None


def test_overlapping_validity_of_one_agency_is_refused(folder: Path) -> None:
    write(folder, "a.json", schedule("san-a", "2025-01-01", "2026-02-01"))
    write(folder, "b.json", schedule("san-b", "2026-01-01"))
    _, problems = read_schedules(folder)
    assert len(problems) == 1 and "san-a and san-b overlap" in problems[0]
    with pytest.raises(ConfigurationError, match="overlap"):
        FeeSchedules.load(folder)


def test_a_schedule_against_the_schema_or_with_backwards_dates_is_reported(folder: Path) -> None:
    bad = schedule("san-x", "2026-01-01", amount="12.5")  # two decimals required: never a float-ish amount
    write(folder, "bad.json", bad)
    write(folder, "dates.json", schedule("san-y", "2026-05-01", "2026-04-01") | {"agency": "veterinary"})
    _, problems = read_schedules(folder)
    assert any(p.startswith("bad.json: /fees/0/amount") for p in problems)
    assert any(p.startswith("dates.json: validTo") for p in problems)

"""The profile format (message_specs/risk/profile.schema.json): the shipped example of every agency parses,
and a profile that breaks the schema or its own logic is refused with a pointer to the fault."""

from __future__ import annotations

from typing import Any

import pytest

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.risk import parse_profile, shipped_profiles
from singlewindow.platform.risk.profile import HsRange

from .conftest import criterion, profile_document


def test_every_agency_of_the_catalogue_has_a_shipped_example_that_parses() -> None:
    shipped = shipped_profiles()
    assert set(shipped) == {agency.id for agency in load_catalogue().agencies()}
    for agency, document in shipped.items():
        profile = parse_profile(document)
        assert profile.agency == agency and profile.version == 1 and profile.criteria
        assert profile.document_check < profile.physical_inspection


def _broken(change: dict[str, Any]) -> dict[str, Any]:
    return {**profile_document("customs"), **change}


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        (_broken({"criteria": []}), "/criteria"),
        (_broken({"version": 0}), "/version"),
        (_broken({"agency": "Customs!"}), "/agency"),
        (_broken({"colour": "red"}), "/"),
        (_broken({"thresholds": {"documentCheck": 60, "physicalInspection": 30}}), "/thresholds/physicalInspection"),
        (_broken({"criteria": [criterion("X", 10)]}), "/criteria/0"),
        (_broken({"criteria": [criterion("X", 10, randomShare=0.1), criterion("X", 5, randomShare=0.2)]}), "/criteria"),
        (_broken({"validTo": "2025-01-01T00:00:00Z"}), "/validTo"),
        (_broken({"criteria": [criterion("X", 10, randomShare=1.5)]}), "/criteria/0/randomShare"),
        (_broken({"criteria": [criterion("X", 10, hsRanges=[{"from": "08"}])]}), "/criteria/0/hsRanges/0"),
        (_broken({"criteria": [criterion("X", 10, traderHistory={"unknown": True})]}), "/criteria/0/traderHistory"),
    ],
)
def test_a_broken_profile_is_refused_with_its_pointer(document: dict[str, Any], pointer: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_profile(document)
    assert pointer in [problem.path for problem in refused.value.problems]


def test_hs_ranges_compare_each_bound_at_its_own_length() -> None:
    fruit = HsRange("0801", "0810")
    assert fruit.covers("080810") and fruit.covers("0801") and fruit.covers("081090")
    assert not fruit.covers("081100") and not fruit.covers("0701") and not fruit.covers("")
    chapters = HsRange("16", "21")
    assert chapters.covers("160100") and chapters.covers("219099") and not chapters.covers("220300")

"""Risk selectivity from the declarative profile: known declarations get GREEN, YELLOW and RED."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from singlewindow.adapters.customs.declaration import Declaration, DeclaredItem, TraderRecord
from singlewindow.adapters.customs.risk import assess, random_draw
from singlewindow.adapters.customs.risk_profile import PROFILES, ProfileError, load_profile, parse_profile

APPLES = DeclaredItem(
    1, "0808108000", "Fresh apples", "CN", Decimal("20000"), Decimal("21600"), Decimal("16000"), "USD"
)
LAPTOPS = DeclaredItem(1, "8471300000", "Laptops", "CN", Decimal("4320"), Decimal("4800"), Decimal("1128000"), "USD")


def declaration(*items: DeclaredItem, reference: str = "NSWTEST1V1") -> Declaration:
    return Declaration(reference, "929", "9", "180540012345", "180540012345", "CN", "KZ", items)


def shipped(share: float = 0.0) -> dict[str, object]:
    data: dict[str, object] = json.loads((PROFILES / "kz-import.json").read_text())
    data["randomControl"] = {"share": share, "channel": "YELLOW", "seed": "test"}
    return data


CLEAN = TraderRecord("180540012345", aeo=False, violations=0)


def test_known_declarations_get_green_yellow_and_red() -> None:
    profile = parse_profile(shipped())
    green = assess(declaration(APPLES), CLEAN, profile)
    assert (green.channel, green.score, green.hits) == ("GREEN", 0, ())
    yellow = assess(declaration(LAPTOPS), TraderRecord("180540012345", False, 2), profile)
    assert yellow.channel == "YELLOW" and {h.code for h in yellow.hits} == {"HS-ELECTRONICS", "TRADER-RECORD"}
    undervalued = replace(LAPTOPS, value=Decimal("300000"))  # 69 USD/kg against 180: under 60 %
    red = assess(declaration(undervalued), None, profile)
    assert red.channel == "RED" and red.score == 10 + 40 + 15
    assert {h.code for h in red.hits} == {"HS-ELECTRONICS", "VALUE-LOW", "TRADER-UNKNOWN"}


def test_aeo_status_relieves_and_origin_watch_list_adds() -> None:
    profile = parse_profile(shipped())
    afghan = replace(APPLES, origin_country="AF")
    assert assess(declaration(afghan), CLEAN, profile).channel == "YELLOW"
    assert assess(declaration(afghan), TraderRecord("x", True, 0), profile).channel == "GREEN"


def test_a_rule_counts_once_however_many_items_match() -> None:
    profile = parse_profile(shipped())
    two = declaration(LAPTOPS, replace(LAPTOPS, sequence=2))
    assert assess(two, CLEAN, profile).score == 10


def test_random_share_is_seeded_per_declaration_and_close_to_the_share() -> None:
    profile = parse_profile(shipped(share=0.2))
    picked = [assess(declaration(APPLES, reference=f"R{i}"), CLEAN, profile).random_selection for i in range(2000)]
    assert 0.17 < sum(picked) / len(picked) < 0.23
    again = [assess(declaration(APPLES, reference=f"R{i}"), CLEAN, profile).random_selection for i in range(2000)]
    assert picked == again
    chosen = next(i for i, p in enumerate(picked) if p)
    result = assess(declaration(APPLES, reference=f"R{chosen}"), CLEAN, profile)
    assert result.channel == "YELLOW" and result.hits[-1].code == "RANDOM"
    assert 0 <= random_draw(profile, "anything") < 1


def test_the_shipped_profile_loads_and_bad_profiles_name_the_field(tmp_path: Path) -> None:
    assert load_profile().id == "kz-import"
    bad = shipped()
    bad["thresholds"] = {"yellow": 30}
    with pytest.raises(ProfileError, match="/thresholds"):
        parse_profile(bad, "bad.json")
    inverted = shipped()
    inverted["thresholds"] = {"yellow": 50, "red": 20}
    with pytest.raises(ProfileError, match="red must be above yellow"):
        parse_profile(inverted)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "broken.json")

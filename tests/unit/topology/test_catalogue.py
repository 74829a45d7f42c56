"""The recipients catalogue: the shipped file is valid, and bad files fail with a pointer to each mistake."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.catalogue import (
    RecipientKind,
    default_path,
    format_duration,
    load_catalogue,
    parse_catalogue,
    parse_duration,
)
from singlewindow.platform.errors import ConfigurationError

FIVE = ["customs", "border-guard", "veterinary", "phytosanitary", "sanitary"]


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_path().read_text())
    return data


def test_the_shipped_catalogue_holds_the_five_agencies() -> None:
    catalogue = load_catalogue()
    assert [r.id for r in catalogue.agencies()] == FIVE
    customs = catalogue.get("customs")
    assert customs.kind is RecipientKind.AGENCY
    assert customs.broker_user == "nsw-agency-customs"
    assert customs.view == "view-customs"
    assert customs.decision_deadline == timedelta(hours=2)
    assert customs.retry_tiers == (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=5))
    assert catalogue.by_broker_user("nsw-agency-veterinary") == catalogue.get("veterinary")
    assert catalogue.by_broker_user("nsw-agency-nobody") is None


def test_an_unknown_recipient_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match=r"unknown recipient 'navy' \(catalogue has: customs, "):
        load_catalogue().get("navy")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["recipients"][1].pop("view"), r"/recipients/1: 'view' is a required property \[required\]"),
        (lambda d: d["recipients"][0].update(kind="ARMY"), r"/recipients/0/kind: 'ARMY' is not one of"),
        (lambda d: d["recipients"][2].update(decisionDeadline="4 hours"), r"/recipients/2/decisionDeadline: "),
        (lambda d: d["recipients"][0].update(id="Customs"), r"/recipients/0/id: 'Customs' does not match"),
        (lambda d: d["recipients"][3].update(extra=1), r"/recipients/3: Additional properties"),
        (
            lambda d: d["recipients"][4].update(id="customs"),
            r"/recipients/4/id: 'customs' is already used by /recipients/0",
        ),
        (
            lambda d: d["recipients"][1].update(brokerUser="nsw-agency-customs"),
            r"/recipients/1/brokerUser: 'nsw-agency-customs' is already used",
        ),
        (
            lambda d: d["recipients"][0].update(retryTiers=["PT30S", "PT5S"]),
            r"/recipients/0/retryTiers: retry tiers must",
        ),
        (lambda d: d["recipients"][0].update(retryTiers=[]), r"/recipients/0/retryTiers: \[\] should be non-empty"),
        (
            lambda d: d["recipients"][0].update(kind="PARTNER"),
            r"/recipients/0/brokerUser: a PARTNER broker user starts with 'nsw-partner-'",
        ),
        (lambda d: d["recipients"][0].update(retryTiers=["PT0S"]), r"'PT0S' is not a positive duration"),
    ],
)
def test_a_bad_catalogue_names_the_place(mutate: Any, expected: str) -> None:
    data = copy.deepcopy(_shipped())
    mutate(data)
    with pytest.raises(ConfigurationError, match=expected) as caught:
        parse_catalogue(data, "test.json")
    assert "invalid recipients catalogue test.json" in caught.value.message


def test_every_problem_is_listed_at_once() -> None:
    data = copy.deepcopy(_shipped())
    data["recipients"][0].pop("name")
    data["recipients"][1]["view"] = "customs"
    with pytest.raises(ConfigurationError) as caught:
        parse_catalogue(data)
    message = caught.value.message
    assert "/recipients/0: 'name' is a required property" in message
    assert "/recipients/1/view" in message


def test_missing_and_broken_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        load_catalogue(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigurationError, match="is not JSON"):
        load_catalogue(broken)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("PT5S", timedelta(seconds=5)),
        ("PT30M", timedelta(minutes=30)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT1H30M5S", timedelta(hours=1, minutes=30, seconds=5)),
    ],
)
def test_durations_round_trip(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta
    assert format_duration(delta) == text


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "5S", "PT1.5S", "-PT5S", "PT0S", ""])
def test_loose_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)

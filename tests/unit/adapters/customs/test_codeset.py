"""Code-set profiles: the shipped files hold to their schema, and the profile applied is the one named, else
the sender's, else the project's."""

from __future__ import annotations

import pytest

from singlewindow.adapters.customs.codeset import CODESETS, choose, code_sets


def test_every_shipped_profile_is_valid_and_named_as_its_file() -> None:
    files = sorted(e.name for e in CODESETS.iterdir() if e.name.endswith(".json") and "schema" not in e.name)
    assert files == [f"{name}.json" for name in sorted(code_sets())]
    assert sorted(code_sets()) == ["legacy-broker", "project", "uncl-numeric"]


@pytest.mark.parametrize(
    ("name", "sender", "applied"),
    [
        (None, "KZCUSTOMS", "project"),
        (None, "UNCLCUSTOMS", "uncl-numeric"),
        ("legacy-broker", "UNCLCUSTOMS", "legacy-broker"),
    ],
)
def test_the_profile_applied(name: str | None, sender: str, applied: str) -> None:
    codes, problem = choose(name, sender)
    assert (codes.name, problem) == (applied, None)


def test_an_unknown_profile_is_a_problem_naming_the_known_ones() -> None:
    _, problem = choose("kz-2019", "X")
    assert problem is not None and (problem.rule, problem.message) == (
        "profile.unknown",
        "no code-set profile 'kz-2019' (known: legacy-broker, project, uncl-numeric)",
    )


def test_a_code_list_qualified_indicator_matches_only_its_list() -> None:
    uncl = code_sets()["uncl-numeric"]
    assert (uncl.indicator("5", "120"), uncl.indicator("5", "109"), uncl.indicator("5", "")) == ("RED", None, None)

"""Code lists: the shipped files are well formed, and the validator checks every x-codelist value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.errors import ConfigurationError, InvalidInput
from singlewindow.platform.specs import (
    Catalog,
    CodeList,
    CodeListChecker,
    DocumentValidator,
    default_specs_dir,
    load_code_lists,
)
from singlewindow.platform.specs.codelists import code_list_shape_problems, parse_code_list

LISTS = load_code_lists(default_specs_dir())
EXPECTED = {
    "countries",
    "currencies",
    "units",
    "package-types",
    "hs",
    "customs-procedures",
    "customs-offices",
    "border-crossing-points",
    "locodes",
    "transport-modes",
}


def codes(list_id: str) -> frozenset[str]:
    return LISTS[list_id].codes


def test_every_list_of_the_conventions_ships() -> None:
    assert set(LISTS) >= EXPECTED


def test_list_sizes_match_their_sources() -> None:
    assert len(codes("countries")) == 249  # ISO 3166-1 alpha-2
    assert {"KZ", "CN", "KG", "MN", "UZ"} <= codes("countries")
    assert {"KZT", "CNY", "KGS", "USD", "EUR"} <= codes("currencies")
    assert len(codes("units")) >= 40
    assert {"KGM", "TNE", "H87", "NAR", "MTQ"} <= codes("units")
    assert {"CT", "BX", "BG", "PX", "NE", "VR"} <= codes("package-types")
    assert codes("transport-modes") == {str(n) for n in range(10)}
    assert {"10", "40", "80"} <= codes("customs-procedures")


def test_hs_has_all_97_chapters_and_full_headings_for_the_core_chapters() -> None:
    chapters = {code for code in codes("hs") if len(code) == 2}
    assert chapters == {f"{n:02d}" for n in range(1, 98)}
    for chapter, first, last in [("01", 1, 6), ("02", 1, 10), ("08", 1, 14), ("10", 1, 8), ("87", 1, 16)]:
        assert {f"{chapter}{n:02d}" for n in range(first, last + 1)} <= codes("hs")
    assert len([code for code in codes("hs") if code.startswith("84") and len(code) == 4]) >= 85


def test_border_crossing_points_are_paired_both_ways() -> None:
    entries = {entry["code"]: entry for entry in _entries("border-crossing-points")}
    for code, entry in entries.items():
        partner = entries[entry["partnerPoint"]]
        assert partner["partnerPoint"] == code
        assert partner["country"] != entry["country"]
        assert entry["mode"] in codes("transport-modes")
    assert entries["KZNZH"]["partnerPoint"] == "CNHRG"


def test_office_references_resolve() -> None:
    for entry in _entries("customs-offices"):
        assert entry["country"] in codes("countries")
        assert entry.get("borderCrossingPoint", "KZNZH") in codes("border-crossing-points")
        assert entry.get("locode", "KZALA") in codes("locodes")
        assert "invented" in entry["note"]


def _entries(list_id: str) -> list[dict[str, Any]]:
    return list(json.loads((default_specs_dir() / "codelists" / f"{list_id}.json").read_text())["codes"])


def test_hs_rule_accepts_any_code_under_a_listed_heading() -> None:
    hs = LISTS["hs"]
    assert hs.accepts("080810") and hs.accepts("0808100000")
    assert not hs.accepts("089910")  # chapter 08 has no heading 0899
    assert not hs.accepts("08")


@pytest.mark.parametrize(
    ("content", "pointer"),
    [
        ([], ""),
        ({"id": "units", "title": "", "source": "s", "version": "1", "codes": [{"code": "A", "name": "a"}]}, "/title"),
        ({"id": "other", "title": "t", "source": "s", "version": "1", "codes": [{"code": "A", "name": "a"}]}, "/id"),
        ({"id": "units", "title": "t", "source": "s", "version": "1", "codes": []}, "/codes"),
        ({"id": "units", "title": "t", "source": "s", "version": "1", "codes": [{"code": "A"}]}, "/codes/0/name"),
        (
            {"id": "units", "title": "t", "source": "s", "version": "1", "codes": [{"code": "A", "name": "a"}] * 2},
            "/codes/1/code",
        ),
    ],
)
def test_malformed_lists_are_reported_with_a_pointer(content: Any, pointer: str) -> None:
    assert [where for where, _ in code_list_shape_problems(content, "units")] == [pointer]
    with pytest.raises(InvalidInput, match=pointer or "/"):
        parse_code_list(Path("units.json"), content)


SCHEMA: dict[str, Any] = {
    "$id": "urn:nsw:spec:test",
    "type": "object",
    "properties": {
        "country": {"type": "string", "x-codelist": "countries"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"commodityCode": {"$ref": "#/$defs/CommodityCode"}},
            },
        },
    },
    "$defs": {
        "CommodityCode": {
            "type": "object",
            "properties": {
                "hsCode": {"type": "string", "x-codelist": "hs"},
                "nationalCode": {"type": "string", "x-codelist": "hs"},
            },
        }
    },
}


def test_checker_reports_unlisted_codes_and_national_codes_outside_their_subheading() -> None:
    checker = CodeListChecker(SCHEMA, LISTS)
    document = {
        "country": "XX",
        "items": [
            {"commodityCode": {"hsCode": "080810", "nationalCode": "0808100000"}},
            {"commodityCode": {"hsCode": "089910"}},
            {"commodityCode": {"hsCode": "020130", "nationalCode": "0202300000"}},
        ],
    }
    assert [(p.path, p.code) for p in checker.problems(document)] == [
        ("/country", "codelist"),
        ("/items/1/commodityCode/hsCode", "codelist"),
        ("/items/2/commodityCode/nationalCode", "codelist"),
    ]


def test_a_schema_naming_an_unknown_list_is_a_configuration_error() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string", "x-codelist": "planets"}}}
    with pytest.raises(ConfigurationError, match="planets"):
        CodeListChecker(schema, LISTS)


def test_the_validator_runs_code_lists_after_the_schema() -> None:
    catalog = Catalog()
    name = "agency-decision"
    document = _first_valid(catalog, name)
    document["references"] = [{"type": "INVOICE", "id": "1", "issuer": "XX"}]
    problems = DocumentValidator(catalog, LISTS).validate(name, document)
    assert [(p.path, p.code) for p in problems] == [("/references/0/issuer", "codelist")]


def _first_valid(catalog: Catalog, name: str) -> dict[str, Any]:
    return dict(json.loads(catalog.get(name).valid_examples[0].read_text()))


def test_code_list_accepts_exact_codes_only() -> None:
    units = CodeList("units", "t", "s", "1", frozenset({"KGM"}))
    assert units.accepts("KGM") and not units.accepts("kgm") and not units.accepts("KGMX")

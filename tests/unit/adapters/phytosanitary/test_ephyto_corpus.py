"""The ePhyto corpus: certificates in every form the UN/CEFACT SPS standard allows and the IPPC hub delivers
(bare, in the hub's envelope as text, base64 or inline; every optional element; repeated notes; empty
optional text; every udt date-time form; the sender's own prefixes), each with the exact reading
``check_ephyto`` gives (documents and problems, national ones included), and refused files with their exact
problems. Regenerating an expected reading: ``write_expected`` below, then read the diff before committing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.formats import FormatReading
from singlewindow.adapters.phytosanitary.ephyto import check_ephyto, schema_folder
from singlewindow.adapters.phytosanitary.ephyto.safe_xml import MAX_BYTES

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.xml"))
INVALID = sorted((CORPUS / "invalid").glob("*.xml"))


def reading_of(path: Path) -> dict[str, Any]:
    reading = check_ephyto(path.read_bytes(), None)
    problems = [{"where": p.where, "rule": p.rule, "layer": p.layer, "message": p.message} for p in reading.problems]
    return {"format": reading.format, "documents": list(reading.documents), "problems": problems}


def expected(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return found


def write_expected(path: Path) -> None:
    """For a new corpus file: its current reading as the expectation (review it before committing)."""
    text = json.dumps(reading_of(path), indent=2, ensure_ascii=False)
    path.with_suffix(".json").write_text(text + "\n", encoding="utf-8")


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_a_valid_certificate_is_read_exactly(path: Path) -> None:
    reading = reading_of(path)
    assert reading == expected(path)
    assert len(reading["documents"]) == 1 and all(p["layer"] == "national" for p in reading["problems"])


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_a_refused_file_gives_its_exact_problems(path: Path) -> None:
    reading = reading_of(path)
    assert reading == expected(path)
    assert reading["documents"] == [] and reading["problems"]
    assert all(problem["layer"] == "format" for problem in reading["problems"])


def test_the_corpus_uses_every_element_of_the_schema() -> None:
    declared: set[str] = set()
    for name in ("SPSCertificate.xsd", "ReusableAggregateBusinessInformationEntity.xsd", "UnqualifiedDataType.xsd"):
        declared |= set(re.findall(r'<xs:element name="(\w+)"', (schema_folder() / name).read_text()))
    used = set(re.findall(r"<ram:(\w+)|<rsm:(\w+)|<udt:(\w+)", (CORPUS / "valid" / "every-element.xml").read_text()))
    assert declared == {name for names in used for name in names if name} and len(declared) == 124


def test_every_form_of_the_issue_date_time_reads_as_iso_8601() -> None:
    issued = {p.stem: reading_of(p)["documents"][0]["issuedAt"] for p in VALID if p.stem.startswith("issue-")}
    assert issued == {
        "issue-date-only": "2026-04-22",
        "issue-empty": None,
        "issue-format-102": "2026-04-22",
        "issue-format-203": "2026-04-22T13:53:00",
        "issue-format-204": "2026-04-22T13:53:08",
        "issue-iso-local": "2026-04-22T13:53:08",
        "issue-iso-minutes": "2026-04-22T13:53:00",
        "issue-iso-offset": "2026-04-22T13:53:08-03:00",
        "issue-iso-zulu-fraction": "2026-04-22T16:53:08.250000+00:00",
        "issue-udt-datetime": "2026-04-22T13:53:08-03:00",
        "issue-unknown-format": None,
    }


def test_the_three_envelope_forms_carry_the_same_certificate() -> None:
    documents = [reading_of(CORPUS / "valid" / f"envelope-{form}.xml")["documents"][0] for form in
                 ("content-text", "content-base64", "inline-certificate")]  # fmt: skip
    bare = reading_of(CORPUS / "valid" / "required-and-national.xml")["documents"][0]
    assert all({k: v for k, v in d.items() if k != "envelope"} == bare for d in documents)
    assert documents[2]["envelope"]["forwardings"] == ["CN"] and documents[0]["envelope"]["from"] == "AR"


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    reading: FormatReading = check_ephyto(b" " * (MAX_BYTES + 1), None)
    assert [(p.where, p.rule) for p in reading.problems] == [("file", "xml.too-large")] and not reading.documents

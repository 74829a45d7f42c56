"""The EDIFACT corpus (corpus/README.md): every valid file reads exactly as its JSON says, under the profile
it names; every invalid file gives exactly its problems, each at its place with its rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.cli.formats import check_file

CORPUS = Path(__file__).parent / "corpus"


def _expected(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("path", sorted((CORPUS / "valid").glob("*.edi")), ids=lambda p: p.stem)
def test_a_valid_file_reads_as_expected(path: Path) -> None:
    expected = _expected(path)
    reading = check_file(path.read_bytes(), expected.get("profileOption"))
    assert reading.problems == ()
    assert (reading.format, reading.profile, list(reading.documents)) == (
        expected["format"], expected["profile"], expected["documents"],
    )  # fmt: skip


@pytest.mark.parametrize("path", sorted((CORPUS / "invalid").glob("*.edi")), ids=lambda p: p.stem)
def test_an_invalid_file_gives_exactly_its_problems(path: Path) -> None:
    expected = _expected(path)
    reading = check_file(path.read_bytes(), expected.get("profileOption"))
    assert [[p.where, p.rule, p.message] for p in reading.problems] == expected["problems"]


def test_every_corpus_file_has_its_expected_reading() -> None:
    files = list(CORPUS.glob("*/*.edi"))
    assert len(files) >= 20 and all(f.with_suffix(".json").is_file() for f in files)

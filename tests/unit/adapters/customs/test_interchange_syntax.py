# ruff: noqa: RUF001  (Cyrillic and Greek letters are the point of these tests)
"""The interchange reader against ISO 9735 facts: every syntax level with a character only it has, UNA with
any separators, and hostile input that must give a problem, never an exception."""

from __future__ import annotations

import pytest

from singlewindow.adapters.customs.edifact import read_interchange
from singlewindow.adapters.customs.edifact.reading import MAX_BYTES


def interchange(level: str, text: str, una: str = "UNA:+.? '") -> str:
    return f"{una}UNB+{level}:4+S+R+20261126:0413+C1'UNH+1+CUSRES:D:96B:UN'FTX+AAI+++{text}'UNT+3+1'UNZ+1+C1'"


LEVELS = [
    ("UNOA", "ascii", 'ABC 123 (.,-/=!"%&*;<>)'),
    ("UNOB", "ascii", "Mixed case text"),
    ("UNOC", "iso8859-1", "Contrôle à Genève"),
    ("UNOD", "iso8859-2", "Łódź, Żółć"),
    ("UNOE", "iso8859-5", "Хоргос"),
    ("UNOF", "iso8859-7", "Θεσσαλονίκη"),
    ("UNOG", "iso8859-3", "Ħamrun"),
    ("UNOH", "iso8859-4", "Šiauliai ŖĢ"),
    ("UNOI", "iso8859-6", "جمارك"),
    ("UNOJ", "iso8859-8", "מכס"),
    ("UNOK", "iso8859-9", "Gümrük İzmir"),
    ("UNOW", "utf-8", "霍尔果斯 Хоргос"),
    ("UNOX", "iso2022_jp_2", "税関 東京"),
    ("UNOY", "utf-8", "Ελλάδα 税関"),
]


@pytest.mark.parametrize(("level", "codec", "text"), LEVELS, ids=[level for level, _, _ in LEVELS])
def test_every_syntax_level_decodes_its_own_characters(level: str, codec: str, text: str) -> None:
    read = read_interchange(interchange(level, text).encode(codec))
    assert read.problems == () and read.syntax == level
    (message,) = read.messages
    assert message.first("FTX") is not None and message.first("FTX").elements[3] == (text,)  # type: ignore[union-attr]


def test_a_character_outside_the_level_is_one_problem_at_its_component() -> None:
    read = read_interchange(interchange("UNOC", "Хоргос").encode("utf-8"))
    assert [(p.where, p.rule) for p in read.problems] == [
        ("segment 3 (FTX), element 4, component 1", "edifact.character-set")
    ]
    # a UTF-8 byte of the Cyrillic er
    assert read.problems[0].message == "character '\\x80' (U+0080) is not in the UNOC repertoire"


def test_una_separators_and_release_characters_are_honoured() -> None:
    text = "UNA|*,# !UNB*UNOC|4*S*R*20261126|0413*C1!UNH*1*CUSRES|D|96B|UN!FTX*AAI***a#*b#|c#!d##e!UNT*3*1!UNZ*1*C1!"
    read = read_interchange(text.encode("latin-1"))
    assert read.problems == ()
    assert read.messages[0].segments[0].elements[3] == ("a*b|c!d#e",) and read.messages[0].decimal == ","


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "edifact.unb-missing"),
        (b"\xff\xfeU\x00N\x00B\x00", "edifact.encoding"),
        (b"UNA:+", "edifact.una"),
        (b"UNA:::? 'UNB", "edifact.una"),
        (b"\x00\x01\x02 garbage", "edifact.unb-missing"),
        (
            b"UNB+UNOW:4+S+R+20261126:0413+C1'UNH+1+CUSRES:D:96B:UN'" + b"FTX+" + b"+" * 200 + b"'",
            "edifact.too-many-elements",
        ),
        (
            b"UNB+UNOW:4+S+R+20261126:0413+C1'UNH+1+CUSRES:D:96B:UN'BGM+1'UNT+3+1'UNZ+1+C1'UNZ+1+C1'",
            "edifact.after-unz",
        ),
        (b"UNB+UNOW:4+S+R+20261126:0413+C1'BGM+1'UNZ+0+C1'", "edifact.outside-message"),
        (b"UNB+UNOW:4+S+R+20261126:0413+C1'bgm+1'UNZ+0+C1'", "edifact.segment-tag"),
        (b"UNB+UNOW:4+S+R+20261126:0413+C1'UNT+2+1'UNZ+0+C1'", "edifact.unt-without-unh"),
        (b"UNB+UNOW:4++R+20261126:0413+C1'UNZ+0+C1'", "edifact.mandatory-element"),
        (b"UNB+UNOW:7+S+R+20261126:0413+C1'UNZ+0+C1'", "edifact.syntax-version"),
        (b"UNB+UNOW:4+S+R+20261126:0413+C1'UNH+1+CUSRES:D:96B:UN'BGM+1?X'UNT+3+1'UNZ+1+C1'", "edifact.release-misused"),
        (b"UNB+UNOX:4+S+R+20261126:0413+C1'\x1b$B\x7f\x7f'", "edifact.character-set"),
    ],
    ids=[
        "empty",
        "utf16",
        "una-short",
        "una-not-distinct",
        "binary",
        "elements",
        "after-unz",
        "outside",
        "tag",
        "unt-alone",
        "no-sender",
        "version",
        "release",
        "iso2022",
    ],
)
def test_hostile_input_is_a_problem_never_an_exception(data: bytes, rule: str) -> None:
    assert rule in [p.rule for p in read_interchange(data).problems]


def test_a_file_over_the_size_limit_is_not_read() -> None:
    (problem,) = read_interchange(b"U" * (MAX_BYTES + 1)).problems
    assert problem.rule == "edifact.too-large"


def test_a_una_without_release_character_reads_the_question_mark_as_data() -> None:
    read = read_interchange(interchange("UNOA", "WHY?", una="UNA:+.  '").encode("ascii"))
    assert read.problems == () and read.messages[0].segments[0].elements[3] == ("WHY?",)


def test_a_repetition_separator_in_data_is_named_as_such() -> None:
    (problem,) = read_interchange(interchange("UNOW", "A*B", una="UNA:+.?*'").encode()).problems
    assert (problem.where, problem.rule) == ("segment 3 (FTX), element 4, component 1", "edifact.repetition")


def test_thousands_of_separators_in_one_segment_are_one_problem() -> None:
    junk = b"UNB+UNOW:4+S+R+20261126:0413+C1'UNH+1+CUSRES:D:96B:UN'FTX" + b"+" * 5000 + b":" * 5000 + b"'"
    rules = [p.rule for p in read_interchange(junk).problems]
    assert rules.count("edifact.too-many-elements") == 1

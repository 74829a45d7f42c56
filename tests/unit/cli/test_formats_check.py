"""``nsw formats check`` over the EDIFACT corpus: the reading printed, problems printed, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from singlewindow.platform.cli.main import cli

CORPUS = Path(__file__).parents[1] / "adapters" / "customs" / "corpus"
ENV = {"NSW_CONFIG_FILE": "", "NSW_BROKER__URL": ""}


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["formats", "check", *args], env=ENV)
    return result.exit_code, result.output


def test_a_valid_partner_file_prints_the_reading_and_the_profile_chosen_by_its_sender() -> None:
    code, out = check(str(CORPUS / "valid" / "cusres-bom-una-latin1-uncl.edi"), "--json")
    reading = json.loads(out)
    assert code == 0 and reading["ok"] and (reading["format"], reading["profile"]) == ("CUSRES", "uncl-numeric")
    assert [d["decision"]["status"] for d in reading["documents"]] == ["INSPECTION_REQUIRED"]


def test_the_profile_option_applies_a_partners_codes() -> None:
    path = str(CORPUS / "valid" / "cusdec-agent-declarant-uncl.edi")
    assert check(path, "--profile", "uncl-numeric")[0] == 0
    code, out = check(path)
    assert code == 1 and "no identification of the declarant (NAD+DT) [cusdec.declarant]" in out


def test_problems_are_printed_one_per_line_and_exit_1() -> None:
    code, out = check(str(CORPUS / "invalid" / "cusres-three-things-missing.edi"))
    problems = [line for line in out.splitlines() if line.startswith("problem")]
    assert code == 1 and [p.rsplit("[", 1)[1] for p in problems] == [
        "cusres.response-number]",
        "cusres.declaration]",
        "cusres.issuer]",
    ]


def test_an_unknown_profile_and_an_unknown_format_are_problems(tmp_path: Path) -> None:
    code, out = check(str(CORPUS / "valid" / "cusres-group-two-answers.edi"), "--profile", "nope")
    assert code == 1 and "[profile.unknown]" in out
    other = tmp_path / "note.txt"
    other.write_text("hello", encoding="utf-8")
    assert check(str(other)) == (
        1,
        f"{other}: unknown: 0 document(s) read\n"
        "problem (format): file: neither XML (ePhyto) nor UN/EDIFACT (UNA/UNB) [format.unknown]\n",
    )


def test_xml_goes_to_the_ephyto_reader(tmp_path: Path) -> None:
    xml = tmp_path / "cert.xml"
    xml.write_bytes(b"\xef\xbb\xbf<?xml version='1.0'?><rsm:SPSCertificate/>")
    code, out = check(str(xml), "--json")
    reading = json.loads(out)
    assert code == 1 and reading["format"] == "ePhyto"

"""``nsw payments``: reference, pain001 (a file an operator hands over) and read-camt054 (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.payments.providers.iso20022.camt054 import read_file

from .conftest import BILLION_LAUGHS, TREASURY

SAMPLE = Path(__file__).parent / "samples" / "camt054-treasury.xml"
ENV = {
    "NSW_CONFIG_FILE": "",
    "NSW_BROKER__URL": "",
    "NSW_TREASURY_NAME": TREASURY.name,
    "NSW_TREASURY_ACCOUNT": TREASURY.account,
    "NSW_TREASURY_BIC": TREASURY.bic or "",
}
PAIN001 = [
    "payments",
    "pain001",
    "--invoice",
    "INV2026000123",
    "--amount",
    "15000.50",
    "--currency",
    "kzt",
    "--debtor-name",
    "Trader & Sons LLP",
    "--debtor-account",
    "KZ86 125K ZT50 0410 0100",
    "--requested-on",
    "2026-12-08",
]


def run(*args: str, env: dict[str, str] = ENV) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_reference_prints_the_rf_reference_whole_and_grouped() -> None:
    assert run("payments", "reference", "INV2026000123") == (0, "RF98INV2026000123\tRF98 INV2 0260 0012 3\n", "")
    code, _, err = run("payments", "reference", "INV-2026-1")
    assert code == 1 and "[reference.body]" in err


def test_pain001_writes_the_file_for_the_bank(tmp_path: Path) -> None:
    out = tmp_path / "pay.xml"
    code, stdout, _ = run(*PAIN001, "--out", str(out))
    assert code == 0 and stdout.startswith(f"{out}\tmessage NSW") and "RF98 INV2 0260 0012 3" in stdout
    document = out.read_bytes()
    assert b'<InstdAmt Ccy="KZT">15000.50</InstdAmt>' in document
    assert b"<IBAN>KZ86125KZT5004100100</IBAN>" in document and b"<BICFI>KKMFKZ2A</BICFI>" in document
    assert b"<Dt>2026-12-08</Dt>" in document and b"<Ref>RF98INV2026000123</Ref>" in document
    assert [p.name for p in tmp_path.iterdir()] == ["pay.xml"]


def test_pain001_names_the_file_by_its_message_id_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run(*PAIN001)
    message_id = stdout.split("\t")[1].removeprefix("message ")
    assert code == 0 and [p.name for p in tmp_path.iterdir()] == [f"{message_id}.xml"]


def test_pain001_refuses_bad_input_with_the_problem_and_exit_1(tmp_path: Path) -> None:
    code, _, err = run(*PAIN001[:5], "15000.505", *PAIN001[6:], "--out", str(tmp_path / "x.xml"))
    assert code == 1 and "problem --amount" in err and "[amount.decimals]" in err
    assert not (tmp_path / "x.xml").exists()
    code, _, err = run(*PAIN001, "--out", str(tmp_path / "missing" / "x.xml"))
    assert code == 1 and "cannot write" in err
    no_treasury = {k: v for k, v in ENV.items() if not k.startswith("NSW_TREASURY")}
    code, _, err = run(*PAIN001, env=no_treasury)
    assert code == 2 and "--treasury-name" in err


def test_read_camt054_prints_the_credits_and_what_it_skipped() -> None:
    code, out, _ = run("payments", "read-camt054", str(SAMPLE))
    lines = out.splitlines()
    assert code == 0 and "camt.054.001.08, message KKMF20261207-0001, account KZ75125KZT2069100100" in lines[0]
    assert lines[1].split("\t") == [
        "credit KKMF-TX-000101",
        "2026-12-07T05:15:00+00:00",
        "15000.50 KZT",
        "RF98INV2026000123",
        "Trader & Sons LLP",
    ]
    assert [line.split(":")[0].rsplit("/", 1)[1] for line in lines if line.startswith("skipped")] == [
        "Ntry[3]",
        "Ntry[4]",
    ]
    assert lines[-1] == "3 credit(s), 2 skipped"


def test_read_camt054_json_is_the_reading() -> None:
    code, out, _ = run("payments", "read-camt054", str(SAMPLE), "--json", "--account", TREASURY.account)
    data = json.loads(out)
    reading = read_file(SAMPLE)
    assert code == 0 and data["version"] == "camt.054.001.08" and data["accounts"] == [TREASURY.account]
    assert [(n["entryReference"], n["reference"], n["amount"]) for n in data["notices"]] == [
        (n.entry_reference, n.reference, str(n.amount)) for n in reading.notices
    ]
    assert data["notices"][1]["bookedAt"] == "2026-12-07T00:00:00+00:00"
    assert [s["reason"].split(":")[0] for s in data["skipped"]] == ["a debit", "status PDNG"]


def test_read_camt054_refuses_a_hostile_or_foreign_file_with_exit_1(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(BILLION_LAUGHS)
    code, out, err = run("payments", "read-camt054", str(bomb))
    assert code == 1 and out == "" and "[xml.doctype]" in err
    code, _, err = run("payments", "read-camt054", str(SAMPLE), "--account", "KZ86125KZT5004100100")
    assert code == 1 and "[camt054.account]" in err

"""``nsw report trs|trade`` over the hand-made history: text, JSON and CSV carry the same figures."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.cli.main import cli

NOVEMBER = ["--from", "2026-11-01", "--to", "2026-11-30"]


def nsw(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", f"sqlite:///{tmp_path / 'hub.db'}"])


def test_trs_text_json_and_csv(tmp_path: Path, engine: AsyncEngine) -> None:
    text = nsw(tmp_path, "report", "trs", *NOVEMBER)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0] == "Time release, consignments lodged 2026-11-01 to 2026-11-30"
    assert lines[1] == "  5 consignments, 3 released, 3 arrived, 2 exited, 1 lodged before arrival"
    assert "  arrivalToRelease              3  2 h 10 min      3 h 6 min" in lines
    assert "Channels: GREEN 1, YELLOW 1, RED 1" in lines
    as_json = json.loads(nsw(tmp_path, "report", "trs", "--json", *NOVEMBER).output)
    assert as_json["segments"]["arrivalToRelease"] == {"count": 3, "medianSeconds": 7800.0, "p90Seconds": 11160.0}
    as_csv = nsw(tmp_path, "report", "trs", "--csv", *NOVEMBER).output.splitlines()
    assert "overall,,arrivalToRelease,3,7800.0,11160.0" in as_csv


def test_trade_text_and_json(tmp_path: Path, engine: AsyncEngine) -> None:
    text = nsw(tmp_path, "report", "trade", *NOVEMBER)
    assert text.exit_code == 0, text.output
    assert "  84       import       1 decl     1 items  4800.000 kg  240000.00 USD" in text.output.splitlines()
    as_json = json.loads(nsw(tmp_path, "report", "trade", "--json").output)
    assert as_json["declarations"] == 5  # open period: S5 of December too


def test_a_bad_date_is_one_clear_line(tmp_path: Path, engine: AsyncEngine) -> None:
    refused = nsw(tmp_path, "report", "trs", "--from", "2026-02-30")
    assert refused.exit_code != 0
    assert "from is not a calendar date" in str(refused.exception)

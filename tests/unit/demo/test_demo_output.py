"""The readable timeline, compared with a golden file once times and ids are masked; and the self-check:
a run that ends otherwise than the scenario expects says so and is not ok."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from singlewindow.platform.demo import SCENARIO, render_human, run_demo
from singlewindow.platform.settings import Settings

GOLDEN = Path(__file__).parent / "golden" / "demo.txt"

# What differs between two runs: times, submission ids, whether a decision happened to arrive after the
# final status (the rejected sheep: the other agencies may still be deciding when veterinary rejects), and
# whether every other agency had decided on the transit by the end of the customs inspection (if not, the
# hub rightly shows UNDER_REVIEW between HELD and CLEARED).
_MASKS = (
    (re.compile(r"( {2,})\+\d+ ms"), lambda m: "+N ms".rjust(len(m.group(0)))),
    (re.compile(r"\+\d+ ms"), lambda m: "+N ms"),
    (re.compile(r" in \d+ ms"), lambda m: " in N ms"),
    (re.compile(r"Total \d+\.\d s"), lambda m: "Total N s"),
    (re.compile(r"s_[0-9a-f]{16}"), lambda m: "s_<id>"),
    (re.compile(r"  \(after the final status: kept, not applied\)"), lambda m: ""),
    (re.compile(r"HELD \+N ms -> UNDER_REVIEW \+N ms -> CLEARED"), lambda m: "HELD +N ms -> CLEARED"),
)


def masked(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


async def test_the_timeline_matches_the_golden_file(tmp_path: Path) -> None:
    result = await run_demo(Settings())
    text = masked(render_human(result))
    if os.environ.get("NSW_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    for consignment in SCENARIO:
        assert consignment.title in text
    assert "result: REJECTED in N ms (expected REJECTED: as expected)" in text
    assert "reason VET-NO-CERT: Live animals (HS 01) need the exporting country's veterinary certificate" in text
    assert text.count("(expected CLEARED: as expected)") == 4


async def test_a_run_that_misses_its_expectation_is_not_ok(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    laptops = next(c for c in SCENARIO if c.key == "laptops")
    wrong = dataclasses.replace(laptops, expected_status="REJECTED", expected_recipients=("customs",))
    monkeypatch.setattr("singlewindow.platform.demo.run.SCENARIO", (wrong,))
    result = await run_demo(Settings(), keep=tmp_path / "kept")
    assert not result.ok
    (timeline,) = result.timelines
    assert timeline.consolidated_status == "CLEARED"
    assert timeline.problems == (
        "consolidated status CLEARED, expected REJECTED",
        "routed to border-guard, customs; expected customs",
    )
    assert "NOT AS EXPECTED: consolidated status CLEARED, expected REJECTED" in render_human(result)
    assert (tmp_path / "kept" / "hub.db").is_file() and result.kept == (f"database {tmp_path / 'kept' / 'hub.db'}",)


async def test_keep_refuses_a_folder_that_already_holds_a_demo(tmp_path: Path) -> None:
    from singlewindow.platform.errors import ConfigurationError

    (tmp_path / "hub.db").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="already holds a demo database"):
        await run_demo(Settings(), keep=tmp_path)

"""The readable timeline of a run with the real adapters, compared with a golden file once times and ids are
masked; the run leaves no stand-in process and no folder behind, also when it fails half-way; and the
self-check: a run that ends otherwise than the scenario expects says so and is not ok."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

import pytest

from singlewindow.adapters.sdk.discovery import Discovery
from singlewindow.platform.demo import SCENARIO, DemoResult, render_human, run_demo
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import Settings

from .conftest import processes_using

GOLDEN = Path(__file__).parent / "golden" / "demo.txt"

# What differs between two runs: times, submission ids, whether a decision happened to arrive after the
# final status (the rejected sheep: the border guard officer may still be deciding when veterinary
# rejects), and whether every other agency had decided on the transit by the end of the customs inspection
# (if not, the hub rightly shows UNDER_REVIEW between HELD and CLEARED).
_MASKS = (
    (re.compile(r"( {2,})\+\d+ ms"), lambda m: "+N ms".rjust(len(m.group(0)))),
    (re.compile(r"\+\d+ ms"), lambda m: "+N ms"),
    (re.compile(r" in \d+ ms"), lambda m: " in N ms"),
    (re.compile(r"Total \d+\.\d s"), lambda m: "Total N s"),
    (re.compile(r"s_[0-9a-f]{16}"), lambda m: "s_<id>"),
    (re.compile(r"  \(after the final status: kept, not applied\)"), lambda m: ""),
    (
        re.compile(r"HELD \+N ms -> UNDER_REVIEW \+N ms -> (AWAITING_PAYMENT|CLEARED)"),
        lambda m: f"HELD +N ms -> {m.group(1)}",
    ),
    (re.compile(r"NSW[0-9A-F]{14}"), lambda m: "NSW<invoice>"),  # invoice numbers derive from submission ids
    (re.compile(r"RF\d\dNSW<invoice>"), lambda m: "RF<check>NSW<invoice>"),
)


def _in_one_order(text: str) -> str:
    """Decisions are listed in the order they happened, which differs between runs: once times are masked,
    put each decisions section's entries (a line with its condition and reason lines) in one order."""
    out: list[str] = []
    entries: list[list[str]] | None = None
    for line in text.split("\n"):
        if entries is not None and line.startswith(" " * 8) and "+N ms" in line[:20]:
            entries.append([line])
            continue
        if entries is not None and entries and line.startswith(" " * 20):
            entries[-1].append(line)
            continue
        if entries is not None:
            out += [part for entry in sorted(entries) for part in entry]
            entries = None
        out.append(line)
        if line == "    decisions:":
            entries = []
    return "\n".join(out)


def masked(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return _in_one_order(text)


def test_the_timeline_matches_the_golden_file(real_demo: DemoResult) -> None:
    text = masked(render_human(real_demo))
    if os.environ.get("NSW_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    for consignment in SCENARIO:
        assert consignment.title in text
    assert "result: REJECTED in N ms (expected REJECTED: as expected)" in text
    assert re.search(r"veterinary \(CHED webhook\) +#1 REJECTED", text)
    assert "reason VET-R1: No veterinary certificate of the exporting country for: Live sheep" in text
    assert text.count("(expected CLEARED: as expected)") == 5
    assert "result: CANCELLED in N ms (expected CANCELLED: as expected)" in text
    assert "told of the cancellation: border-guard, customs, sanitary, veterinary" in text
    assert re.search(r"trader +answered border-guard's query", text)
    for source in ("customs (EDIFACT CUSRES)", "sanitary (shared table)", "phytosanitary (ePhyto)",
                   "border-guard (officer)"):  # fmt: skip
        assert re.search(rf"{re.escape(source)} +#1 ", text), source


def test_the_run_left_no_stand_in_process_and_no_folder(real_demo: DemoResult) -> None:
    assert real_demo.workdir and not Path(real_demo.workdir).exists()
    assert processes_using(real_demo.workdir) == []


async def test_a_failure_half_way_stops_every_stand_in_and_removes_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("an adapter broke while starting")

    # the adapters start once the stand-ins are up: the run fails with four processes to stop
    monkeypatch.setattr("singlewindow.platform.demo.agencies._runtime", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError, match="an adapter broke while starting"):
        await run_demo(Settings())
    assert processes_using(tmp_path) == []
    assert os.listdir(tmp_path) == []


async def test_an_agency_whose_adapter_is_not_installed_keeps_its_auto_decider_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("singlewindow.platform.demo.agencies.discover", lambda: Discovery((), ()))
    result = await run_demo(Settings())
    assert result.ok
    assert result.sources["veterinary"] == "auto-decider (veterinary-ched not installed)"
    assert set(result.sources) == {"customs", "veterinary", "sanitary", "phytosanitary", "border-guard"}
    text = render_human(result)
    assert "    customs        auto-decider (customs-edifact not installed)" in text
    assert "or an auto-decider where the adapter is not installed:" in text
    assert re.search(r"veterinary \(auto-decider \(veterinary-ched not installed\)\) +#1 REJECTED", text)


async def test_a_run_that_misses_its_expectation_is_not_ok(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    laptops = next(c for c in SCENARIO if c.key == "laptops")
    wrong = dataclasses.replace(laptops, expected_status="REJECTED", expected_recipients=("customs",))
    monkeypatch.setattr("singlewindow.platform.demo.run.SCENARIO", (wrong,))
    result = await run_demo(Settings(), keep=tmp_path / "kept", auto_deciders=True)
    assert not result.ok
    (timeline,) = result.timelines
    assert timeline.consolidated_status == "CLEARED"
    assert timeline.problems == (
        "consolidated status CLEARED, expected REJECTED",
        "routed to border-guard, customs; expected customs",
    )
    text = render_human(result)
    assert "NOT AS EXPECTED: consolidated status CLEARED, expected REJECTED" in text
    assert "agencies: simple auto-deciders (--auto-deciders)" in text
    assert (tmp_path / "kept" / "hub.db").is_file() and result.kept == (f"database {tmp_path / 'kept' / 'hub.db'}",)


async def test_keep_refuses_a_folder_that_already_holds_a_demo(tmp_path: Path) -> None:
    (tmp_path / "hub.db").write_bytes(b"")
    with pytest.raises(ConfigurationError, match="already holds a demo database"):
        await run_demo(Settings(), keep=tmp_path)

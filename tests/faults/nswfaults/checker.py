"""The checker: what must hold after a fault, healed and drained, written so that it can fail.

Like Jepsen's ``total-queue`` checker it sorts every accepted submission into what happened to it, and it
reports raw redeliveries and republishes apart from effects (those are allowed, duplicated effects are not).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    fault: str
    accepted: int = 0
    terminal_once: int = 0
    lost: list[str] = field(default_factory=list)  # accepted, no terminal status recorded
    duplicated_terminal: list[str] = field(default_factory=list)  # more than one terminal status
    wrong_status: list[str] = field(default_factory=list)
    stream_missing: list[str] = field(default_factory=list)
    stream_duplicated: list[str] = field(default_factory=list)
    decisions_expected: int = 0
    decisions_applied: int = 0
    decisions_missing: list[str] = field(default_factory=list)
    decisions_duplicated: list[str] = field(default_factory=list)
    standin_undecided: list[str] = field(default_factory=list)
    leftover_queues: dict[str, int] = field(default_factory=dict)
    poison_parked: int = 0
    broken_chains: list[str] = field(default_factory=list)  # nsw audit verify's findings (issue 17)
    evidence: dict[str, Any] = field(default_factory=dict)  # fault-struck proof and raw counts
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        problems = []
        for name in (
            "lost",
            "duplicated_terminal",
            "wrong_status",
            "stream_missing",
            "stream_duplicated",
            "decisions_missing",
            "decisions_duplicated",
            "standin_undecided",
        ):
            found = getattr(self, name)
            if found:
                problems.append(f"{name}: {len(found)} (e.g. {sorted(found)[:5]})")
        if self.leftover_queues:
            problems.append(f"queues not empty: {self.leftover_queues}")
        if self.broken_chains:
            problems.append(f"event chains broken: {len(self.broken_chains)} (e.g. {self.broken_chains[:2]})")
        return problems

    def summary(self) -> str:
        return (
            f"[{self.fault}] accepted={self.accepted} terminal_once={self.terminal_once} lost={len(self.lost)} "
            f"dup_terminal={len(self.duplicated_terminal)} "
            f"decisions={self.decisions_applied}/{self.decisions_expected} "
            f"missing={len(self.decisions_missing)} dup_decisions={len(self.decisions_duplicated)} "
            f"stream_missing={len(self.stream_missing)} stream_dup={len(self.stream_duplicated)} "
            f"poison_parked={self.poison_parked} leftovers={self.leftover_queues} "
            f"chains_broken={len(self.broken_chains)} evidence={self.evidence} "
            f"seconds={ {k: round(v, 1) for k, v in self.seconds.items()} }"
        )


def check_terminals(
    report: Report,
    accepted: set[str],
    terminal_rows: list[tuple[str, int, str]],
    stream: dict[tuple[str, int], list[str]] | None,
    expected_status: str = "CLEARED",
) -> None:
    """Exactly one terminal status per accepted submission, in the table and (if followed) on the stream."""
    report.accepted = len(accepted)
    per_submission = Counter(sid for sid, _version, _status in terminal_rows if sid in accepted)
    statuses = {sid: status for sid, _version, status in terminal_rows}
    report.lost = sorted(accepted - set(per_submission))
    report.duplicated_terminal = sorted(sid for sid, n in per_submission.items() if n > 1)
    report.terminal_once = sum(1 for n in per_submission.values() if n == 1)
    report.wrong_status = sorted(sid for sid in per_submission if statuses[sid] != expected_status)
    if stream is not None:
        seen = Counter()
        for (sid, _version), items in stream.items():
            seen[sid] += len(items)
        report.stream_missing = sorted(sid for sid in accepted if seen[sid] == 0)
        report.stream_duplicated = sorted(sid for sid in accepted if seen[sid] > 1)


def check_decisions(
    report: Report,
    expected: list[tuple[str, int, str]],
    applied: list[tuple[str, int, str, str]],
    ledgers: dict[str, set[str]] | None = None,
) -> None:
    """Every recipient decision applied exactly once: one DECISION event per expected (submission, version, agency).

    ``applied`` rows are (submission, version, agency, message id); the same message id twice would be a
    failed dedup, two ids for one recipient a decision published twice. ``ledgers`` (agency -> hand-over stems
    the stand-in decided) cross-check that every document the agency system received was decided.
    """
    report.decisions_expected = len(expected)
    count = Counter((sid, version, agency) for sid, version, agency, _mid in applied)
    wanted = set(expected)
    report.decisions_applied = sum(n for key, n in count.items() if key in wanted)
    report.decisions_missing = sorted(f"{s}/v{v}/{a}" for s, v, a in wanted if count[(s, v, a)] == 0)
    report.decisions_duplicated = sorted(
        f"{s}/v{v}/{a}" for (s, v, a), n in count.items() if n > 1 and (s, v, a) in wanted
    )
    if ledgers is not None:
        decided = {stem.rsplit(".a", 1)[0] for stems in ledgers.values() for stem in stems}
        report.standin_undecided = sorted(f"{s}/v{v}/{a}" for s, v, a in wanted if f"{s}.v{v}.{a}" not in decided)


def check_queues(report: Report, totals: dict[str, int], planted: dict[str, int]) -> None:
    """Every queue empty, except the planted poison documents in the queues they are meant to end in."""
    leftovers = {}
    for name, total in totals.items():
        allowed = planted.get(name, 0)
        if total != allowed:
            leftovers[name] = total
    report.leftover_queues = leftovers
    report.poison_parked = sum(min(totals.get(q, 0), n) for q, n in planted.items())

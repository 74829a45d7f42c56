"""The second country of ``nsw demo``: the five cross-border use cases of one truck from Kostanay to Urumqi
(``data/crossborder``), played between the KZ and CN single windows joined by their gateways.

Each step is submitted once in its country; the demo follows it to the neighbour and back and says, as it
happens, what each side did: the envelope sent (its sequence), the receipt, the submission the partner's
gateway made in the other hub, the other country's decision and reasons, and that decision arriving home as
the partner's. A case is as expected when every step ends with the decision the story expects.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing.crossborder import Country, TwoCountries

DATA = Path(__file__).resolve().parent / "data" / "crossborder"
Progress = Callable[[str], None]
ANSWER_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Step:
    country: str  # where it is submitted: "KZ" or "CN"
    document_type: str
    file: str
    expected: str  # the partner's decision the story expects on it


@dataclass(frozen=True, slots=True)
class Case:
    key: str
    title: str
    steps: tuple[Step, ...]


CASES: tuple[Case, ...] = (
    Case(
        "recognised",
        "advance cargo manifest + KZ control result: CN accepts without inspection (mutual recognition)",
        (
            Step("KZ", "control-result", "02-control-result-kz.json", "ACCEPTED"),
            Step("KZ", "cargo-manifest", "01-cargo-manifest-kz-cn.json", "ACCEPTED"),
        ),
    ),
    Case(
        "seals-differ",
        "a second truck whose seals differ from KZ's control result: CN asks for inspection",
        (
            Step("KZ", "control-result", "02b-control-result-seal-mismatch.json", "ACCEPTED"),
            Step("KZ", "cargo-manifest", "01b-cargo-manifest-seal-mismatch.json", "INSPECTION_REQUIRED"),
        ),
    ),
    Case(
        "phyto",
        "KZ's export phytosanitary certificate reaches CN with the consignment",
        (Step("KZ", "phytosanitary-certificate", "03-phytosanitary-certificate-kz-cn.json", "ACCEPTED"),),
    ),
    Case(
        "tir",
        "TIR transit opened in KZ, announced to CN's office of destination; the termination travels back",
        (
            Step("KZ", "tir-transit-declaration", "04-tir-transit-declaration-kz-cn.json", "ACCEPTED"),
            Step("CN", "transit-termination-notice", "05-transit-termination-notice-cn.json", "ACCEPTED"),
        ),
    ),
    Case(
        "currency",
        "a passenger's currency declaration made at KZ exit is available at CN entry",
        (Step("KZ", "passenger-currency-declaration", "06-passenger-currency-declaration-kz-exit.json", "ACCEPTED"),),
    ),
)


@dataclass
class StepResult:
    step: Step
    submission_id: str
    decision: str | None = None
    reasons: tuple[str, ...] = ()
    consolidated: str | None = None
    envelope_sequence: int | None = None
    receipt: str | None = None
    partner_submission: str | None = None

    @property
    def ok(self) -> bool:
        return self.decision == self.step.expected


@dataclass
class CaseResult:
    case: Case
    steps: list[StepResult] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    wall_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(self.case.steps) and all(s.ok for s in self.steps)


def _setting(pair: TwoCountries) -> str:
    if pair.vhosts:
        kz, cn = pair.vhosts["KZ"], pair.vhosts["CN"]
        link = f"RabbitMQ Shovels writing as {cn.link_user('kz')} (into CN) and {kz.link_user('cn')} (into KZ)"
    else:
        link = "the in-memory broker's Shovel stand-ins, each writing as the other side's link user"
    return f"second country: KZ hub in vhost {pair.kz.vhost}, CN hub in vhost {pair.cn.vhost}; links: {link}"


def document(step: Step) -> dict[str, Any]:
    """The step's document, dated today where a date decides (a certificate's age, the issue time)."""
    loaded: dict[str, Any] = json.loads((DATA / step.file).read_text(encoding="utf-8"))
    if "issueDate" in loaded:
        loaded["issueDate"] = date.today().isoformat()
    return loaded


async def play_crossborder(pair: TwoCountries, progress: Progress | None = None) -> list[CaseResult]:
    say = progress or (lambda line: None)
    say(_setting(pair))
    results = []
    for index, case in enumerate(CASES, start=1):
        started = time.perf_counter()
        result = CaseResult(case)
        head = f"cross-border [{index}/{len(CASES)} {case.key}] {case.title}"
        say(head)
        result.lines.append(head)
        for step in case.steps:
            home, other = (pair.kz, pair.cn) if step.country == "KZ" else (pair.cn, pair.kz)
            result.steps.append(await _play_step(home, other, step, result.lines.append, say))
        result.wall_ms = round((time.perf_counter() - started) * 1000, 1)
        results.append(result)
    return results


async def _play_step(home: Country, other: Country, step: Step, keep: Progress, say: Progress) -> StepResult:
    def note(line: str) -> None:
        keep(line)
        say(line)

    reference = f"DEMO-{step.file.split('-')[0]}-{utcnow():%H%M%S%f}"
    submission_id = await home.submit(step.document_type, document(step), reference)
    result = StepResult(step, submission_id)
    partner = f"partner-{other.code.lower()}"
    note(f"  {home.code}  submitted {step.document_type} ({step.file}): {submission_id}")
    view = await _answered(home, submission_id, partner)
    sent = await home.gateway.store.sent_for(other.code.lower(), submission_id)
    if sent:
        envelope = sent[-1]
        result.envelope_sequence = envelope.sequence
        received = await other.gateway.store.received(home.code.lower(), envelope.envelope_id)
        fresh = await home.gateway.store.sent(envelope.envelope_id)
        result.receipt = fresh.receipt_outcome if fresh else None
        note(
            f"  {home.code}  envelope #{envelope.sequence} signed and sent to {other.code}; "
            f"receipt {result.receipt or 'not yet'}"
        )
        if received is not None and received.submission_id:
            result.partner_submission = received.submission_id
            their = await other.hub.intake.get(other.partner_principal, received.submission_id)
            note(
                f"  {other.code}  envelope verified, receipted; submitted as {received.submission_id} "
                f"by its gateway (principal partner-{home.code.lower()})"
            )
            for line in _decisions(other.code, their, exclude=f"partner-{home.code.lower()}"):
                note(line)
    if view is None:
        note(f"  {home.code}  no answer from {other.code} within {ANSWER_TIMEOUT_SECONDS:.0f} s")
        return result
    decided = next(r for r in view.recipients if r.recipient == partner)
    decision = decided.decision or {}
    result.decision = str(decision.get("status"))
    result.reasons = tuple(str(r.get("text")) for r in decision.get("reasons", ()))
    result.consolidated = view.status.value
    note(
        f"  {home.code}  {other.code}'s answer: {result.decision}"
        + (f" ({'; '.join(result.reasons)})" if result.reasons else "")
        + f" -> {home.code} status {result.consolidated}"
        + ("" if result.ok else f"  [expected {step.expected}]")
    )
    return result


def _decisions(country: str, view: SubmissionView, *, exclude: str) -> list[str]:
    lines = []
    for recipient in view.recipients:
        if recipient.recipient == exclude or recipient.decision is None:
            continue
        decision: Mapping[str, Any] = recipient.decision
        reasons = "; ".join(str(r.get("text")) for r in decision.get("reasons", ()))
        lines.append(
            f"  {country}  {recipient.recipient}: {decision.get('status')}"
            + (f" {decision['channel']}" if decision.get("channel") else "")
            + (f" ({reasons})" if reasons else "")
        )
    return lines


async def _answered(home: Country, submission_id: str, partner: str) -> SubmissionView | None:
    """The submission once the partner's answer is its decision, or None after the timeout."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        view = await home.hub.intake.get(home.trader, submission_id)
        if any(r.recipient == partner and r.decision is not None for r in view.recipients):
            return view
        await asyncio.sleep(0.05)
    return None

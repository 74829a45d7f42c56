"""The demo's two outputs: a readable block per submission, and one JSON object for scripts and tests.

In the readable form a submission's decisions and the trader's steps (an answer, a cancellation) are listed
in the order they happened, each with its time from the submission, as are the consolidated statuses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from singlewindow.platform.demo.agencies import AUTO
from singlewindow.platform.demo.crossborder import CaseResult
from singlewindow.platform.demo.run import DemoResult
from singlewindow.platform.demo.timeline import DecisionEntry, Note, Timeline, TraderStep

_INDENT = "    "


def _ms(value: float | None) -> str:
    return "never" if value is None else f"+{value:.0f} ms"


def _source(agency: str, sources: Mapping[str, str]) -> str:
    """``customs (EDIFACT CUSRES)``: the agency and the system its decisions came from."""
    source = sources.get(agency)
    return f"{agency} ({source})" if source else agency


def _decision_line(decision: DecisionEntry, width: int, sources: Mapping[str, str]) -> list[str]:
    channel = f" channel {decision.channel}" if decision.channel else ""
    late = "  (after the final status: kept, not applied)" if decision.after_terminal else ""
    officer = f"  by {decision.officer}" if decision.officer else ""
    user = f"  [user {decision.user}]" if decision.user else ""
    lines = [
        f"{_INDENT * 2}{_ms(decision.at_ms):>9}  {_source(decision.agency, sources):<{width}}  "
        f"#{decision.sequence} {decision.status}{channel}{officer}{user}{late}"
    ]
    for kind, notes in (("condition", decision.conditions), ("reason", decision.reasons)):
        lines += [f"{_INDENT * 2}{'':>9}  {'':<{width}}    {kind} {n.code}: {n.text}" for n in notes]
    return lines


def _trader_line(step: TraderStep, width: int) -> str:
    what = {
        "answered": f"answered {step.recipient}'s query",
        "cancelled": "cancelled the submission",
        "paid": f"paid {step.detail}: the payment reconciled with the invoice",
    }[step.kind]
    return f"{_INDENT * 2}{_ms(step.at_ms):>9}  {'trader':<{width}}  {what}"


def _agencies_count(count: int) -> str:
    return "1 agency" if count == 1 else f"{count} agencies"


def _invoice_lines(invoice: Mapping[str, Any]) -> list[str]:
    """The invoice: one line per agency and fee of the current version, then the balance per currency."""
    agencies = sorted({line["agency"] for line in invoice["lines"] if line["version"] == invoice["version"]})
    head = f"invoice {invoice['number']}, reference {invoice['reference']}"
    lines = [f"{_INDENT}{head}: {_agencies_count(len(agencies))}, {invoice['status']}"]
    for line in invoice["lines"]:
        if line["version"] == invoice["version"]:
            lines.append(
                f"{_INDENT * 2}{line['agency']:<14} {line['feeCode']:<9} {line['amount']:>13} {line['currency']}  "
                f"{line['status']:<5} {line['description']}"
            )
    for total in invoice["totals"]:
        credit = f", credit {total['credit']}" if total["credit"] != "0.00" else ""
        lines.append(
            f"{_INDENT * 2}{total['currency']}: charged {total['charged']}, received {total['received']}, "
            f"due {total['due']}{credit}{' (refundable)' if total['refundable'] else ''}"
        )
    return lines


def render_timeline(index: int, count: int, timeline: Timeline, sources: Mapping[str, str] | None = None) -> str:
    c = timeline.consignment
    sources = sources or {}
    agencies = [r.agency for r in timeline.recipients] + [d.agency for d in timeline.decisions]
    width = max([len(a) for a in agencies] + [8])
    column = max([len(_source(a, sources)) for a in agencies] + [8])
    lines = [
        f"[{index}/{count}] {c.title}",
        f"{_INDENT}submission {timeline.submission_id}  UCR {timeline.ucr}",
        f"{_INDENT}submitted by trader {timeline.trader}, reference {timeline.trader_reference}",
        f"{_INDENT}routed to {len(timeline.recipients)} agencies ({_ms(timeline.routed_ms)}):",
    ]
    for recipient in timeline.recipients:
        rules = ", ".join(recipient.rules) or "(no rule recorded)"
        lines.append(f"{_INDENT * 2}{recipient.agency:<{width}}  rule {rules}")
    lines.append(f"{_INDENT}decisions:")
    steps: list[tuple[float, list[str]]] = [(d.at_ms, _decision_line(d, column, sources)) for d in timeline.decisions]
    steps += [(t.at_ms, [_trader_line(t, column)]) for t in timeline.trader_steps]
    for _, step in sorted(steps, key=lambda pair: pair[0]):
        lines += step
    if timeline.told:
        lines.append(f"{_INDENT}told of the cancellation: {', '.join(timeline.told)}")
    if timeline.invoice is not None:
        lines += _invoice_lines(timeline.invoice)
    path = " -> ".join(f"{s.status} {_ms(s.at_ms)}" for s in timeline.statuses)
    lines.append(f"{_INDENT}consolidated: {path}")
    verdict = "as expected" if timeline.ok else "NOT AS EXPECTED: " + "; ".join(timeline.problems)
    lines.append(
        f"{_INDENT}result: {timeline.consolidated_status} in {_ms(timeline.total_ms).lstrip('+')} "
        f"(expected {c.expected_status}: {verdict})"
    )
    lines.append(f"{_INDENT}why: {c.story}")
    return "\n".join(lines)


def render_human(result: DemoResult) -> str:
    count = len(result.timelines)
    blocks = [f"nsw demo: {count} consignments, each submitted once; {result.where}\n{_agencies(result)}"]
    blocks += [render_timeline(i, count, t, result.sources) for i, t in enumerate(result.timelines, start=1)]
    by_status = Counter(t.consolidated_status for t in result.timelines)
    tally = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    good = sum(t.ok for t in result.timelines)
    verdict = "all as expected" if result.ok else f"{count - good} NOT as expected"
    summary = f"{count} submissions: {tally}; {verdict}. Total {result.wall_ms / 1000:.1f} s."
    if result.crossborder:
        blocks += [_case(case) for case in result.crossborder]
        good_cases = sum(case.ok for case in result.crossborder)
        summary += f"\nCross-border: {good_cases} of {len(result.crossborder)} use cases as expected (KZ <-> CN)."
    blocks.append(summary + "".join(f"\nkept: {k}" for k in result.kept))
    return "\n\n".join(blocks) + "\n"


def _case(case: CaseResult) -> str:
    verdict = "as expected" if case.ok else "NOT AS EXPECTED"
    expected = ", ".join(f"{s.step.file.split('-')[0]} {s.step.expected}" for s in case.steps)
    return "\n".join(
        [*case.lines, f"{_INDENT}result: {verdict} (expected: {expected}) in {_ms(case.wall_ms).lstrip('+')}"]
    )


def _case_json(case: CaseResult) -> dict[str, Any]:
    return {
        "key": case.case.key,
        "title": case.case.title,
        "ok": case.ok,
        "wall_ms": case.wall_ms,
        "steps": [
            {
                "country": s.step.country,
                "document_type": s.step.document_type,
                "file": s.step.file,
                "submission_id": s.submission_id,
                "envelope_sequence": s.envelope_sequence,
                "receipt": s.receipt,
                "partner_submission_id": s.partner_submission,
                "partner_decision": s.decision,
                "expected": s.step.expected,
                "reasons": list(s.reasons),
                "consolidated_status": s.consolidated,
            }
            for s in case.steps
        ],
    }


def _agencies(result: DemoResult) -> str:
    if not result.sources:
        return "agencies: none"
    if all(source == AUTO for source in result.sources.values()):
        return "agencies: simple auto-deciders (--auto-deciders), no agency systems"
    fallback = any(source.startswith(AUTO) for source in result.sources.values())
    lines = [
        "agencies: each its adapter (SDK runtime, own broker user) against its agency system's stand-in"
        + (", or an auto-decider where the adapter is not installed:" if fallback else ":")
    ]
    lines += [f"{_INDENT}{agency:<14} {source}" for agency, source in sorted(result.sources.items())]
    return "\n".join(lines)


def _notes(notes: tuple[Note, ...]) -> list[dict[str, str]]:
    return [{"code": n.code, "text": n.text} for n in notes]


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    decided = [d for d in timeline.decisions if not d.after_terminal]
    return {
        "key": timeline.consignment.key,
        "title": timeline.consignment.title,
        "submission_id": timeline.submission_id,
        "ucr": timeline.ucr,
        "trader": timeline.trader,
        "trader_reference": timeline.trader_reference,
        "recipients": [{"agency": r.agency, "status": r.status, "rules": list(r.rules)} for r in timeline.recipients],
        "decisions": [
            {
                "agency": d.agency,
                "sequence": d.sequence,
                "status": d.status,
                "channel": d.channel,
                "conditions": _notes(d.conditions),
                "reasons": _notes(d.reasons),
                "user_id": d.user,
                "officer": d.officer,
                "after_terminal": d.after_terminal,
                "at_ms": d.at_ms,
            }
            for d in timeline.decisions
        ],
        "status_history": [{"status": s.status, "at_ms": s.at_ms} for s in timeline.statuses],
        "trader_actions": [
            {"kind": t.kind, "recipient": t.recipient, "at_ms": t.at_ms}
            for t in timeline.trader_steps
            if t.kind != "paid"
        ],
        "payments": [{"paid": t.detail, "at_ms": t.at_ms} for t in timeline.trader_steps if t.kind == "paid"],
        "invoice": timeline.invoice,
        "told": list(timeline.told),
        "consolidated_status": timeline.consolidated_status,
        "expected_status": timeline.consignment.expected_status,
        "ok": timeline.ok,
        "problems": list(timeline.problems),
        "timings": {
            "routed_ms": timeline.routed_ms,
            "first_decision_ms": min((d.at_ms for d in decided), default=None),
            "total_ms": timeline.total_ms,
        },
    }


def render_json(result: DemoResult) -> dict[str, Any]:
    """One object: per submission its recipients, decisions and timings, then a summary."""
    totals = [t.total_ms for t in result.timelines if t.total_ms is not None]
    return {
        "mode": result.mode,
        "where": result.where,
        "vhost": result.vhost,
        "agencies": dict(result.sources),
        "workdir": result.workdir,
        "submissions": [timeline_json(t) for t in result.timelines],
        "crossborder": [_case_json(case) for case in result.crossborder],
        "summary": {
            "submissions": len(result.timelines),
            "as_expected": sum(t.ok for t in result.timelines),
            "ok": result.ok,
            "by_status": dict(Counter(t.consolidated_status for t in result.timelines)),
            "slowest_submission_ms": max(totals, default=None),
            "wall_ms": result.wall_ms,
            "kept": list(result.kept),
        },
    }

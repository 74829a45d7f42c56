"""CUSRES D.96B: the customs system's answer to one declaration, written by it and read by the adapter.

Two shapes (samples/README.md explains each segment):

* a general response (BGM 961) with the outcome in GIS: GRN green channel (released), YLW documentary check,
  RED physical inspection, REL released after inspection, REF refused after inspection, QRY a question to
  the declarant before the system decides; FTX+AAI the reasons (for QRY: the question under code QUESTION
  and one FTX per field concerned under code FIELD, a JSON pointer into the declaration);
* an error response (BGM 963) with ERP/ERC and FTX+AAO: the declaration could not be processed. Error code
  TMP means a temporary fault of the customs system (send the declaration again later); others are the
  declaration's faults.

RFF+ACW names the declaration answered; NAD+MS the officer (or the risk engine) who issued the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pydifact.segments import Segment

from singlewindow.adapters.customs.edifact import EdifactError, EdiMessage, element, joined, segment, split_text

GENERAL_RESPONSE = "961"
ERROR_RESPONSE = "963"
TEMPORARY_ERROR = "TMP"
QUESTION, FIELD = "QUESTION", "FIELD"  # FTX+AAI codes of a QRY response


class Outcome(StrEnum):
    GREEN = "GRN"
    YELLOW = "YLW"
    RED = "RED"
    RELEASED = "REL"
    REFUSED = "REF"
    QUERY = "QRY"
    ERROR = "ERR"  # an error response; not written in GIS


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason (risk hit, inspection finding) or an error, with its code and text."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class CustomsResponse:
    response_number: str  # unique per answer in the customs system; a duplicate file repeats it
    declaration: str
    outcome: Outcome
    officer: str
    issued_at: datetime
    findings: tuple[Finding, ...] = ()

    @property
    def temporary(self) -> bool:
        return self.outcome is Outcome.ERROR and any(f.code == TEMPORARY_ERROR for f in self.findings)


def build_cusres(response: CustomsResponse) -> list[Segment]:
    error = response.outcome is Outcome.ERROR
    out = [
        segment("BGM", ERROR_RESPONSE if error else GENERAL_RESPONSE, response.response_number, "9"),
        segment("DTM", ["137", response.issued_at.strftime("%Y%m%d%H%M"), "203"]),
        segment("RFF", ["ACW", response.declaration]),
        segment("NAD", "MS", [response.officer, "", "ZZZ"]),
    ]
    if error:
        for finding in response.findings:
            out += [
                segment("ERP", "1"),
                segment("ERC", [finding.code, "", "ZZZ"]),
                segment("FTX", "AAO", None, None, split_text(finding.text)),
            ]
        return out
    out.append(segment("GIS", [response.outcome.value, "", "ZZZ"]))
    out += [segment("FTX", "AAI", None, finding.code, split_text(finding.text)) for finding in response.findings]
    return out


def parse_cusres(message: EdiMessage) -> CustomsResponse:
    """A CUSRES as the adapter reads it; EdifactError when a field the decision needs is missing."""
    bgm, rff = message.first("BGM"), next((s for s in message.all("RFF") if element(s, 0) == "ACW"), None)
    number, declaration = element(bgm, 1), element(rff, 0, 1)
    officer = element(next((s for s in message.all("NAD") if element(s, 0) == "MS"), None), 1)
    if not number or not declaration or not officer:
        raise EdifactError("CUSRES needs BGM with a response number, RFF+ACW and NAD+MS")
    try:
        issued = datetime.strptime(element(message.first("DTM"), 0, 1), "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError as exc:
        raise EdifactError("CUSRES DTM+137 is not CCYYMMDDHHMM") from exc
    if element(bgm, 0) == ERROR_RESPONSE:
        codes = [element(s, 0) for s in message.all("ERC")]
        texts = [joined(s, 3) for s in message.all("FTX") if element(s, 0) == "AAO"]
        if not codes:
            raise EdifactError("an error CUSRES names no error (ERC)")
        findings = tuple(Finding(c, t or c) for c, t in zip(codes, texts + [""] * len(codes), strict=False))
        return CustomsResponse(number, declaration, Outcome.ERROR, officer, issued, findings)
    if element(bgm, 0) != GENERAL_RESPONSE:
        raise EdifactError(f"unexpected CUSRES document code {element(bgm, 0)!r}")
    try:
        outcome = Outcome(element(message.first("GIS"), 0))
    except ValueError as exc:
        raise EdifactError(f"unknown outcome {element(message.first('GIS'), 0)!r} in GIS") from exc
    findings = tuple(
        Finding(element(s, 2) or "INFO", joined(s, 3)) for s in message.all("FTX") if element(s, 0) == "AAI"
    )
    return CustomsResponse(number, declaration, outcome, officer, issued, findings)

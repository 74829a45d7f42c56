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

Another administration writes the same with its own codes (BGM 962, GIS 7365 numbers, NAD+CM ...):
``read_cusres`` reads under a code-set profile (codesets.py) and returns each problem on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydifact.segments import Segment

from singlewindow.adapters.customs.codeset import PROJECT, CodeSet, code_sets
from singlewindow.adapters.customs.edifact import EdifactError, EdiMessage, element, joined, segment, split_text, where
from singlewindow.adapters.customs.message_reading import MessageReading
from singlewindow.adapters.formats import Problem

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


OUTCOMES = {outcome.name: outcome for outcome in Outcome if outcome is not Outcome.ERROR}


def read_cusres(message: EdiMessage, codes: CodeSet) -> tuple[CustomsResponse | None, list[Problem]]:
    """A CUSRES read under a code-set profile: the response, or every problem that stops it being one."""
    reading = MessageReading(message, codes)
    bgm, kind = reading.document_name({"CUSTOMS_RESPONSE", "ERROR_RESPONSE"})
    number = reading.text(bgm, 1, "cusres.response-number", "the response number (BGM 1004)") if bgm else ""
    declaration = reading.reference("ANSWERED_MESSAGE")
    if declaration is None:
        wanted = reading.wanted(codes.references, "ANSWERED_MESSAGE")
        reading.missing("cusres.declaration", f"no reference to the declaration answered (RFF+{wanted})")
    issuer = reading.party("ISSUER")
    officer = element(issuer, 1)
    if not officer:
        wanted = reading.wanted(codes.parties, "ISSUER")
        place = where(issuer, 2, 1) if issuer is not None else message.where
        reading.problem(place, "cusres.issuer", f"no identification of the issuer (NAD+{wanted})")
    issued = reading.stamp("137", "cusres.issued-at", "the response date")
    findings = _error_findings(reading) if kind == "ERROR_RESPONSE" else _reasons(message)
    outcome = Outcome.ERROR if kind == "ERROR_RESPONSE" else _outcome(reading) if kind else None
    if reading.problems or outcome is None or issued is None or declaration is None:
        return None, reading.problems
    return CustomsResponse(number, declaration, outcome, officer, issued, findings), []


def _outcome(reading: MessageReading) -> Outcome | None:
    gis = reading.message.first("GIS")
    if gis is None:
        reading.missing("cusres.outcome", "no processing indicator (GIS): the response gives no outcome")
        return None
    code, code_list = element(gis, 0), element(gis, 0, 1)
    concept = reading.codes.indicator(code, code_list)
    if concept is None:
        shown = f"{code}:{code_list}" if code_list else code
        reading.problem(where(gis, 1, 1), "codes.processing-indicator",
                        f"processing indicator {shown!r} is not in profile {reading.codes.name!r}")  # fmt: skip
        return None
    return OUTCOMES[concept]


def _error_findings(reading: MessageReading) -> tuple[Finding, ...]:
    codes = [element(s, 0) for s in reading.message.all("ERC")]
    if not codes:
        reading.missing("cusres.error-code", "an error response names no error (ERC)")
    texts = [joined(s, 3) for s in reading.message.all("FTX") if element(s, 0) == "AAO"]
    return tuple(Finding(c, t or c) for c, t in zip(codes, texts + [""] * len(codes), strict=False))


def _reasons(message: EdiMessage) -> tuple[Finding, ...]:
    return tuple(Finding(element(s, 2) or "INFO", joined(s, 3)) for s in message.all("FTX") if element(s, 0) == "AAI")


def parse_cusres(message: EdiMessage) -> CustomsResponse:
    """A CUSRES in the project's own codes as the adapter reads it; EdifactError lists each problem."""
    response, problems = read_cusres(message, code_sets()[PROJECT])
    if response is None:
        raise EdifactError(*problems)
    return response

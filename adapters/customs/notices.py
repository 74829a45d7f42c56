"""The short CUSDECs that follow a declaration: a cancellation and the answer to a customs query.

Both carry the declaration's own document number in BGM, so the customs system files them with it, and
differ by the UNCL 1225 message function code (samples/README.md explains each segment):

* ``1`` cancellation: BGM, DTM, FTX+ACD (the reason), RFF+UCN. The system stops working on the declaration.
* ``11`` response: BGM, DTM, RFF+ACW (the customs query answered: its CUSRES response number), RFF+AGO (the
  hub's query id), FTX+ACB (the trader's answer over as many FTX as it needs). A response is neither a
  change of the declared data (that is an amendment: a replacement, code 5) nor a confirmation (6) of it,
  so it is written as what it is: a message responding to a previous message.

``read_header`` tells the customs system which of these (or an original, or a replacement) a CUSDEC is
before it reads the rest: a cancellation and an answer have no goods items to parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydifact.segments import Segment

from singlewindow.adapters.customs.edifact import (
    EdifactError,
    EdiMessage,
    element,
    joined,
    segment,
    split_text,
    where,
)
from singlewindow.adapters.formats import Problem

CANCELLATION = "1"
RESPONSE = "11"
ANSWER_CHUNK = 350  # one FTX holds 5 x an..70


@dataclass(frozen=True, slots=True)
class CusdecHeader:
    """What the customs system reads first: which declaration, which message function, and for an answer
    the query it answers and its text; for a cancellation the reason."""

    reference: str
    function: str
    text: str = ""
    answers: str | None = None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M")


def build_cancellation(document_code: str, reference: str, ucr: str, reason: str) -> list[Segment]:
    return [
        segment("BGM", document_code, reference, CANCELLATION),
        segment("DTM", ["137", _now(), "203"]),
        segment("FTX", "ACD", None, None, split_text(reason)),
        segment("RFF", ["UCN", ucr]),
    ]


def build_answer(document_code: str, reference: str, query_number: str, query_id: str, answer: str) -> list[Segment]:
    chunks = [answer[i : i + ANSWER_CHUNK] for i in range(0, len(answer), ANSWER_CHUNK)] or [""]
    return [
        segment("BGM", document_code, reference, RESPONSE),
        segment("DTM", ["137", _now(), "203"]),
        segment("RFF", ["ACW", query_number]),
        segment("RFF", ["AGO", query_id[:70]]),
        *(segment("FTX", "ACB", None, None, split_text(chunk)) for chunk in chunks),
    ]


def read_header(message: EdiMessage) -> CusdecHeader:
    """The declaration reference and function of any CUSDEC; EdifactError names each thing missing."""
    bgm = message.first("BGM")
    reference, function = element(bgm, 1), element(bgm, 2)
    place = message.where if bgm is None else where(bgm)
    problems = [
        Problem(place, rule, f"BGM carries no {what}")
        for value, rule, what in (
            (reference, "cusdec.reference", "declaration number (1004)"),
            (function, "cusdec.function", "message function (1225)"),
        )
        if not value
    ]
    if problems:
        raise EdifactError(*problems)
    if function == CANCELLATION:
        reason = "".join(joined(s, 3) for s in message.all("FTX") if element(s, 0) == "ACD")
        return CusdecHeader(reference, function, reason)
    if function == RESPONSE:
        answered = next((element(s, 0, 1) for s in message.all("RFF") if element(s, 0) == "ACW"), "")
        text = "".join(joined(s, 3) for s in message.all("FTX") if element(s, 0) == "ACB")
        missing = [
            Problem(message.where, rule, f"a response CUSDEC needs {what}")
            for value, rule, what in (
                (answered, "cusdec.query-answered", "RFF+ACW (the query answered)"),
                (text, "cusdec.answer", "FTX+ACB (the answer)"),
            )
            if not value
        ]
        if missing:
            raise EdifactError(*missing)
        return CusdecHeader(reference, function, text, answered)
    return CusdecHeader(reference, function)

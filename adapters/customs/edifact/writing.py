"""Write UN/EDIFACT interchanges through pydifact: one message per interchange, as the legacy customs
system takes them. Its ``MissingImplementationWarning`` for the service segments is expected and silenced
(research: trade_data.md §2.5). Reading is ours (reading.py): pydifact cannot read groups or report places.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydifact.control.characters import Characters
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment

SYNTAX = ("UNOW", 4)  # UTF-8, syntax version 4: vehicle plates and names come in Cyrillic and Chinese
DIRECTORY = ("D", "96B", "UN")
Element = str | list[str]


class _Interchange(Interchange):
    """Syntax version 4 writes the UNB date as CCYYMMDD (pydifact always writes YYMMDD)."""

    def get_header_segment(self) -> Segment:
        return Segment(
            self.HEADER_TAG,
            [self.syntax_identifier[0], str(self.syntax_identifier[1])],
            self.sender,
            self.recipient,
            [f"{self.timestamp:%Y%m%d}", f"{self.timestamp:%H%M}"],
            self.control_reference,
        )


def write(
    sender: str, recipient: str, control_reference: str, at: datetime, message_type: str, segments: Sequence[Segment]
) -> str:
    """An interchange (UNA, UNB, UNH ... UNT, UNZ) holding one message, one segment per line."""
    interchange = _Interchange([sender, "ZZZ"], [recipient, "ZZZ"], control_reference, SYNTAX, at)
    interchange.has_una_segment = True
    interchange.characters = Characters(decimal_point=".")  # type: ignore[no-untyped-call]  # UNA:+.? ' : decimals as the documents write them
    message = Message("1", (message_type, *DIRECTORY))
    message.add_segments(list(segments))
    interchange.add_message(message)
    return interchange.serialize(break_lines=True)


def segment(tag: str, *elements: Element | None) -> Segment:
    """A segment with trailing empty elements dropped (EDIFACT omits them) and None as empty."""
    values: list[Any] = ["" if e is None else e for e in elements]
    while values and values[-1] in ("", []):
        values.pop()
    return Segment(tag, *values)


def split_text(text: str, size: int = 70, most: int = 5) -> list[str]:
    """A free text over a composite's repeats (FTX C108: 5 x an..70); beyond that it is cut."""
    return [text[i : i + size] for i in range(0, min(len(text), size * most), size)] or [""]

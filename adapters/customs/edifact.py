"""UN/EDIFACT interchanges through pydifact: write one message per interchange, read them back strictly.

pydifact checks syntax only (research: trade_data.md §2.5), so the structure checks a legacy customs system
would make (one message, the expected type and directory, UNT/UNZ counts) are made here. Its
``MissingImplementationWarning`` for the service segments is expected and silenced.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment

SYNTAX = ("UNOW", 4)  # UTF-8, syntax version 4: vehicle plates and names come in Cyrillic and Chinese
DIRECTORY = ("D", "96B", "UN")
Element = str | list[str]


class EdifactError(ValueError):
    """An interchange that is not well formed or not the message expected; the text says what is wrong."""


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


@dataclass(frozen=True, slots=True)
class EdiMessage:
    """One message of an interchange with its segments between UNH and UNT (exclusive)."""

    sender: str
    recipient: str
    control_reference: str
    type: str
    version: str
    segments: tuple[Segment, ...]

    def all(self, tag: str) -> list[Segment]:
        return [s for s in self.segments if s.tag == tag]

    def first(self, tag: str) -> Segment | None:
        return next((s for s in self.segments if s.tag == tag), None)


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


def _text(value: Any) -> str:
    return value[0] if isinstance(value, list) else str(value)


def read(text: str, expected_type: str) -> EdiMessage:
    """The single message of ``text``; EdifactError for bad syntax, counts, type or directory."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            interchange = Interchange.from_str(text)
            messages = list(interchange.get_messages())
    except (EDISyntaxError, ValidationError, StopIteration, IndexError, KeyError, TypeError, ValueError) as exc:
        raise EdifactError(f"not a well-formed EDIFACT interchange: {exc or type(exc).__name__}") from exc
    if len(messages) != 1:
        raise EdifactError(f"expected one message, found {len(messages)}")
    message = messages[0]
    version = f"{DIRECTORY[0]}.{DIRECTORY[1]}"
    if message.type != expected_type or message.version != version:
        raise EdifactError(f"expected {expected_type} {version}, got {message.type} {message.version}")
    body = tuple(s for s in message.segments if s.tag not in {"UNH", "UNT"})
    unt = next((s for s in interchange.segments if s.tag == "UNT"), None)
    if unt is None or element(unt, 0) != str(len(body) + 2):
        raise EdifactError(f"UNT counts {element(unt, 0) or 'nothing'}, the message has {len(body) + 2} segments")
    return EdiMessage(
        _text(interchange.sender),
        _text(interchange.recipient),
        _text(interchange.control_reference),
        message.type,
        message.version,
        body,
    )


def element(seg: Segment | None, index: int, component: int = 0) -> str:
    """One component of one element, '' when absent (composites come back as lists)."""
    if seg is None or index >= len(seg.elements):
        return ""
    value = seg.elements[index]
    if isinstance(value, list):
        return value[component] if component < len(value) else ""
    return value if component == 0 else ""


def split_text(text: str, size: int = 70, most: int = 5) -> list[str]:
    """A free text over a composite's repeats (FTX C108: 5 x an..70); beyond that it is cut."""
    return [text[i : i + size] for i in range(0, min(len(text), size * most), size)] or [""]


def joined(seg: Segment | None, index: int) -> str:
    """A free text element back in one piece."""
    if seg is None or index >= len(seg.elements):
        return ""
    value = seg.elements[index]
    return "".join(value) if isinstance(value, list) else value

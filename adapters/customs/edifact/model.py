"""An interchange as read: segments with their position, messages, groups, and where a problem sits.

Positions count segments from 1 at the first segment after the service string advice (UNA), so ``segment
7`` is the seventh segment of the file whatever its line breaks; elements and components count from 1
after the tag, as implementation guides number them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from singlewindow.adapters.formats import Problem


class EdifactError(ValueError):
    """An interchange or message that cannot be used; ``problems`` lists each cause on its own."""

    def __init__(self, *problems: Problem | str) -> None:
        self.problems = tuple(
            p if isinstance(p, Problem) else Problem("message", "edifact.message", p) for p in problems
        )
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class EdiSegment:
    """One segment: its tag, its data elements (each a tuple of components, release characters removed)
    and its position in the interchange."""

    tag: str
    elements: tuple[tuple[str, ...], ...]
    number: int = 0


def where(seg: EdiSegment, element_no: int | None = None, component_no: int | None = None) -> str:
    """``segment N (TAG)[, element E[, component C]]``: the one way every problem names its place."""
    text = f"segment {seg.number} ({seg.tag})"
    if element_no is not None:
        text += f", element {element_no}"
        if component_no is not None:
            text += f", component {component_no}"
    return text


def element(seg: EdiSegment | None, index: int, component: int = 0) -> str:
    """One component of one element (0-based), '' when absent."""
    if seg is None or index >= len(seg.elements):
        return ""
    value = seg.elements[index]
    return value[component] if component < len(value) else ""


def joined(seg: EdiSegment | None, index: int) -> str:
    """A free text element back in one piece (its components are the repeats of one text)."""
    if seg is None or index >= len(seg.elements):
        return ""
    return "".join(seg.elements[index])


@dataclass(frozen=True, slots=True)
class EdiMessage:
    """One message: the segments between UNH and UNT (exclusive), with the envelope it came in."""

    sender: str
    recipient: str
    control_reference: str
    type: str
    version: str
    segments: tuple[EdiSegment, ...]
    reference: str = ""
    header: EdiSegment | None = None
    group: str | None = None
    decimal: str = "."  # the decimal mark the interchange's UNA declares

    def all(self, tag: str) -> list[EdiSegment]:
        return [s for s in self.segments if s.tag == tag]

    def first(self, tag: str) -> EdiSegment | None:
        return next((s for s in self.segments if s.tag == tag), None)

    @property
    def where(self) -> str:
        """The message header's place, for problems about something the message lacks."""
        return where(self.header) if self.header is not None else "message"


@dataclass(frozen=True, slots=True)
class Interchange:
    """What the envelope says (UNB) and the messages it carries, with every problem found on the way."""

    syntax: str = ""
    syntax_version: str = ""
    sender: str = ""
    recipient: str = ""
    control_reference: str = ""
    messages: tuple[EdiMessage, ...] = ()
    groups: int = 0
    problems: tuple[Problem, ...] = field(default=())

"""Cut decoded interchange text into segments, elements and components, honouring the release character.

Every character of data is held to the syntax level's repertoire here, where its segment, element and
component are known, so a problem names them. Bytes the level's codec could not decode arrive as lone
surrogates (``surrogateescape``) and are reported as such. Line breaks right after a segment terminator
and after UNA are tolerated (files are often written one segment per line); anywhere else they are data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from singlewindow.adapters.customs.edifact.model import EdiSegment
from singlewindow.adapters.customs.edifact.syntax import ServiceCharacters, SyntaxLevel
from singlewindow.adapters.formats import Problem

MAX_SEGMENTS = 100_000
MAX_ELEMENTS = 99  # per segment, and components per element: far above any directory's, a guard against junk
MAX_PROBLEMS = 50
_TAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass
class _Cursor:
    """The segment being cut: its number, finished elements, finished components of the current element,
    the characters of the current component, and whether that component already has a problem."""

    number: int = 1
    elements: list[tuple[str, ...]] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    flagged: bool = False
    overflowed: bool = False

    def place(self) -> str:
        tag = self.elements[0][0] if self.elements else "".join(self.chars)
        text = f"segment {self.number} ({tag or '?'})"
        if self.elements:
            text += f", element {len(self.elements)}, component {len(self.components) + 1}"
        return text

    def empty(self) -> bool:
        return not (self.elements or self.components or self.chars)

    def end_component(self) -> None:
        self.components.append("".join(self.chars))
        self.chars, self.flagged = [], False  # each component gets its own character-set problem

    def end_element(self) -> None:
        self.end_component()
        self.elements.append(tuple(self.components))
        self.components = []


class Lexer:
    def __init__(self, chars: ServiceCharacters, level: SyntaxLevel) -> None:
        self.sc, self.level = chars, level
        self.problems: list[Problem] = []
        self.segments: list[EdiSegment] = []

    def problem(self, where: str, rule: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, rule, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(where, "edifact.too-many-problems", "more problems follow; fix these first"))

    def run(self, text: str) -> list[EdiSegment]:
        cursor, sc, i = _Cursor(), self.sc, 0
        while i < len(text) and len(self.segments) < MAX_SEGMENTS:
            char = text[i]
            if char in "\r\n" and cursor.empty():
                pass  # a line break between segments (or after UNA)
            elif char == sc.release:
                if i + 1 == len(text):
                    self.problem(cursor.place(), "edifact.release-at-end", "the file ends with a release character")
                    return self.segments
                i += 1
                char = text[i]
                if char not in sc.separators():
                    self.problem(
                        cursor.place(),
                        "edifact.release-misused",
                        f"release character {sc.release!r} before {char!r}, which is no service character",
                    )
                self._data(cursor, char)
            elif char == sc.component:
                cursor.end_component()
                self._limit(cursor)
            elif char == sc.element:
                cursor.end_element()
                self._limit(cursor)
            elif char == sc.repetition:
                self.problem(
                    cursor.place(),
                    "edifact.repetition",
                    f"repetition separator {char!r}: the D.96B messages read here have no repeating elements",
                )
            elif char == sc.terminator:
                cursor.end_element()
                self._segment(cursor)
                cursor = _Cursor(number=cursor.number + 1)
            else:
                self._data(cursor, char)
            i += 1
        if len(self.segments) >= MAX_SEGMENTS:
            self.problem(
                f"segment {MAX_SEGMENTS}",
                "edifact.too-many-segments",
                f"more than {MAX_SEGMENTS} segments: not read further",
            )
        elif not cursor.empty():
            self.problem(
                cursor.place(),
                "edifact.unterminated",
                f"the file ends inside a segment: no segment terminator {sc.terminator!r}",
            )
        return self.segments

    def _data(self, cursor: _Cursor, char: str) -> None:
        if not self.level.allows(char):
            if not cursor.flagged:
                cursor.flagged = True
                self.problem(cursor.place(), "edifact.character-set", _refused(char, self.level))
            if 0xDC80 <= ord(char) <= 0xDCFF:
                char = "\ufffd"  # an undecoded byte goes no further than this problem
        cursor.chars.append(char)

    def _limit(self, cursor: _Cursor) -> None:
        """Junk with thousands of separators in one segment: one problem, and the excess dropped."""
        if len(cursor.elements) <= MAX_ELEMENTS + 1 and len(cursor.components) <= MAX_ELEMENTS:  # +1: the tag
            return
        if not cursor.overflowed:
            cursor.overflowed = True
            self.problem(
                cursor.place(), "edifact.too-many-elements", f"more than {MAX_ELEMENTS} data elements or components"
            )
        del cursor.elements[MAX_ELEMENTS + 1 :], cursor.components[MAX_ELEMENTS:]

    def _segment(self, cursor: _Cursor) -> None:
        tag, *rest = cursor.elements
        name = tag[0]
        if len(name) != 3 or not set(name) <= _TAG_CHARS:
            self.problem(
                f"segment {cursor.number}",
                "edifact.segment-tag",
                f"{name!r} is not a segment tag (three upper-case letters or digits)",
            )
        self.segments.append(EdiSegment(name, tuple(rest), cursor.number))


def _refused(char: str, level: SyntaxLevel) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte the codec could not decode (surrogateescape)
        return f"byte 0x{code - 0xDC00:02X} is not valid {level.identifier} ({level.codec})"
    return f"character {char!r} (U+{code:04X}) is not in the {level.identifier} repertoire"

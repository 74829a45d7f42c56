"""The envelope of an interchange (ISO 9735): UNB, optional UNG/UNE functional groups, UNH/UNT messages, UNZ.

Every count and control reference is checked against what the file really holds: UNT counts its message's
segments (UNH and UNT included) and repeats the UNH reference; UNE counts its group's messages and repeats
the UNG reference; UNZ counts the messages, or the groups when there are groups, and repeats the UNB
reference. A group holds messages of the one type its UNG names, and an interchange either puts all its
messages in groups or none. A message whose UNT is missing (a cut-off file) is not passed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from singlewindow.adapters.customs.edifact.model import EdiMessage, EdiSegment, Interchange, element, where
from singlewindow.adapters.formats import Problem

_COUNT = re.compile(r"[0-9]{1,10}")
_DATE = {"4": re.compile(r"[0-9]{8}"), "": re.compile(r"[0-9]{6}")}
_TIME = re.compile(r"[0-9]{4}")
# UNB and UNH data that must be there: (element, component, name, data element)
_UNB_REQUIRED = ((1, 1, "syntax identifier", "0001"), (1, 2, "syntax version", "0002"),
                 (2, 1, "interchange sender", "0004"), (3, 1, "interchange recipient", "0010"),
                 (4, 1, "date of preparation", "0017"), (4, 2, "time of preparation", "0019"),
                 (5, 1, "interchange control reference", "0020"))  # fmt: skip
_UNH_REQUIRED = ((1, 1, "message reference number", "0062"), (2, 1, "message type", "0065"),
                 (2, 2, "message version number", "0052"), (2, 3, "message release number", "0054"),
                 (2, 4, "controlling agency", "0051"))  # fmt: skip


def required(seg: EdiSegment, wanted: tuple[tuple[int, int, str, str], ...]) -> list[Problem]:
    """One problem per mandatory data element that is empty."""
    return [
        Problem(where(seg, e, c), "edifact.mandatory-element", f"the {name} ({code}) is missing")
        for e, c, name, code in wanted
        if not element(seg, e - 1, c - 1)
    ]


def header_problems(unb: EdiSegment) -> list[Problem]:
    """What UNB itself lacks, and a date written in another syntax version's form."""
    problems = required(unb, _UNB_REQUIRED)
    version, date, time = element(unb, 0, 1), element(unb, 3, 0), element(unb, 3, 1)
    if version and version not in "1234":
        problems.append(
            Problem(where(unb, 1, 2), "edifact.syntax-version", f"syntax version {version!r} is not 1 to 4")
        )
    form = _DATE["4" if version == "4" else ""]
    if date and not form.fullmatch(date):
        shape = "CCYYMMDD" if version == "4" else "YYMMDD"
        problems.append(
            Problem(where(unb, 4, 1), "edifact.unb-date", f"date {date!r} is not {shape} (syntax {version})")
        )
    if time and not _TIME.fullmatch(time):
        problems.append(Problem(where(unb, 4, 2), "edifact.unb-date", f"time {time!r} is not HHMM"))
    return problems


def _count_problem(seg: EdiSegment, rule: str, what: str, found: int) -> Problem | None:
    stated = element(seg, 0)
    if not _COUNT.fullmatch(stated):
        return Problem(where(seg, 1), rule, f"{stated!r} is not a count of {what}")
    if int(stated) != found:
        return Problem(where(seg, 1), rule, f"{seg.tag} counts {int(stated)} {what}, there are {found}")
    return None


def _reference_problem(seg: EdiSegment, rule: str, opener: EdiSegment, opened: str) -> Problem | None:
    stated = element(seg, 1)
    if stated != opened:
        return Problem(where(seg, 2), rule, f"{seg.tag} reference {stated!r} differs from {opener.tag}'s {opened!r}")
    return None


@dataclass
class _Group:
    ung: EdiSegment
    messages: int = 0


@dataclass
class _Envelope:
    unb: EdiSegment
    decimal: str
    problems: list[Problem] = field(default_factory=list)
    messages: list[EdiMessage] = field(default_factory=list)
    groups: int = 0
    group: _Group | None = None
    body: list[EdiSegment] | None = None  # the open message's segments, UNH first
    references: set[str] = field(default_factory=set)
    closed: bool = False

    def add(self, problem: Problem | None) -> None:
        if problem is not None:
            self.problems.append(problem)

    def take(self, seg: EdiSegment) -> None:
        if self.closed:
            self.add(Problem(where(seg), "edifact.after-unz", "segments follow the interchange trailer UNZ"))
            return
        handler = {"UNG": self.open_group, "UNE": self.close_group, "UNH": self.open_message, "UNT": self.close_message,
                   "UNZ": self.close}.get(seg.tag)  # fmt: skip
        if handler is not None:
            handler(seg)
        elif self.body is not None:
            self.body.append(seg)
        else:
            self.add(Problem(where(seg), "edifact.outside-message", f"{seg.tag} stands outside any message (UNH..UNT)"))

    def open_group(self, seg: EdiSegment) -> None:
        self.end_message(where(seg))
        self.end_group(where(seg))
        if self.messages:
            self.add(Problem(where(seg), "edifact.mixed-groups", "a group follows messages outside any group"))
        self.group, self.groups = _Group(seg), self.groups + 1

    def close_group(self, seg: EdiSegment) -> None:
        self.end_message(where(seg))
        if self.group is None:
            self.add(Problem(where(seg), "edifact.une-without-ung", "UNE closes no group (no UNG before it)"))
            return
        self.add(_count_problem(seg, "edifact.une-count", "messages", self.group.messages))
        self.add(_reference_problem(seg, "edifact.une-reference", self.group.ung, element(self.group.ung, 4)))
        self.group = None

    def open_message(self, seg: EdiSegment) -> None:
        self.end_message(where(seg))
        self.problems += required(seg, _UNH_REQUIRED)
        reference = element(seg, 0)
        if reference and reference in self.references:
            self.add(Problem(where(seg, 1), "edifact.unh-reference", f"message reference {reference!r} used twice"))
        self.references.add(reference)
        if self.group is None and self.groups:
            self.add(Problem(where(seg), "edifact.mixed-groups", "a message outside any group follows a group"))
        if self.group is not None and element(self.group.ung, 0) not in ("", element(seg, 1)):
            named = element(self.group.ung, 0)
            self.add(Problem(where(seg, 2, 1), "edifact.ung-message-type",
                             f"a {element(seg, 1)} message in a group of {named} messages"))  # fmt: skip
        self.body = [seg]

    def close_message(self, seg: EdiSegment) -> None:
        if self.body is None:
            self.add(Problem(where(seg), "edifact.unt-without-unh", "UNT closes no message (no UNH before it)"))
            return
        unh, *segments = self.body
        self.add(_count_problem(seg, "edifact.unt-count", "segments", len(self.body) + 1))
        self.add(_reference_problem(seg, "edifact.unt-reference", unh, element(unh, 0)))
        self.messages.append(self.message(unh, tuple(segments)))
        if self.group is not None:
            self.group.messages += 1
        self.body = None

    def message(self, unh: EdiSegment, segments: tuple[EdiSegment, ...]) -> EdiMessage:
        group = element(self.group.ung, 4) if self.group is not None else None
        return EdiMessage(
            element(self.unb, 1), element(self.unb, 2), element(self.unb, 4), element(unh, 1),
            f"{element(unh, 1, 1)}.{element(unh, 1, 2)}", segments, element(unh, 0), unh, group, self.decimal,
        )  # fmt: skip

    def end_message(self, before: str) -> None:
        """A message still open when a group, a message or the interchange starts or ends was cut off."""
        if self.body is not None:
            self.add(Problem(where(self.body[0]), "edifact.unt-missing",
                             f"the message has no trailer UNT before {before}; it is not read"))  # fmt: skip
            self.body = None

    def end_group(self, before: str) -> None:
        if self.group is not None:
            self.add(Problem(where(self.group.ung), "edifact.une-missing",
                             f"the group has no trailer UNE before {before}"))  # fmt: skip
            self.group = None

    def close(self, seg: EdiSegment) -> None:
        self.end_message(where(seg))
        self.end_group(where(seg))
        counted = ("groups", self.groups) if self.groups else ("messages", len(self.messages))
        self.add(_count_problem(seg, "edifact.unz-count", *counted))
        self.add(_reference_problem(seg, "edifact.unz-reference", self.unb, element(self.unb, 4)))
        self.closed = True


def open_envelope(segments: list[EdiSegment], decimal: str = ".") -> Interchange:
    """The interchange the segments make, with every envelope problem."""
    if not segments or segments[0].tag != "UNB":
        found = f"{segments[0].tag}" if segments else "nothing"
        return Interchange(problems=(Problem("segment 1", "edifact.unb-missing", f"expected UNB, found {found}"),))
    unb = segments[0]
    envelope = _Envelope(unb, decimal, header_problems(unb))
    for seg in segments[1:]:
        envelope.take(seg)
    if not envelope.closed:
        last = segments[-1]
        envelope.end_message("the end of the file")
        envelope.end_group("the end of the file")
        envelope.add(Problem(f"after {where(last)}", "edifact.unz-missing", "the interchange has no trailer UNZ"))
    return Interchange(
        element(unb, 0), element(unb, 0, 1), element(unb, 1), element(unb, 2), element(unb, 4),
        tuple(envelope.messages), envelope.groups, tuple(envelope.problems),
    )  # fmt: skip

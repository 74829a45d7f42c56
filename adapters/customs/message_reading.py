"""What the CUSDEC, CUSRES and CUSCAR readers share: a message, the code-set profile applied to it, and the
problems found so far, each one cause at one place (a missing issuer and a missing declaration reference
are two problems, never one sentence about three segments)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from singlewindow.adapters.customs.codeset import CodeSet
from singlewindow.adapters.customs.edifact import EdifactError, EdiMessage, EdiSegment, element, where
from singlewindow.adapters.formats import Problem

_STAMP = {"203": ("%Y%m%d%H%M", "CCYYMMDDHHMM"), "102": ("%Y%m%d", "CCYYMMDD")}  # UNCL 2379 formats


@dataclass
class MessageReading:
    message: EdiMessage
    codes: CodeSet
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where_: str, rule: str, text: str) -> None:
        self.problems.append(Problem(where_, rule, text))

    def check(self) -> None:
        """Raise for the adapter's own flow, which takes a message whole or not at all."""
        if self.problems:
            raise EdifactError(*self.problems)

    def qualified(
        self, tag: str, table: Mapping[str, str], concept: str, segments: Iterable[EdiSegment] = ()
    ) -> EdiSegment | None:
        """The first ``tag`` segment whose qualifier (element 1, component 1) the profile maps to ``concept``."""
        pool = list(segments) or self.message.segments
        return next((s for s in pool if s.tag == tag and table.get(element(s, 0)) == concept), None)

    def party(self, concept: str, segments: Iterable[EdiSegment] = ()) -> EdiSegment | None:
        return self.qualified("NAD", self.codes.parties, concept, segments)

    def reference(self, concept: str, segments: Iterable[EdiSegment] = ()) -> str | None:
        rff = self.qualified("RFF", self.codes.references, concept, segments)
        return element(rff, 0, 1) or None if rff is not None else None

    def wanted(self, table: Mapping[str, str], concept: str) -> str:
        """How the profile writes ``concept``, for a problem saying what was looked for."""
        return " or ".join(self.codes.codes_for(table, concept)) or "(no code in this profile)"

    def missing(self, rule: str, text: str) -> None:
        self.problem(self.message.where, rule, text)

    def document_name(self, accepted: set[str]) -> tuple[EdiSegment | None, str | None]:
        """BGM and what its document name code means under the profile, when it is one of ``accepted``."""
        bgm = self.message.first("BGM")
        if bgm is None:
            self.missing("edifact.bgm-missing", "the message has no BGM (beginning of message)")
            return None, None
        code = element(bgm, 0)
        concept = self.codes.documents.get(code)
        if concept not in accepted:
            known = ", ".join(sorted(c for c, m in self.codes.documents.items() if m in accepted))
            text = f"document name code {code!r} is not one profile {self.codes.name!r} maps here ({known})"
            self.problem(where(bgm, 1, 1), "codes.document-name", text)
            return bgm, None
        return bgm, concept

    def text(self, seg: EdiSegment | None, index: int, rule: str, what: str) -> str:
        """A mandatory value; a problem at its place (or at the message) when empty."""
        value = element(seg, index)
        if not value:
            self.problem(where(seg, index + 1) if seg is not None else self.message.where, rule, f"{what} is missing")
        return value

    def number(self, seg: EdiSegment, index: int, component: int, what: str) -> Decimal | None:
        """A numeric value written with the interchange's decimal mark (UNA)."""
        value = element(seg, index, component)
        mark = re.escape(self.message.decimal)
        if len(value) > 35 or not re.fullmatch(rf"-?[0-9]+({mark}[0-9]+)?", value):
            self.problem(where(seg, index + 1, component + 1), "edifact.number",
                         f"{what} {value!r} is not a number with decimal mark {self.message.decimal!r}")  # fmt: skip
            return None
        return Decimal(value.replace(self.message.decimal, "."))

    def stamp(self, qualifier: str, rule: str, what: str, segments: Iterable[EdiSegment] = ()) -> datetime | None:
        """A DTM date/time (formats 203 and 102), as UTC."""
        pool = list(segments) or self.message.segments
        dtm = next((s for s in pool if s.tag == "DTM" and element(s, 0) == qualifier), None)
        if dtm is None:
            self.missing(rule, f"{what} (DTM+{qualifier}) is missing")
            return None
        value, form = element(dtm, 0, 1), element(dtm, 0, 2) or "203"
        pattern, shape = _STAMP.get(form, _STAMP["203"])
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            self.problem(where(dtm, 1, 2), rule, f"{what} {value!r} is not {shape} (format {form})")
            return None

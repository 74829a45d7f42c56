"""What ``nsw formats check`` reports for a file from another administration: what the hub would take from
it, or the exact problems. Each supported format (ePhyto XML, CUSDEC, CUSRES, CUSCAR) has one reader with
the signature of :data:`Reader`; the readers live with the adapter that speaks the format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, one rule. ``where`` locates it in the terms of the format (``segment 7 (BGM), element
    1`` or ``/rsm:SPSCertificate/rsm:SPSExchangedDocument/ram:IssueDateTime (line 12)``); ``rule`` is a
    stable identifier a test or an agency's own tooling can match (``edifact.unt-count``, ``xsd.unexpected-
    element``, ``national.weight-mismatch``); ``layer`` says whether the format itself or a national check
    refused it, so a valid foreign document is never refused for a national reason without saying so."""

    where: str
    rule: str
    message: str
    layer: str = "format"

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.rule}]"


@dataclass(frozen=True, slots=True)
class FormatReading:
    """A file read the way the hub reads it: one entry in ``documents`` per message or certificate (JSON-
    ready, in the project's model), the profile applied (code-set mapping) when there is one, and every
    problem found."""

    format: str
    documents: tuple[Mapping[str, object], ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    profile: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


Reader = Callable[[bytes, "str | None"], FormatReading]
"""``reader(data, profile_name)``: never raises for bad input; every problem is in the reading."""

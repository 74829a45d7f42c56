"""Whether a permit covers a goods item: one pure function, used by ``check`` and inside ``write_off``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from singlewindow.platform.errors import Conflict
from singlewindow.platform.permits.models import (
    CheckProblem,
    CheckResult,
    Permit,
    PermitKind,
    PermitStatus,
    ProblemCode,
)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """What a declaration says about one goods item and the permit it cites."""

    number: str
    holder_id: str
    hs_code: str
    quantity: Decimal
    unit: str
    at: date
    kind: PermitKind | None = None


class PermitRefused(Conflict):
    """A write-off the register refuses; ``problems`` says why (the same codes ``check`` gives)."""

    code = "permit_refused"

    def __init__(self, message: str, problems: tuple[CheckProblem, ...]) -> None:
        super().__init__(message)
        self.problems = problems


def evaluate(permit: Permit | None, request: CheckRequest, *, balance: bool = True) -> CheckResult:
    """Every problem at once, so the trader fixes them in one round; ``balance`` False skips the quantity."""
    if permit is None:
        problem = CheckProblem(ProblemCode.UNKNOWN, f"no permit or certificate {request.number!r} in the register")
        return CheckResult(request.number, None, (problem,))
    found: list[CheckProblem] = []
    if request.kind is not None and permit.kind is not request.kind:
        found.append(CheckProblem(ProblemCode.WRONG_KIND, f"{permit.number} is a {permit.kind}, not a {request.kind}"))
    if permit.status is not PermitStatus.VALID:
        found.append(CheckProblem(ProblemCode.NOT_VALID, f"{permit.number} is {permit.status.value.lower()}"))
    if not permit.valid_from <= request.at <= permit.valid_until:
        found.append(
            CheckProblem(
                ProblemCode.EXPIRED,
                f"{permit.number} is valid {permit.valid_from} to {permit.valid_until}, not on {request.at}",
            )
        )
    if permit.holder_id != request.holder_id:
        found.append(CheckProblem(ProblemCode.WRONG_HOLDER, f"{permit.number} was not issued to {request.holder_id}"))
    if not permit.covers_hs(request.hs_code):
        found.append(CheckProblem(ProblemCode.HS_NOT_COVERED, f"{permit.number} does not cover HS {request.hs_code}"))
    if permit.unit != request.unit:
        found.append(
            CheckProblem(ProblemCode.UNIT_MISMATCH, f"{permit.number} is kept in {permit.unit}, not {request.unit}")
        )
    elif balance and request.quantity > permit.remaining:
        found.append(
            CheckProblem(
                ProblemCode.QUANTITY_EXCEEDS_BALANCE,
                f"{request.quantity} {request.unit} asked, {permit.remaining} {permit.unit} left on {permit.number}",
            )
        )
    return CheckResult(request.number, permit, tuple(found))

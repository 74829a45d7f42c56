"""Permits, certificates and write-offs as typed values; quantities as exact decimals with 3 places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from singlewindow.platform.errors import InvalidInput, Problem

MILLI = Decimal("0.001")
MAX_QUANTITY = Decimal("999999999999.999")  # the specs' Quantity: precision 15, scale 3


class PermitKind(StrEnum):
    """The kinds an agency issues; names match the documents' SupportingDocumentType codes."""

    VETERINARY_CERTIFICATE = "VETERINARY_CERTIFICATE"
    PHYTO_CERTIFICATE = "PHYTO_CERTIFICATE"
    SANITARY_PERMIT = "SANITARY_PERMIT"
    CONFORMITY_CERTIFICATE = "CONFORMITY_CERTIFICATE"
    IMPORT_LICENCE = "IMPORT_LICENCE"
    EXPORT_LICENCE = "EXPORT_LICENCE"
    CITES_PERMIT = "CITES_PERMIT"


class PermitStatus(StrEnum):
    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"


class ProblemCode(StrEnum):
    """Why a cited permit cannot cover a goods item; UNKNOWN is the only one that suggests forgery."""

    UNKNOWN = "UNKNOWN"
    NOT_VALID = "NOT_VALID"  # suspended or revoked by its issuer
    EXPIRED = "EXPIRED"  # outside valid_from..valid_until at the date asked
    WRONG_HOLDER = "WRONG_HOLDER"
    WRONG_KIND = "WRONG_KIND"
    HS_NOT_COVERED = "HS_NOT_COVERED"
    UNIT_MISMATCH = "UNIT_MISMATCH"
    QUANTITY_EXCEEDS_BALANCE = "QUANTITY_EXCEEDS_BALANCE"


def to_milli(value: Decimal | str | int, path: str = "/quantity") -> int:
    """Thousandths of a unit; more than 3 decimals, non-numbers, negatives and more than the documents'
    ``Quantity`` holds (precision 15, scale 3) are refused, the bound checked before any arithmetic, so
    1e28 or 1e999999 is a 422 and not a decimal-context error or a BIGINT overflow."""
    text = str(value)
    if len(text) > 64:
        raise InvalidInput("quantity too long", [Problem(path, "maxLength", "at most 64 characters")])
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(f"{value!r} is not a number", [Problem(path, "type", "a decimal string")]) from exc
    if not number.is_finite() or number < 0:
        raise InvalidInput(f"{value!r} is not a quantity", [Problem(path, "minimum", "zero or more")])
    if number > MAX_QUANTITY:
        raise InvalidInput(f"{value!r} is too large", [Problem(path, "maximum", f"at most {MAX_QUANTITY}")])
    if number.quantize(MILLI, rounding=ROUND_HALF_EVEN) != number:
        raise InvalidInput(f"{value!r} has more than 3 decimals", [Problem(path, "scale", "at most 3 decimals")])
    return int(number / MILLI)


def from_milli(value: int) -> Decimal:
    return (Decimal(value) * MILLI).quantize(MILLI)


@dataclass(frozen=True, slots=True)
class PermitDraft:
    """What an issuing agency states about a new permit."""

    number: str
    kind: PermitKind
    holder_id: str
    hs_codes: tuple[str, ...]
    description: str
    quantity: Decimal
    unit: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class Permit:
    id: str
    number: str
    kind: PermitKind
    issuing_agency: str
    holder_id: str
    hs_codes: tuple[str, ...]
    description: str
    quantity: Decimal
    remaining: Decimal
    unit: str
    valid_from: date
    valid_until: date
    status: PermitStatus
    issued_by: str
    issued_at: datetime

    def covers_hs(self, hs_code: str) -> bool:
        """An entry covers a code it is a prefix of (a heading 0808 covers 080810 and 0808108000)."""
        return any(hs_code.startswith(prefix) for prefix in self.hs_codes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "kind": self.kind.value,
            "issuingAgency": self.issuing_agency,
            "holderId": self.holder_id,
            "hsCodes": list(self.hs_codes),
            "description": self.description,
            "quantity": {"value": str(self.quantity), "unit": self.unit},
            "remaining": {"value": str(self.remaining), "unit": self.unit},
            "validFrom": self.valid_from.isoformat(),
            "validUntil": self.valid_until.isoformat(),
            "status": self.status.value,
            "issuedBy": self.issued_by,
            "issuedAt": self.issued_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class CheckProblem:
    code: ProblemCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "message": self.message}


@dataclass(frozen=True, slots=True)
class CheckResult:
    number: str
    permit: Permit | None
    problems: tuple[CheckProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "ok": self.ok,
            "permit": self.permit.as_dict() if self.permit else None,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class WriteOffKey:
    """One write-off per permit, submission version and goods item: a redelivery writes off nothing new."""

    submission_id: str
    submission_version: int
    goods_item: int


class EntryKind(StrEnum):
    WRITE_OFF = "WRITE_OFF"
    REVERSAL = "REVERSAL"  # gives a write-off's quantity back; names it by its key and original writer


@dataclass(frozen=True, slots=True)
class Reversal:
    reason: str
    reversed_by: str
    reversed_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A write-off, or (``reversal`` set) the reversal of the write-off with this key: its own entry."""

    permit_number: str
    key: WriteOffKey
    quantity: Decimal
    unit: str
    written_off_by: str
    written_off_at: datetime
    reversal: Reversal | None = None

    @property
    def kind(self) -> EntryKind:
        return EntryKind.WRITE_OFF if self.reversal is None else EntryKind.REVERSAL

    @property
    def recorded_at(self) -> datetime:
        return self.written_off_at if self.reversal is None else self.reversal.reversed_at

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind.value,
            "permitNumber": self.permit_number,
            "submissionId": self.key.submission_id,
            "submissionVersion": self.key.submission_version,
            "goodsItem": self.key.goods_item,
            "quantity": {"value": str(self.quantity), "unit": self.unit},
            "writtenOffBy": self.written_off_by,
            "writtenOffAt": self.written_off_at.isoformat(),
        }
        if self.reversal is not None:
            body["reason"] = self.reversal.reason
            body["reversedBy"] = self.reversal.reversed_by
            body["reversedAt"] = self.reversal.reversed_at.isoformat()
        return body


@dataclass(frozen=True, slots=True)
class WriteOffResult:
    entry: LedgerEntry
    remaining: Decimal
    created: bool  # False: this key was written off before; nothing changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.as_dict(),
            "remaining": {"value": str(self.remaining), "unit": self.entry.unit},
            "created": self.created,
        }


@dataclass(frozen=True, slots=True)
class ReversalResult:
    entry: LedgerEntry  # kind REVERSAL
    remaining: Decimal
    created: bool  # False: this write-off was reversed before; nothing changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.as_dict(),
            "remaining": {"value": str(self.remaining), "unit": self.entry.unit},
            "created": self.created,
        }

"""Request bodies of the register's API as typed values; every bad field is named by its JSON pointer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.inputs import INT32_MAX
from singlewindow.platform.permits.checks import CheckRequest
from singlewindow.platform.permits.models import (
    PermitDraft,
    PermitKind,
    PermitStatus,
    WriteOffKey,
    from_milli,
    to_milli,
)

HS_CODE = re.compile(r"^[0-9]{2,10}$")
UNIT = re.compile(r"^[0-9A-Z]{2,3}$")


class _Reader:
    """Collects problems while reading fields, then raises them all at once."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body
        self.problems: list[Problem] = []

    def text(self, name: str, pattern: re.Pattern[str] | None = None, *, max_length: int = 200) -> str:
        value = self.body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            self.problems.append(Problem(f"/{name}", "type", f"a non-empty string of at most {max_length}"))
            return ""
        if pattern is not None and not pattern.match(value):
            self.problems.append(Problem(f"/{name}", "pattern", f"must match {pattern.pattern}"))
        return value

    def integer(self, name: str, minimum: int = 1, maximum: int = INT32_MAX) -> int:
        """Within the columns' INTEGER (the proto's int32) range, so no value overflows the database."""
        value = self.body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.problems.append(Problem(f"/{name}", "type", f"an integer from {minimum} to {maximum}"))
            return minimum
        return value

    def day(self, name: str) -> date:
        value = self.body.get(name)
        try:
            return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
        except ValueError:
            self.problems.append(Problem(f"/{name}", "format", "a date YYYY-MM-DD"))
            return date.min

    def quantity(self, name: str = "quantity") -> tuple[Decimal, str]:
        value = self.body.get(name)
        if not isinstance(value, Mapping):
            self.problems.append(Problem(f"/{name}", "type", "an object {value, unit}"))
            return Decimal(0), ""
        unit = _Reader(value)
        code = unit.text("unit", UNIT, max_length=3)
        self.problems += [Problem(f"/{name}{p.path}", p.code, p.message) for p in unit.problems]
        try:
            return from_milli(to_milli(str(value.get("value")), f"/{name}/value")), code
        except InvalidInput as exc:
            self.problems += exc.problems
            return Decimal(0), code

    def enum(self, name: str, values: type[PermitKind] | type[PermitStatus], *, required: bool = True) -> Any:
        value = self.body.get(name)
        if value is None and not required:
            return None
        try:
            return values(str(value))
        except ValueError:
            self.problems.append(Problem(f"/{name}", "enum", f"one of {[v.value for v in values]}"))
            return None

    def done(self, what: str) -> None:
        if self.problems:
            raise InvalidInput(f"bad {what}", self.problems)


def draft_from_json(body: Mapping[str, Any]) -> PermitDraft:
    read = _Reader(body)
    number, kind = read.text("number", max_length=70), read.enum("kind", PermitKind)
    holder, description = read.text("holderId", max_length=64), read.text("description", max_length=512)
    quantity, unit = read.quantity()
    valid_from, valid_until = read.day("validFrom"), read.day("validUntil")
    hs_codes = body.get("hsCodes")
    if (
        not isinstance(hs_codes, list)
        or not hs_codes
        or not all(isinstance(h, str) and HS_CODE.match(h) for h in hs_codes)
    ):
        read.problems.append(Problem("/hsCodes", "type", "a non-empty list of HS codes or prefixes (2-10 digits)"))
        hs_codes = []
    if valid_until < valid_from:
        read.problems.append(Problem("/validUntil", "range", "on or after validFrom"))
    read.done("permit")
    return PermitDraft(number, kind, holder, tuple(hs_codes), description, quantity, unit, valid_from, valid_until)


def check_from_json(body: Mapping[str, Any]) -> CheckRequest:
    read = _Reader(body)
    request = _check(read)
    read.done("check request")
    return request


def _check(read: _Reader) -> CheckRequest:
    number, holder = read.text("number", max_length=70), read.text("holderId", max_length=64)
    hs_code = read.text("hsCode", HS_CODE, max_length=10)
    quantity, unit = read.quantity()
    kind = read.enum("kind", PermitKind, required=False)
    return CheckRequest(number, holder, hs_code, quantity, unit, read.day("at"), kind)


def write_off_from_json(body: Mapping[str, Any]) -> tuple[CheckRequest, WriteOffKey]:
    read = _Reader(body)
    request = _check(read)
    key = WriteOffKey(
        read.text("submissionId", max_length=64), read.integer("submissionVersion"), read.integer("goodsItem")
    )
    read.done("write-off request")
    return request, key


def reversal_from_json(body: Mapping[str, Any]) -> tuple[str, WriteOffKey, str]:
    """Which write-off to give back (its permit and key) and why; the reason is optional."""
    read = _Reader(body)
    number = read.text("number", max_length=70)
    key = WriteOffKey(
        read.text("submissionId", max_length=64), read.integer("submissionVersion"), read.integer("goodsItem")
    )
    reason = read.text("reason", max_length=200) if body.get("reason") is not None else "reversed"
    read.done("reversal request")
    return number, key, reason


def status_from_json(body: Mapping[str, Any]) -> tuple[str, PermitStatus]:
    read = _Reader(body)
    number, status = read.text("number", max_length=70), read.enum("status", PermitStatus)
    read.done("status change")
    return number, status

"""Amounts and currencies as a provider takes them in and hands them on: Decimal only, never float.

An order or a bank's notification is refused when its currency is not three capital letters or its amount
has more decimals than the currency has minor units (two for KZT, CNY, KGS, MNT, USD, EUR, RUB): a bank
never books a fraction of a tiyn, so such an amount is a mistake, not something to round away.
"""

from __future__ import annotations

import re
from decimal import Decimal

from singlewindow.platform.errors import InvalidInput, Problem

# ISO 4217 minor units of the currencies the hub's partners use, and of the few that are not two
MINOR_UNITS: dict[str, int] = {
    "KZT": 2,
    "CNY": 2,
    "KGS": 2,
    "MNT": 2,
    "USD": 2,
    "EUR": 2,
    "RUB": 2,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
    "JOD": 3,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
}
DEFAULT_MINOR_UNIT = 2
MAX_DIGITS = 18  # ISO 20022 ActiveOrHistoricCurrencyAndAmount: totalDigits 18
_CURRENCY = re.compile(r"[A-Z]{3}")
_AMOUNT_TEXT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,5})?")


def _invalid(path: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", [Problem(path, code, message)])


def check_currency(currency: str, path: str = "currency") -> str:
    """The ISO 4217 code itself, or InvalidInput: three capital letters."""
    if _CURRENCY.fullmatch(currency) is None:
        raise _invalid(path, "currency.invalid", f"currency {currency!r} is not three capital letters (ISO 4217)")
    return currency


def check_amount(amount: Decimal, currency: str, path: str = "amount") -> Decimal:
    """``amount`` if it is a positive, finite Decimal within the currency's minor unit; else InvalidInput."""
    check_currency(currency, f"{path}@Ccy")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise _invalid(path, "amount.invalid", f"amount {amount!r} is not a finite Decimal")
    if amount <= 0:
        raise _invalid(path, "amount.not-positive", f"amount {amount} is not above zero")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked above
    decimals = max(0, -exponent)
    allowed = MINOR_UNITS.get(currency, DEFAULT_MINOR_UNIT)
    if decimals > allowed and amount != amount.quantize(Decimal(1).scaleb(-allowed)):
        raise _invalid(path, "amount.decimals", f"amount {amount} has more than {allowed} decimals for {currency}")
    if len(amount.quantize(Decimal(1).scaleb(-allowed)).as_tuple().digits) > MAX_DIGITS:
        raise _invalid(path, "amount.too-large", f"amount {amount} has more than {MAX_DIGITS} digits")
    return amount


def parse_amount(text: str | None, currency: str, path: str = "amount") -> Decimal:
    """An amount written as ISO 20022 writes it (``1234.50``: digits, one point, no sign, no exponent),
    given with the currency's decimals (``12.5`` and ``12.500`` KZT are ``12.50``)."""
    cleaned = (text or "").strip()
    if _AMOUNT_TEXT.fullmatch(cleaned) is None:
        raise _invalid(path, "amount.invalid", f"amount {text!r} is not digits with an optional decimal point")
    amount = check_amount(Decimal(cleaned), currency, path)  # the pattern admits only valid decimals
    return Decimal(format_amount(amount, currency))


def format_amount(amount: Decimal, currency: str) -> str:
    """The amount with exactly the currency's minor unit of decimals (``12.5`` KZT -> ``12.50``)."""
    allowed = MINOR_UNITS.get(currency, DEFAULT_MINOR_UNIT)
    return f"{amount.quantize(Decimal(1).scaleb(-allowed)):f}"

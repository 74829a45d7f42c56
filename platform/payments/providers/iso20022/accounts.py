"""Accounts and banks as ISO 20022 names them: an IBAN when the account is one, else a national number.

An IBAN's check digits (ISO 7064 mod 97-10) are verified: a mistyped IBAN is refused here rather than
written as "other" identification and sent to a bank that would return the money days later.
"""

from __future__ import annotations

import re
from typing import Literal

from singlewindow.platform.errors import InvalidInput, Problem

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")  # 15 (Norway) to 34 characters
_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
MAX_OTHER = 34  # Max34Text, the GenericAccountIdentification1 Id


def normalise_account(account: str) -> str:
    """Spaces removed, capitals: the form accounts are written in and compared by."""
    return "".join(account.split()).upper()


def _iban_checks(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def account_identification(account: str, path: str) -> tuple[Literal["IBAN", "Othr"], str]:
    """("IBAN", iban) or ("Othr", national number); InvalidInput for an IBAN whose checks fail."""
    normalised = normalise_account(account)
    if _IBAN.fullmatch(normalised):
        if not _iban_checks(normalised):
            raise InvalidInput(
                f"{path}: {account!r} has the form of an IBAN but its check digits are wrong",
                [Problem(path, "account.iban-checks", "IBAN check digits (mod 97) do not hold")],
            )
        return "IBAN", normalised
    if not normalised or len(normalised) > MAX_OTHER or not normalised.isprintable():
        raise InvalidInput(
            f"{path}: account {account!r} is neither an IBAN nor an account number of 1 to {MAX_OTHER} characters",
            [Problem(path, "account.invalid", f"an IBAN or 1 to {MAX_OTHER} printable characters")],
        )
    return "Othr", normalised


def check_bic(bic: str, path: str) -> str:
    """The BIC (ISO 9362, 8 or 11 characters) in capitals, or InvalidInput."""
    normalised = bic.strip().upper()
    if _BIC.fullmatch(normalised) is None:
        raise InvalidInput(
            f"{path}: {bic!r} is not a BIC", [Problem(path, "bic.invalid", "a BIC is 8 or 11 letters and digits")]
        )
    return normalised

"""ISO 11649 creditor references ("RF" references): how a payment names the invoice it pays.

A payer copies the reference into the transfer; the bank passes it through unchanged to the treasury's
``camt.054`` notification, where reconciliation finds the invoice by it. The two check digits (ISO 7064
mod 97-10, the same arithmetic as an IBAN's) catch a mistyped character before money goes astray, so a
reference that fails them is never matched to an invoice.

A reference is ``RF`` + two check digits + a body of 1 to 21 letters and digits. It is printed in groups
of four (``RF18 5390 0754 7034``) and compared without spaces, in capitals.
"""

from __future__ import annotations

import re

from singlewindow.platform.errors import InvalidInput, Problem

MAX_BODY = 21  # 25 characters in all
_BODY = re.compile(r"[A-Z0-9]{1,21}")
_REFERENCE = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")


def normalise_reference(text: str) -> str:
    """The compared form: every white space removed, letters in capitals (``rf18 5390`` -> ``RF185390``)."""
    return "".join(text.split()).upper()


def _mod97(alphanumeric: str) -> int:
    """ISO 7064 mod 97 of the text with every letter read as two digits (A=10 ... Z=35)."""
    return int("".join(str(int(char, 36)) for char in alphanumeric)) % 97


def _check_digits(body: str) -> str:
    return f"{98 - _mod97(body + 'RF00'):02d}"


def is_valid_reference(text: str) -> bool:
    """Whether ``text`` (spaces and case ignored) is a well-formed RF reference whose check digits hold."""
    reference = normalise_reference(text)
    if _REFERENCE.fullmatch(reference) is None:
        return False
    return _mod97(reference[4:] + reference[:4]) == 1


def creditor_reference(invoice_number: str) -> str:
    """The RF reference of an invoice number: ``RF`` + check digits + the number itself as the body.

    The body is the invoice number with spaces removed and letters in capitals; any other character (a
    hyphen, a slash) is refused rather than dropped, so two invoice numbers never share a reference.
    """
    body = normalise_reference(invoice_number)
    if _BODY.fullmatch(body) is None:
        raise InvalidInput(
            f"invoice number {invoice_number!r} cannot be an ISO 11649 reference body",
            [
                Problem(
                    "invoiceNumber",
                    "reference.body",
                    f"an RF reference body is 1 to {MAX_BODY} letters and digits (spaces ignored)",
                )
            ],
        )
    return f"RF{_check_digits(body)}{body}"


def parse_reference(text: str, path: str = "reference") -> str:
    """The normalised reference, or InvalidInput naming ``path`` when it is not a valid RF reference."""
    reference = normalise_reference(text)
    if not is_valid_reference(reference):
        raise InvalidInput(
            f"{path}: {text!r} is not a valid ISO 11649 creditor reference",
            [Problem(path, "reference.invalid", "not RF + 2 check digits + 1-21 letters/digits with valid checks")],
        )
    return reference


def format_reference(text: str) -> str:
    """The printed form, in groups of four: ``RF18539007547034`` -> ``RF18 5390 0754 7034``."""
    reference = normalise_reference(text)
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))

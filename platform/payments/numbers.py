"""Invoice numbers and their ISO 11649 (RF) creditor references, both derived from the submission id.

Derived, not drawn from a counter: pricing a redelivered routing computes the same number again, so the
invoice needs no extra round trip to stay unique and idempotent. ``rf_reference`` is the small stand-in for
``payments.references.creditor_reference`` (the providers' module) until the two branches merge.
"""

from __future__ import annotations

import hashlib


def invoice_number(submission_id: str) -> str:
    """``NSW`` and 14 hex digits of the submission id's SHA-256, upper case (17 alphanumerics)."""
    return "NSW" + hashlib.sha256(submission_id.encode()).hexdigest()[:14].upper()


def _digits(text: str) -> str:
    return "".join(str(int(ch, 36)) for ch in text)


def rf_reference(invoice_number: str) -> str:
    """ISO 11649: ``RF`` + two check digits (ISO 7064 mod 97-10) + the reference (1 to 21 alphanumerics)."""
    body = invoice_number.upper()
    if not (1 <= len(body) <= 21) or not body.isalnum() or not body.isascii():
        raise ValueError(f"an RF reference holds 1 to 21 letters and digits, not {invoice_number!r}")
    check = 98 - int(_digits(body + "RF00")) % 97
    return f"RF{check:02d}{body}"


def rf_valid(reference: str) -> bool:
    """True when ``reference`` is a well-formed RF reference whose check digits hold."""
    text = reference.replace(" ", "").upper()
    if not text.startswith("RF") or not 5 <= len(text) <= 25 or not text.isalnum() or not text.isascii():
        return False
    return int(_digits(text[4:] + text[:4])) % 97 == 1

"""Invoice numbers, derived from the submission id (their RF references: ``payments.references``).

Derived, not drawn from a counter: pricing a redelivered routing computes the same number again, so the
invoice needs no extra round trip to stay unique and idempotent.
"""

from __future__ import annotations

import hashlib


def invoice_number(submission_id: str) -> str:
    """``NSW`` and 14 hex digits of the submission id's SHA-256, upper case (17 alphanumerics: an ISO 11649
    reference body holds up to 21)."""
    return "NSW" + hashlib.sha256(submission_id.encode()).hexdigest()[:14].upper()

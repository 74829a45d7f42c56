"""The registry write rule over principals, as a table: role x subject x action."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.identity.registry_guard import may_write

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OPERATOR = Principal("p_1", "ops", Role.OPERATOR, None, NOW)
VET = Principal("p_2", "vet", Role.AGENCY, "veterinary", NOW)
OFFICER = Principal("p_3", "officer", Role.OFFICER, "veterinary", NOW)
REVOKED_OPERATOR = Principal("p_4", "old-ops", Role.OPERATOR, None, NOW, revoked_at=NOW)


@pytest.mark.parametrize(
    ("principal", "subject", "action", "allowed"),
    [
        (OPERATOR, "nsw.consignment.json", "register", True),
        (OPERATOR, None, "config", True),
        (OPERATOR, None, "mode", True),
        (OPERATOR, "nsw.view-customs.json", "mode", True),
        (VET, "nsw.view-veterinary.json", "register", True),
        (VET, "nsw.view-veterinary.avro", "delete", True),
        (VET, "agency.veterinary.extension", "config", True),
        (VET, "nsw.view-veterinary.json", "mode", False),  # modes are the operator's
        (VET, None, "config", False),  # so is the global scope
        (VET, "nsw.view-customs.json", "register", False),
        (VET, "agency.customs.extension", "register", False),
        (VET, "nsw.consignment.json", "register", False),
        (VET, "nsw.view-veterinaryx.json", "register", False),  # the prefix ends with its dot
        (VET, "agency.veterinary", "register", False),
        (OFFICER, "nsw.view-veterinary.json", "register", False),  # people decide documents, not specs
        (REVOKED_OPERATOR, "nsw.consignment.json", "register", False),
    ],
)
def test_may_write(principal: Principal, subject: str | None, action: str, allowed: bool) -> None:
    assert may_write(principal, subject, action) is allowed

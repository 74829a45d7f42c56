"""Who can call the platform, as typed values the APIs pass around."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

AGENCY_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


class Role(StrEnum):
    """Closed set of roles; agency-bound roles carry the agency id on the principal."""

    OPERATOR = "operator"  # runs the platform: registry releases, topology, replays
    AGENCY = "agency"  # an agency's system (adapter) or its spec maintainers
    OFFICER = "officer"  # a person at an agency deciding on documents
    TRADER = "trader"  # a declarant submitting its own consignments
    BROKER = "broker"  # a customs broker acting for traders under grants
    PARTNER = "partner"  # a neighbouring single window's gateway: declarant of the cross-border submissions it brings

    @property
    def needs_agency(self) -> bool:
        return self in {Role.AGENCY, Role.OFFICER}


class GrantScope(StrEnum):
    """What a broker may do for a trader: read its submissions, or also submit and amend them."""

    READ = "read"
    SUBMIT = "submit"


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    name: str
    role: Role
    agency: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token shown exactly once; only its hash is stored."""

    principal: Principal
    token: str


@dataclass(frozen=True, slots=True)
class Grant:
    id: str
    broker_id: str
    trader_id: str
    scope: GrantScope
    valid_from: datetime
    valid_until: datetime | None

    def covers(self, at: datetime, scope: GrantScope) -> bool:
        in_time = self.valid_from <= at and (self.valid_until is None or at < self.valid_until)
        return in_time and (scope is GrantScope.READ or self.scope is GrantScope.SUBMIT)

"""The schema registry's write guard backed by the hub's principals (DESIGN.md "Identities").

The registry stands alone and only defines the ``WriteGuard`` seam; this module fills it from outside and
``nsw registry serve`` injects it. Reads never reach it. Who may write:

- an operator: anything, including the global config and every mode change (a release is an operator's act);
- an agency principal: register, delete and change the compatibility level of subjects under its own
  prefixes (``agency_prefixes``), never a mode and never a global setting;
- everyone else, and an agency outside its prefixes: refused (40301 / PERMISSION_DENIED).
A missing, unknown or revoked token is 401 (Confluent's code for it) / UNAUTHENTICATED.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from singlewindow.platform import errors as hub_errors
from singlewindow.platform.identity.models import Principal, Role
from singlewindow.platform.identity.store import PrincipalStore
from singlewindow.registry.errors import AccessDenied, StoreError, Unauthenticated
from singlewindow.registry.guard import Credentials

OPERATOR_ONLY_ACTIONS = frozenset({"mode"})


def agency_prefixes(agency: str) -> tuple[str, ...]:
    """THE rule for which subjects belong to an agency: its own namespace ``agency.<id>.`` and the spec
    subjects of its routing view ``nsw.view-<id>.`` (``nsw.view-veterinary.json``, ``.avro``)."""
    return (f"agency.{agency}.", f"nsw.view-{agency}.")


def may_write(principal: Principal, subject: str | None, action: str) -> bool:
    """Whether ``principal`` may perform ``action`` on ``subject`` (None = the global scope)."""
    if not principal.active:
        return False
    if principal.role is Role.OPERATOR:
        return True
    if principal.role is not Role.AGENCY or principal.agency is None:
        return False
    if subject is None or action in OPERATOR_ONLY_ACTIONS:
        return False
    return subject.startswith(agency_prefixes(principal.agency))


class PrincipalWriteGuard:
    """``registry.guard.WriteGuard`` over ``PrincipalStore``: one token lookup per write."""

    def __init__(self, store: PrincipalStore) -> None:
        self._store = store

    async def authorize_write(self, credentials: Credentials, subject: str | None, action: str) -> None:
        if not credentials:
            raise Unauthenticated("Writes need a bearer token (Authorization: Bearer <token>)")
        try:
            principal = await self._store.authenticate(credentials)
        except hub_errors.Unauthenticated as exc:
            raise Unauthenticated("Unknown, revoked or malformed token") from exc
        except (hub_errors.NswError, SQLAlchemyError) as exc:
            raise StoreError(f"Principals store unavailable: {exc}") from exc
        if not may_write(principal, subject, action):
            target = f"Subject: {subject}" if subject else "the global scope"
            raise AccessDenied(  # worded as Confluent's refusal, then why
                f"User {principal.name} ({principal.role.value}) is denied operation {action} on {target}; "
                + _why(principal, subject, action)
            )


def _why(principal: Principal, subject: str | None, action: str) -> str:
    if principal.role is Role.AGENCY and principal.agency is not None:
        if action in OPERATOR_ONLY_ACTIONS or subject is None:
            return "only an operator may do this"
        prefixes = " or ".join(agency_prefixes(principal.agency))
        return f"agency '{principal.agency}' writes only subjects under {prefixes}"
    return "registry writes need the operator role or an agency role"

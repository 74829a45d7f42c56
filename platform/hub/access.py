"""Who may see and act on which submissions: a trader on its own, a partner gateway on the cross-border
submissions it brought, a broker on those it holds a grant for, an operator on all. Agencies see documents
through their views, never through the submission API.

Every refusal to act for a declarant is the same error with the same message (``refused``): whether the
declarant is unknown, revoked or not a trader, and whether the broker has no grant, an expired one or a
read-only one, the caller learns only "not allowed". Anything more would let a broker probe who exists.
"""

from __future__ import annotations

from singlewindow.platform.errors import AccessDenied, NotFound
from singlewindow.platform.identity import GrantScope, Principal, PrincipalStore, Role
from singlewindow.platform.state.common import utcnow

_OWN = frozenset({Role.TRADER, Role.PARTNER})
"""Roles that are their own declarant: a trader, and a partner single window's gateway."""
REFUSAL = "not allowed to act for this declarant"


def refused() -> AccessDenied:
    """The one refusal (a fresh instance each time; its text never names the caller or the declarant)."""
    return AccessDenied(REFUSAL)


class Access:
    def __init__(self, principals: PrincipalStore) -> None:
        self._principals = principals

    async def declarants(self, principal: Principal, scope: GrantScope) -> list[str] | None:
        """The declarants whose submissions ``principal`` may use in ``scope``; None means every one."""
        if principal.role is Role.OPERATOR:
            return None
        if principal.role in _OWN:
            return [principal.id]
        if principal.role is Role.BROKER:
            now = utcnow()
            return [g.trader_id for g in await self._principals.grants_of(principal.id) if g.covers(now, scope)]
        return []

    async def require(self, principal: Principal, declarant_id: str, scope: GrantScope) -> None:
        allowed = await self.declarants(principal, scope)
        if allowed is not None and declarant_id not in allowed:
            # Same answer whether the submission exists or not, so ids cannot be probed.
            raise refused()

    async def declarant_for_submit(self, principal: Principal, declarant: str | None) -> str:
        """The trader a new submission belongs to: the caller itself, or the trader a broker names."""
        if principal.role in _OWN and declarant in (None, principal.id, principal.name):
            return principal.id
        if principal.role in (Role.BROKER, Role.OPERATOR) and declarant is not None:
            try:
                trader = await self._principals.get(declarant)
            except NotFound:
                raise refused() from None
            if trader.role is not Role.TRADER or not trader.active:
                raise refused()
            await self.require(principal, trader.id, GrantScope.SUBMIT)
            return trader.id
        raise refused()

"""Principals, tokens and grants in the hub database; every change is one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.coalesce import GroupCall
from singlewindow.platform.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from singlewindow.platform.identity.models import (
    AGENCY_ID,
    Grant,
    GrantScope,
    IssuedToken,
    Principal,
    Role,
)
from singlewindow.platform.identity.tokens import hash_token, new_id, new_token
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage.engine import one_statement
from singlewindow.platform.storage.tables import grants, principals, tokens


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


def _principal(row: Any) -> Principal:
    created = _aware(row.created_at)
    assert created is not None
    return Principal(row.id, row.name, Role(row.role), row.agency, created, _aware(row.revoked_at))


# Built once: every API request authenticates, and building the statement cost more than running it.
_ACTIVE_TOKENS = (
    select(principals, tokens.c.token_hash)
    .join(tokens, tokens.c.principal_id == principals.c.id)
    .where(tokens.c.token_hash.in_(bindparam("token_hashes", expanding=True)))
    .where(tokens.c.revoked_at.is_(None))
    .where(principals.c.revoked_at.is_(None))
)


_UNKNOWN_TOKEN = "unknown, revoked or malformed token"
# Token look-ups made at the same time (concurrent requests) share one statement: the hub's intake under load
# authenticated every request with a round trip of its own.
_LOOKUPS_PER_STATEMENT = 100


class PrincipalStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._look_up = GroupCall(self._principals_of, _LOOKUPS_PER_STATEMENT)

    async def add(self, name: str, role: Role, agency: str | None = None) -> IssuedToken:
        if role.needs_agency and (agency is None or not AGENCY_ID.match(agency)):
            raise InvalidInput(f"role {role} needs an agency id matching {AGENCY_ID.pattern}")
        if not role.needs_agency and agency is not None:
            raise InvalidInput(f"role {role} takes no agency")
        principal = Principal(new_id("p"), name, role, agency, utcnow())
        token = new_token()
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(principals).values(
                        id=principal.id,
                        name=name,
                        role=role.value,
                        agency=agency,
                        created_at=principal.created_at,
                    )
                )
                await conn.execute(
                    insert(tokens).values(token_hash=hash_token(token), principal_id=principal.id, created_at=utcnow())
                )
        except IntegrityError as exc:
            raise Conflict(f"a principal named {name!r} already exists") from exc
        return IssuedToken(principal, token)

    async def get(self, name_or_id: str) -> Principal:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(principals).where((principals.c.name == name_or_id) | (principals.c.id == name_or_id))
                )
            ).first()
        if row is None:
            raise NotFound(f"no principal {name_or_id!r}")
        return _principal(row)

    async def all(self, include_revoked: bool = False) -> list[Principal]:
        query = select(principals).order_by(principals.c.name)
        if not include_revoked:
            query = query.where(principals.c.revoked_at.is_(None))
        async with self._engine.connect() as conn:
            return [_principal(row) for row in await conn.execute(query)]

    async def revoke(self, name_or_id: str) -> Principal:
        principal = await self.get(name_or_id)
        now = utcnow()
        async with self._engine.begin() as conn:
            await conn.execute(update(principals).where(principals.c.id == principal.id).values(revoked_at=now))
            await conn.execute(
                update(tokens)
                .where(and_(tokens.c.principal_id == principal.id, tokens.c.revoked_at.is_(None)))
                .values(revoked_at=now)
            )
        return await self.get(principal.id)

    async def rotate(self, name_or_id: str) -> IssuedToken:
        """Issue a new token and revoke every older one in the same transaction."""
        principal = await self.get(name_or_id)
        if not principal.active:
            raise Conflict(f"principal {principal.name!r} is revoked")
        token, now = new_token(), utcnow()
        async with self._engine.begin() as conn:
            await conn.execute(
                update(tokens)
                .where(and_(tokens.c.principal_id == principal.id, tokens.c.revoked_at.is_(None)))
                .values(revoked_at=now)
            )
            await conn.execute(
                insert(tokens).values(token_hash=hash_token(token), principal_id=principal.id, created_at=now)
            )
        return IssuedToken(principal, token)

    async def authenticate(self, token: str) -> Principal:
        """The active principal a bearer token belongs to; Unauthenticated otherwise (never says why).

        Read from the database on every call (a revoked token fails at once); calls made at the same time are
        answered by one statement."""
        return await self._look_up(hash_token(token))

    async def _principals_of(self, token_hashes: list[str]) -> list[Principal | Exception]:
        async with one_statement(self._engine) as conn:
            rows = await conn.execute(_ACTIVE_TOKENS, {"token_hashes": sorted(set(token_hashes))})
            found = {row.token_hash: _principal(row) for row in rows}
        return [found.get(token_hash) or Unauthenticated(_UNKNOWN_TOKEN) for token_hash in token_hashes]

    async def grant(self, broker: str, trader: str, scope: GrantScope, valid_until: datetime | None = None) -> Grant:
        broker_p, trader_p = await self.get(broker), await self.get(trader)
        if broker_p.role is not Role.BROKER or trader_p.role is not Role.TRADER:
            raise InvalidInput("a grant goes from a trader to a customs broker")
        grant = Grant(new_id("g"), broker_p.id, trader_p.id, scope, utcnow(), valid_until)
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(grants).values(
                    id=grant.id,
                    broker_id=grant.broker_id,
                    trader_id=grant.trader_id,
                    scope=scope.value,
                    valid_from=grant.valid_from,
                    valid_until=valid_until,
                    created_at=grant.valid_from,
                )
            )
        return grant

    async def grants_of(self, broker_id: str) -> list[Grant]:
        query = select(grants).where(grants.c.broker_id == broker_id).where(grants.c.revoked_at.is_(None))
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query))
        return [
            Grant(
                r.id,
                r.broker_id,
                r.trader_id,
                GrantScope(r.scope),
                _aware(r.valid_from) or utcnow(),
                _aware(r.valid_until),
            )
            for r in rows
        ]

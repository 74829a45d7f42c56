"""The principals store on the embedded SQLite database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from singlewindow.platform.errors import Conflict, InvalidInput, Unauthenticated
from singlewindow.platform.identity import GrantScope, Principal, PrincipalStore, Role
from singlewindow.platform.storage import open_engine, upgrade


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[PrincipalStore]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield PrincipalStore(engine)
    await engine.dispose()


async def test_token_authenticates_its_principal_and_is_not_stored_in_clear(
    store: PrincipalStore, tmp_path: Path
) -> None:
    issued = await store.add("kaz-fruit", Role.TRADER)
    assert (await store.authenticate(issued.token)).id == issued.principal.id
    assert issued.token.encode() not in (tmp_path / "hub.db").read_bytes()


async def test_concurrent_look_ups_share_a_statement_and_keep_their_own_answers(store: PrincipalStore) -> None:
    trader = await store.add("kaz-fruit", Role.TRADER)
    agency = await store.add("vet-system", Role.AGENCY, agency="veterinary")
    statements: list[str] = []
    event.listen(store._engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    tokens = [trader.token, "not-a-token", agency.token, trader.token, "Bearer"]
    answers = await asyncio.gather(*(store.authenticate(token) for token in tokens), return_exceptions=True)
    assert [answer.name if isinstance(answer, Principal) else type(answer) for answer in answers] == [
        "kaz-fruit",
        Unauthenticated,
        "vet-system",
        "kaz-fruit",
        Unauthenticated,
    ]
    assert len([text for text in statements if "token_hash" in text]) == 1
    await store.revoke("vet-system")  # read again on every call: a revoked token fails at once
    with pytest.raises(Unauthenticated):
        await store.authenticate(agency.token)


async def test_rotate_revokes_the_old_token(store: PrincipalStore) -> None:
    first = await store.add("ops", Role.OPERATOR)
    second = await store.rotate("ops")
    assert (await store.authenticate(second.token)).name == "ops"
    with pytest.raises(Unauthenticated):
        await store.authenticate(first.token)


async def test_revoked_principal_cannot_authenticate_or_rotate(store: PrincipalStore) -> None:
    issued = await store.add("vet-system", Role.AGENCY, agency="veterinary")
    await store.revoke("vet-system")
    with pytest.raises(Unauthenticated):
        await store.authenticate(issued.token)
    with pytest.raises(Conflict):
        await store.rotate("vet-system")
    assert await store.all() == []
    assert [p.name for p in await store.all(include_revoked=True)] == ["vet-system"]


async def test_agency_roles_need_a_valid_agency_and_others_take_none(store: PrincipalStore) -> None:
    with pytest.raises(InvalidInput):
        await store.add("officer-1", Role.OFFICER)
    with pytest.raises(InvalidInput):
        await store.add("officer-1", Role.OFFICER, agency="Bad Agency")
    with pytest.raises(InvalidInput):
        await store.add("trader-1", Role.TRADER, agency="customs")


async def test_duplicate_names_conflict(store: PrincipalStore) -> None:
    await store.add("broker", Role.BROKER)
    with pytest.raises(Conflict):
        await store.add("broker", Role.BROKER)


async def test_grants_go_from_trader_to_broker_and_expire(store: PrincipalStore) -> None:
    broker = (await store.add("broker", Role.BROKER)).principal
    await store.add("trader", Role.TRADER)
    with pytest.raises(InvalidInput):
        await store.grant("trader", "broker", GrantScope.SUBMIT)
    until = datetime.now(UTC) + timedelta(days=30)
    await store.grant("broker", "trader", GrantScope.READ, valid_until=until)
    (grant,) = await store.grants_of(broker.id)
    assert grant.covers(datetime.now(UTC), GrantScope.READ)
    assert not grant.covers(datetime.now(UTC), GrantScope.SUBMIT)
    assert not grant.covers(until + timedelta(seconds=1), GrantScope.READ)


async def test_unknown_token_is_refused(store: PrincipalStore) -> None:
    with pytest.raises(Unauthenticated):
        await store.authenticate("nsw_not-a-token")

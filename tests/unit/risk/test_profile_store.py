"""Publishing: only a profile signed with a key trusted for its own agency, by that agency, valid and newer
than the stored version, is stored; the active set honours validity dates and is cached briefly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput
from singlewindow.platform.risk import ProfileStore, RiskKeys
from singlewindow.platform.risk.signing import public_text, sign

from .conftest import profile_document


async def _setup(engine: AsyncEngine, key: Ed25519PrivateKey) -> tuple[RiskKeys, ProfileStore, Ed25519PrivateKey]:
    keys = RiskKeys(engine)
    await keys.add("customs", public_text(key.public_key()))
    sanitary = Ed25519PrivateKey.generate()
    await keys.add("sanitary", public_text(sanitary.public_key()))
    return keys, ProfileStore(engine, keys), sanitary


async def test_publish_refuses_every_bad_publication(engine: AsyncEngine, key: Ed25519PrivateKey) -> None:
    _, store, sanitary_key = await _setup(engine, key)
    document = profile_document("customs")
    with pytest.raises(InvalidInput, match="not signed"):
        await store.publish("customs", document, None, "p-customs")
    with pytest.raises(InvalidInput, match="not from a key trusted"):  # the sanitary agency's key
        await store.publish("customs", document, sign(sanitary_key, document), "p-customs")
    with pytest.raises(AccessDenied):  # the sanitary agency publishing customs' profile, with customs' signature
        await store.publish("sanitary", document, sign(key, document), "p-sanitary")
    broken = {**document, "criteria": []}
    with pytest.raises(InvalidInput, match="schema"):
        await store.publish("customs", broken, sign(key, broken), "p-customs")
    published = await store.publish("customs", document, sign(key, document), "p-customs")
    assert published["version"] == 1
    with pytest.raises(Conflict, match="not newer"):
        await store.publish("customs", document, sign(key, document), "p-customs")
    older = {**document, "version": 1, "description": "changed"}
    with pytest.raises(Conflict):
        await store.publish("customs", older, sign(key, older), "p-customs")
    assert [p["version"] for p in await store.of_agency("customs")] == [1]
    assert await store.of_agency("sanitary") == []


async def test_a_key_belongs_to_one_agency(engine: AsyncEngine, key: Ed25519PrivateKey) -> None:
    keys, _, _ = await _setup(engine, key)
    assert await keys.add("customs", public_text(key.public_key()))  # again: unchanged
    with pytest.raises(Conflict, match="another agency"):
        await keys.add("veterinary", public_text(key.public_key()))
    with pytest.raises(InvalidInput):
        await keys.add("customs", "bm90IGEga2V5")


async def test_the_active_set_follows_validity_and_versions_and_is_cached(
    engine: AsyncEngine, key: Ed25519PrivateKey
) -> None:
    keys = RiskKeys(engine)
    await keys.add("customs", public_text(key.public_key()))
    ticks = [0.0]
    store = ProfileStore(engine, keys, cache_seconds=30, clock=lambda: ticks[0])
    first = profile_document("customs", validTo="2026-07-01T00:00:00Z")
    second = {**profile_document("customs", version=2), "validFrom": "2026-06-01T00:00:00Z"}
    await store.publish("customs", first, sign(key, first), "p")
    june = datetime(2026, 5, 15, tzinfo=UTC)
    assert [p.version for p in (await store.active(june))["customs"]] == [1]
    await store.publish("customs", second, sign(key, second), "p")  # a publication clears the cache
    assert [p.version for p in (await store.active(june))["customs"]] == [1]  # v2 has not begun
    assert [p.version for p in (await store.active(datetime(2026, 6, 2, tzinfo=UTC)))["customs"]] == [2]
    assert await store.active(datetime(2025, 1, 1, tzinfo=UTC)) == {}

    other = ProfileStore(engine, keys, cache_seconds=30, clock=lambda: ticks[0])  # another hub process
    assert (await other.active(june))["customs"]
    third = profile_document("customs", version=3)
    await store.publish("customs", third, sign(key, third), "p")
    assert [p.version for p in (await other.active(datetime(2026, 8, 1, tzinfo=UTC)))["customs"]] == [2]  # cached
    ticks[0] = 31.0
    assert [p.version for p in (await other.active(datetime(2026, 8, 1, tzinfo=UTC)))["customs"]] == [3]


async def test_a_stored_profile_that_no_longer_parses_is_skipped_not_fatal(
    engine: AsyncEngine, key: Ed25519PrivateKey
) -> None:
    from sqlalchemy import insert

    from singlewindow.platform.risk.tables import risk_profiles

    keys = RiskKeys(engine)
    await keys.add("customs", public_text(key.public_key()))
    store = ProfileStore(engine, keys)
    good = profile_document("customs")
    await store.publish("customs", good, sign(key, good), "p")
    async with engine.begin() as conn:  # as if a later schema had become stricter than what was stored
        await conn.execute(
            insert(risk_profiles).values(
                agency="sanitary", profile_id="old", version=1, document={"agency": "sanitary", "id": "old"},
                signature="x", key_id="k", valid_from=datetime(2026, 1, 1, tzinfo=UTC), published_by="p",
                published_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )  # fmt: skip
    assert set(await ProfileStore(engine, keys).active(datetime(2026, 6, 1, tzinfo=UTC))) == {"customs"}

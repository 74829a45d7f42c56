"""Signed profiles for embedded demos without a manual step (``risk.demo_profiles``, off by default).

For each agency in the catalogue with a shipped example profile, a demo key pair is made on the spot (the
private half lives only in this process), its public half trusted for that agency, and the example signed
with it and published like any agency's publication, unless that version is already stored. In production
nothing here runs: only profiles agencies published signed count.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from singlewindow.platform.errors import Conflict
from singlewindow.platform.risk.keys import RiskKeys
from singlewindow.platform.risk.profile import shipped_profiles
from singlewindow.platform.risk.signing import public_text, sign
from singlewindow.platform.risk.store import ProfileStore

log = structlog.get_logger(__name__)

DEMO_PUBLISHER = "risk-demo"


async def publish_demo_profiles(keys: RiskKeys, profiles: ProfileStore, agencies: Iterable[str]) -> list[str]:
    """Publish the shipped example of each of ``agencies`` not yet stored at that version; the agencies done."""
    published = []
    shipped = shipped_profiles()
    for agency in sorted(set(agencies) & set(shipped)):
        document = shipped[agency]
        stored = {(p["id"], p["version"]) for p in await profiles.of_agency(agency)}
        if any(pid == document["id"] and version >= document["version"] for pid, version in stored):
            continue
        private = Ed25519PrivateKey.generate()
        await keys.add(agency, public_text(private.public_key()))
        try:
            await profiles.publish(agency, document, sign(private, document), DEMO_PUBLISHER)
        except Conflict:  # another hub process starting on the same database published it first
            continue
        published.append(agency)
    if published:
        log.warning("demo risk profiles signed with generated demo keys and published", agencies=published)
    return published

"""The same store on PostgreSQL, through the CLI a operator uses."""

from __future__ import annotations

import subprocess
import sys

from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.storage import open_engine, upgrade


def _nsw(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", *args, "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )


async def test_cli_add_rotate_revoke_on_postgres(fresh_postgres_url: str) -> None:
    added = _nsw("principals", "add", "kz-customs", "--role", "agency", "--agency", "customs", db=fresh_postgres_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.split("token: ")[1].strip()

    engine = open_engine(fresh_postgres_url)
    await upgrade(engine)  # a second upgrade is a no-op
    store = PrincipalStore(engine)
    assert (await store.authenticate(token)).agency == "customs"

    rotated = _nsw("principals", "rotate", "kz-customs", db=fresh_postgres_url)
    assert rotated.returncode == 0, rotated.stderr
    assert _nsw("principals", "revoke", "kz-customs", db=fresh_postgres_url).returncode == 0
    listed = _nsw("principals", "list", "--all", "--json", db=fresh_postgres_url)
    assert '"revoked_at": null' not in listed.stdout
    duplicate = _nsw("principals", "add", "kz-customs", "--role", "operator", db=fresh_postgres_url)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    await engine.dispose()

"""``nsw risk`` on a hub database: keygen, key add, sign, publish (and its refusals), aeo add/list/remove."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from singlewindow.platform.cli.main import cli
from singlewindow.platform.risk import shipped_profiles


def test_keygen_key_add_sign_publish_and_aeo(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"

    def nsw(*args: str) -> Result:
        return CliRunner().invoke(cli, ["risk", *args], env={"NSW_CONFIG_FILE": ""})

    made = nsw("keygen", "customs", "--out", str(tmp_path / "customs.pem"))
    assert made.exit_code == 0, made.output
    public = next(line for line in made.output.splitlines() if line.startswith("public key: ")).split(": ")[1]
    assert (tmp_path / "customs.pem").stat().st_mode & 0o777 == 0o600
    assert nsw("keygen", "customs", "--out", str(tmp_path / "customs.pem")).exit_code != 0  # never overwritten
    other = nsw("keygen", "sanitary", "--out", str(tmp_path / "sanitary.pem"))
    assert nsw("key", "add", "customs", public, "--db", db).exit_code == 0

    profile = tmp_path / "customs.json"
    profile.write_text(json.dumps(shipped_profiles()["customs"]))
    signature = nsw("sign", str(profile), "--key", str(tmp_path / "customs.pem"))
    assert signature.exit_code == 0 and len(signature.output.strip()) == 88  # 64 bytes in base64

    foreign = nsw("publish", str(profile), "--agency", "customs", "--key", str(tmp_path / "sanitary.pem"), "--db", db)
    assert other.exit_code == 0 and foreign.exit_code != 0 and "not from a key trusted" in str(foreign.exception)
    wrong_owner = nsw("publish", str(profile), "--agency", "sanitary", "--key", str(tmp_path / "customs.pem"),
                      "--db", db)  # fmt: skip
    assert wrong_owner.exit_code != 0
    published = nsw("publish", str(profile), "--agency", "customs", "--key", str(tmp_path / "customs.pem"), "--db", db)
    assert published.exit_code == 0 and "published customs/customs-import version 1" in published.output
    again = nsw("publish", str(profile), "--agency", "customs", "--key", str(tmp_path / "customs.pem"), "--db", db)
    assert again.exit_code != 0 and "not newer" in str(again.exception)
    assert public in nsw("key", "list", "--db", db).output

    assert nsw("aeo", "add", "p-trader", "KZ-AEO-7", "--valid-to", "2027-06-30", "--db", db).exit_code == 0
    listed = json.loads(nsw("aeo", "list", "--json", "--db", db).output)
    assert listed == [{"traderId": "p-trader", "number": "KZ-AEO-7", "validTo": "2027-06-30T00:00:00.000Z",
                       "note": None}]  # fmt: skip
    assert nsw("aeo", "remove", "p-trader", "KZ-AEO-7", "--db", db).exit_code == 0
    assert nsw("aeo", "remove", "p-trader", "KZ-AEO-7", "--db", db).exit_code != 0

"""Changed files are picked up; an invalid new version is logged and the previous rules stay in force."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import structlog

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.routing import ReloadingTables, Router
from singlewindow.platform.routing.loading import shipped_dir

LAPTOPS: dict[str, Any] = {"goodsItems": [{"commodityCode": {"hsCode": "847130"}}]}


@pytest.fixture
def routing_dir(tmp_path: Path) -> Path:
    for name in ("rules.json", "views.json", "recipients.json"):
        shutil.copy(shipped_dir() / name, tmp_path / name)
    return tmp_path


_bump = iter(range(1, 10_000))


def _write_rules(directory: Path, data: Any) -> None:
    path = directory / "rules.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    # Move the mtime forward explicitly: coarse file-system clocks must not hide the change.
    stamp = path.stat().st_mtime_ns + next(_bump) * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def _with_laptop_rule(directory: Path, version: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "rules.json").read_text())
    data["version"] = version
    data["rules"].append(
        {
            "id": "laptops-to-sanitary",
            "description": "test",
            "recipients": ["sanitary"],
            "when": {"hsPrefixes": ["8471"]},
        }
    )
    return data


def test_change_is_picked_up(routing_dir: Path) -> None:
    reloading = ReloadingTables(routing_dir, check_seconds=0)
    router = Router(reloading)
    assert router.route("consignment", LAPTOPS).recipient_ids() == ("customs", "border-guard")
    _write_rules(routing_dir, _with_laptop_rule(routing_dir, 2))
    decision = router.route("consignment", LAPTOPS)
    assert decision.recipient_ids() == ("customs", "border-guard", "sanitary")
    assert decision.rules_version == 2


def test_invalid_new_version_keeps_the_old_rules_and_logs(routing_dir: Path) -> None:
    reloading = ReloadingTables(routing_dir, check_seconds=0)
    before = reloading.current()
    broken = _with_laptop_rule(routing_dir, 2)
    broken["rules"][-1]["when"]["hsPrefixes"] = ["847"]
    with structlog.testing.capture_logs() as logs:
        _write_rules(routing_dir, broken)
        assert reloading.current() is before
        assert reloading.current() is before  # logged once per bad version, not on every call
    assert [entry["event"] for entry in logs] == ["routing_reload_failed"]
    assert f"/rules/{len(broken['rules']) - 1}/when/hsPrefixes/0" in logs[0]["problems"]
    assert logs[0]["kept_rules_version"] == before.rules.version
    assert isinstance(reloading.last_error, ConfigurationError)

    _write_rules(routing_dir, "{ half a file")
    assert reloading.current() is before

    with structlog.testing.capture_logs() as logs:
        _write_rules(routing_dir, _shipped_rules(version=3))
        assert reloading.current().rules.version == 3
    assert [entry["event"] for entry in logs] == ["routing_reloaded"]
    assert reloading.last_error is None


def _shipped_rules(version: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shipped_dir() / "rules.json").read_text())
    data["version"] = version
    return data


def test_unknown_recipient_in_a_new_version_is_refused_too(routing_dir: Path) -> None:
    reloading = ReloadingTables(routing_dir, check_seconds=0)
    shipped = reloading.current().rules.version
    data = _with_laptop_rule(routing_dir, shipped + 1)
    data["rules"][-1]["recipients"] = ["fisheries"]
    _write_rules(routing_dir, data)
    assert reloading.current().rules.version == shipped


def test_first_load_must_succeed(routing_dir: Path) -> None:
    _write_rules(routing_dir, {"version": 1, "rules": []})
    with pytest.raises(ConfigurationError, match="/rules"):
        ReloadingTables(routing_dir, check_seconds=0)

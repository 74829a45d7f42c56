"""``nsw amend FILE --submission ID [--watch]``: a new version of a submission through the hub's HTTP API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner, Result

from singlewindow.platform.cli.main import cli

from ..api.conftest import EXAMPLES, Env


async def nsw(env: Env, *args: str, who: str = "trader-a") -> Result:
    runner = CliRunner()
    environment = {"NSW_TOKEN": env.tokens[who], "NSW_HUB_URL": f"http://127.0.0.1:{env.http_listener.port}"}
    return await asyncio.to_thread(runner.invoke, cli, list(args), env=environment, catch_exceptions=False)


def _apples() -> dict[str, object]:
    return json.loads(next(p for p in EXAMPLES if "apples" in p.name).read_text())  # type: ignore[no-any-return]


async def _cleared(env: Env, tmp_path: Path) -> tuple[str, dict[str, object]]:
    document = _apples()
    file = tmp_path / "apples.json"
    file.write_text(json.dumps(document))
    result = await nsw(env, "submit", str(file), "--watch", "--json")
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert (final["status"], final["version"]) == ("CLEARED", 1)
    return str(final["submissionId"]), document


async def test_amend_watch_follows_the_new_version_to_its_decision(env: Env, tmp_path: Path) -> None:
    submission_id, document = await _cleared(env, tmp_path)
    document["traderReference"] = f"{document['traderReference']}-corrected"
    amended = tmp_path / "amended.json"
    amended.write_text(json.dumps(document))

    result = await nsw(env, "amend", str(amended), "--submission", submission_id, "--watch")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"amended: {submission_id} version 2 (RECEIVED)"
    assert any(line.startswith(f"{submission_id}  CLEARED  version 2") for line in lines)

    shown = json.loads((await nsw(env, "status", submission_id, "--json")).stdout)
    assert (shown["status"], shown["version"]) == ("CLEARED", 2)


async def test_amend_without_watch_answers_at_once_in_json(env: Env, tmp_path: Path) -> None:
    submission_id, document = await _cleared(env, tmp_path)
    amended = tmp_path / "amended.json"
    amended.write_text(json.dumps(document))
    same = await nsw(env, "amend", str(amended), "--submission", submission_id, "--json")
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["version"] == 1  # the same document again is no new version

    document["traderReference"] = f"{document['traderReference']}-2"
    amended.write_text(json.dumps(document))
    result = await nsw(env, "amend", str(amended), "--submission", submission_id, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["submissionId"], answer["version"]) == (submission_id, 2)
    assert (await env.wait_terminal("trader-a", submission_id))["version"] == 2


async def test_amend_that_changes_the_ucr_prints_the_problem_and_exits_1(env: Env, tmp_path: Path) -> None:
    submission_id, document = await _cleared(env, tmp_path)
    document["ucr"] = str(document["ucr"])[:-1] + "Z"
    amended = tmp_path / "amended.json"
    amended.write_text(json.dumps(document))
    result = await nsw(env, "amend", str(amended), "--submission", submission_id)
    assert result.exit_code == 1
    assert "  /ucr: " in result.stderr and result.stderr.rstrip().endswith("(immutable)")


async def test_amend_needs_the_submission_and_a_json_file(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "not.json"
    file.write_text("{not json")
    missing = await nsw(env, "amend", str(file))
    assert missing.exit_code == 2 and "--submission" in missing.output
    broken = await nsw(env, "amend", str(file), "--submission", "s_1")
    assert broken.exit_code == 2 and "is not a JSON document" in broken.output
    absent = await nsw(env, "amend", str(tmp_path / "absent.json"), "--submission", "s_1")
    assert absent.exit_code == 2 and "does not exist" in absent.output

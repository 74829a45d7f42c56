"""``nsw submit|status|cancel|answer`` against a hub's HTTP listener (the CLI runs in a worker thread)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonpatch
from click.testing import CliRunner, Result

from singlewindow.platform.cli.main import cli
from singlewindow.platform.specs import Catalog

from .conftest import EXAMPLES, Env


async def nsw(env: Env, *args: str, who: str = "trader-a") -> Result:
    runner = CliRunner()
    environment = {"NSW_TOKEN": env.tokens[who], "NSW_HUB_URL": f"http://127.0.0.1:{env.http_listener.port}"}
    return await asyncio.to_thread(runner.invoke, cli, list(args), env=environment, catch_exceptions=False)


async def test_submit_watch_status_and_cancel(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "apples.json"
    file.write_text(next(p for p in EXAMPLES if "apples" in p.name).read_text())
    result = await nsw(env, "submit", str(file), "--watch", "--json")
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert final["status"] == "CLEARED"

    text = await nsw(env, "status", final["submissionId"])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0].startswith(f"{final['submissionId']}  CLEARED  version 1")
    assert {line.split()[0] for line in text.stdout.splitlines()[1:]} == {
        "border-guard",
        "customs",
        "phytosanitary",
        "sanitary",
    }
    again = await nsw(env, "submit", str(file))
    assert again.exit_code == 0 and f"already received: {final['submissionId']}" in again.stdout

    refused = await nsw(env, "cancel", final["submissionId"], "--reason", "late")
    assert refused.exit_code == 1 and "already CLEARED" in refused.stderr
    foreign = await nsw(env, "status", final["submissionId"], who="trader-b")
    assert foreign.exit_code == 1 and foreign.stderr.startswith("error: ")


async def test_invalid_document_prints_each_problem_and_exits_1(env: Env, tmp_path: Path) -> None:
    case_path = next(p for p in Catalog().get("consignment").invalid_examples if "hs-code" in p.name)
    case = json.loads(case_path.read_text())
    base = json.loads((case_path.parent.parent / case["base"]).read_text())
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(jsonpatch.apply_patch(base, case["patch"])))
    result = await nsw(env, "submit", str(file))
    assert result.exit_code == 1
    assert f"  {case['expect']['path']}: " in result.stderr
    assert result.stderr.rstrip().endswith(f"({case['expect']['code']})")


async def test_missing_token_is_a_usage_error(env: Env, tmp_path: Path) -> None:
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, cli, ["status", "s_1"], env={"NSW_TOKEN": ""})
    assert result.exit_code == 2 and "no token" in result.output


async def test_answer_a_query(env: Env, tmp_path: Path) -> None:
    document = json.loads(next(p for p in EXAMPLES if "apples" in p.name).read_text())
    document["ucr"] = document["ucr"][:-1] + "Q"  # the conftest policy: sanitary asks
    file = tmp_path / "query.json"
    file.write_text(json.dumps(document))
    submitted = await nsw(env, "submit", str(file), "--json")
    submission_id = json.loads(submitted.stdout)["submissionId"]
    assert (await env.wait_terminal("trader-a", submission_id))["status"] == "HELD"
    shown = await nsw(env, "status", submission_id)
    assert "Which cold store receives the goods? [fields: /consignee]" in shown.stdout
    as_json = json.loads((await nsw(env, "status", submission_id, "--json")).stdout)
    (sanitary,) = (r for r in as_json["recipients"] if r["recipient"] == "sanitary")
    assert sanitary["decision"]["query"]["fields"] == ["/consignee"]
    answered = await nsw(env, "answer", submission_id, "sanitary", "Cold store 7")
    assert answered.exit_code == 0, answered.output
    assert (await env.wait_terminal("trader-a", submission_id))["status"] == "CLEARED"

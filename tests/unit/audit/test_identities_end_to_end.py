"""Through the embedded hub (in-memory broker validating user_id, every agency's adapter deciding): each
entry of the history names who acted, the agency decisions under the agency's own broker user, and the
chain verifies."""

from __future__ import annotations

from singlewindow.platform.audit.verify import verify

from ..api.conftest import Env, env, example  # noqa: F401  (the fixture, re-exported for this folder)


async def test_every_entry_names_who_acted_and_the_chain_verifies(env: Env) -> None:  # noqa: F811
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": example("apples")},
        headers=env.headers("trader-a"),
    )
    submission_id = response.json()["submission"]["submissionId"]
    assert (await env.wait_terminal("trader-a", submission_id))["status"] == "CLEARED"
    hub = env.embedded.hub
    trader = (await hub.principals.get("trader-a")).id
    history = await hub.events.of(submission_id)
    users = {agency.id: agency.broker_user for agency in env.embedded.catalogue.agencies()}
    decisions = [(e.recipient, e.actor) for e in history if e.kind == "DECISION"]
    assert decisions and all(actor == users[recipient] for recipient, actor in decisions)
    assert [(e.kind, e.actor) for e in history if e.kind in ("SUBMITTED", "ROUTED")] == [
        ("SUBMITTED", trader),
        ("ROUTED", "router"),
    ]
    assert all(e.actor for e in history)
    report = await verify(hub.engine, [], submission_id)
    assert (report.findings, report.links) == ([], len(history))

"""The management API client: paths, bodies, and HTTP errors translated into the project's tree."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from singlewindow.platform.catalogue import RecipientKind, load_catalogue
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import (
    AccessDenied,
    BrokerUnavailable,
    ConfigurationError,
    NotFound,
    Unauthenticated,
)
from singlewindow.platform.topology import management, names
from singlewindow.platform.topology.management import ManagementClient


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> ManagementClient:
    return ManagementClient("http://rabbit:15672/", "admin", "secret", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, Unauthenticated),
        (403, AccessDenied),
        (404, NotFound),
        (400, ConfigurationError),
        (500, BrokerUnavailable),
        (503, BrokerUnavailable),
    ],
)
async def test_http_errors_become_project_errors(status: int, error: type[Exception]) -> None:
    reason = {"error": "x", "reason": "inequivalent arg 'type' for exchange 'nsw.agency'"}
    async with _client(lambda request: httpx.Response(status, json=reason)) as client:
        with pytest.raises(error, match=f"declare exchange 'nsw.agency': HTTP {status} inequivalent arg"):
            await client.put_exchange("/", "nsw.agency", "fanout", durable=True, arguments={})


async def test_an_unreachable_api_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with _client(refuse) as client:
        with pytest.raises(BrokerUnavailable, match="unreachable"):
            await client.put_vhost("kz")


async def test_the_default_vhost_and_names_are_escaped_in_paths() -> None:
    seen: list[tuple[str, str, Any]] = []

    def record(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.raw_path.decode(), body))
        return httpx.Response(201)

    async with _client(record) as client:
        await client.put_policy("/", "nsw.inbox.customs", "^a$", {"max-length": 5}, "queues", 10)
        await client.bind("/", "nsw.agency", "agency.customs.inbox", "customs", {})
    assert seen == [
        (
            "PUT",
            "/api/policies/%2F/nsw.inbox.customs",
            {"pattern": "^a$", "definition": {"max-length": 5}, "apply-to": "queues", "priority": 10},
        ),
        ("POST", "/api/bindings/%2F/e/nsw.agency/q/agency.customs.inbox", {"routing_key": "customs", "arguments": {}}),
    ]


class FakeUsersApi:
    """Just enough of /api/users and /api/permissions to run ``nsw topology users``."""

    def __init__(self, existing: set[str]) -> None:
        self.users: dict[str, dict[str, Any]] = {name: {"password": "old"} for name in existing}
        self.permissions: dict[tuple[str, str], dict[str, Any]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.raw_path.decode().split("/")[2:]
        if parts[0] == "users":
            name = parts[1]
            if request.method == "GET":
                return httpx.Response(200, json={"name": name}) if name in self.users else httpx.Response(404)
            self.users[name] = json.loads(request.content)
            return httpx.Response(201)
        key = (parts[1], parts[2])
        if request.method == "GET":
            return httpx.Response(200, json=self.permissions[key])
        self.permissions[key] = json.loads(request.content)
        return httpx.Response(201)


def test_the_users_command_prints_new_passwords_once(monkeypatch: pytest.MonkeyPatch) -> None:
    api = FakeUsersApi(existing={"nsw-agency-customs"})
    monkeypatch.setattr(
        management.ManagementClient,
        "from_settings",
        classmethod(lambda cls, broker: _client(api)),
    )
    result = CliRunner().invoke(cli, ["topology", "users", "--vhost", "kz"])
    assert result.exit_code == 0, result.output
    printed = dict(line.split("\t") for line in result.stdout.strip().splitlines())
    partners = [names.partner_key(r.id) for r in load_catalogue().recipients if r.kind is RecipientKind.PARTNER]
    assert set(printed) == {
        "nsw-hub",
        "nsw-agency-border-guard",
        "nsw-agency-veterinary",
        "nsw-agency-phytosanitary",
        "nsw-agency-sanitary",
        *(f"nsw-partner-{key}" for key in partners),  # a partner hub's gateway
        *(names.link_user(key) for key in partners),  # and the user its Shovel writes to us as
    }
    assert all(api.users[name]["password"] == password for name, password in printed.items())
    assert api.users["nsw-agency-customs"] == {"password": "old"}, "an existing user keeps its password"
    assert "nsw-agency-customs\t(exists; password unchanged" in result.stderr
    assert api.permissions[("kz", "nsw-agency-customs")] == {
        "configure": "^$",
        "write": r"^(nsw\.decisions|nsw\.retry\.customs)$",  # no dead-letter exchange, its own neither
        "read": r"^agency\.customs\.inbox$",
    }

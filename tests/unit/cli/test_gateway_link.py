"""``nsw gateway link | unlink | link-status`` against a fake management API: the shovel definition the
brief asks for, the password never printed (nor in errors), and the states reported."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.gateway_link import link_state
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import Settings
from singlewindow.platform.topology import management
from singlewindow.platform.topology.link import destination_uri, local_uri, shovel_definition
from singlewindow.platform.topology.management import ManagementClient

PASSWORD = "s3cret/p@ss:word"


class FakeShovelApi:
    """Just enough of ``/api/parameters/shovel`` and ``/api/shovels`` for one vhost."""

    def __init__(self, state: str = "running", put_error: str | None = None) -> None:
        self.parameters: dict[str, Any] = {}
        self.state = state
        self.put_error = put_error
        self.calls: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        self.calls.append((request.method, path))
        if path.startswith("/api/parameters/shovel/"):
            name = path.rsplit("/", 1)[1]
            if request.method == "PUT":
                if self.put_error:
                    return httpx.Response(400, json={"error": "bad_request", "reason": self.put_error})
                self.parameters[name] = json.loads(request.content)["value"]
                return httpx.Response(201)
            if request.method == "DELETE":
                found = self.parameters.pop(name, None) is not None
                return httpx.Response(204) if found else httpx.Response(404, json={})
        if path.startswith("/api/shovels/"):
            vhost = path.rsplit("/", 1)[1]
            listed = [{"name": n, "vhost": vhost.replace("%2F", "/"), "state": self.state} for n in self.parameters]
            return httpx.Response(200, json=listed)
        return httpx.Response(404, json={"reason": "not faked"})


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeShovelApi:
    fake = FakeShovelApi()
    for variable in [v for v in __import__("os").environ if v.startswith("NSW_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("LINK_PASSWORD", PASSWORD)
    monkeypatch.setenv("NSW_BROKER__VHOST", "kz-nsw")
    monkeypatch.setattr(management.ManagementClient, "from_settings", classmethod(lambda cls, broker: _client(fake)))
    monkeypatch.setattr("singlewindow.platform.cli.gateway_link._partners", lambda settings: ["cn"])
    return fake


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> ManagementClient:
    return ManagementClient("http://rabbit:15672/", "admin", "secret", transport=httpx.MockTransport(handler))


def test_the_destination_uri_carries_the_link_user_and_the_vhost_encoded() -> None:
    uri = destination_uri("amqps://gw.example.cn:5671?cacertfile=/ca.pem", "nsw-link-kz", PASSWORD, "/cn-sw")
    assert uri == "amqps://nsw-link-kz:s3cret%2Fp%40ss%3Aword@gw.example.cn:5671/%2Fcn-sw?cacertfile=/ca.pem"
    assert destination_uri("amqp://h:5672/%2Fcn-sw", "u", "p") == "amqp://u:p@h:5672/%2Fcn-sw"
    assert destination_uri("amqp://h/%2Fcn-sw", "u", "p", "/cn-sw") == "amqp://u:p@h/%2Fcn-sw"
    assert local_uri("kz-nsw") == "amqp:///kz-nsw" and local_uri("/") == "amqp:///%2F"


@pytest.mark.parametrize(
    ("uri", "vhost", "problem"),
    [
        ("http://h:5672", "/v", "amqp://host"),
        ("amqp://u:p@h:5672", "/v", "must not carry credentials"),
        ("amqp://h:5672", None, "name the partner's vhost"),
        ("amqp://h:5672/one", "two", "name one"),
    ],
)
def test_bad_partner_uris_are_refused(uri: str, vhost: str | None, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        destination_uri(uri, "nsw-link-kz", "pw", vhost)


def test_the_shovel_definition() -> None:
    definition = shovel_definition("kz-nsw", "cn", "kz", "amqps://x")
    assert definition == {
        "src-protocol": "amqp091",
        "src-uri": "amqp:///kz-nsw",
        "src-queue": "crossborder.out.cn",
        "src-delete-after": "never",
        "dest-protocol": "amqp091",
        "dest-uri": "amqps://x",
        "dest-exchange": "crossborder.in.kz",
        "dest-add-forward-headers": False,
        "ack-mode": "on-confirm",
        "reconnect-delay": 1,
    }


def test_link_puts_the_shovel_waits_and_never_prints_the_password(api: FakeShovelApi) -> None:
    args = ["gateway", "link", "--partner", "CN", "--uri", "amqps://gw.example.cn:5671"]
    result = CliRunner().invoke(cli, [*args, "--partner-vhost", "/cn-sw", "--link-password-env", "LINK_PASSWORD"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "nsw-crossborder-cn\trunning\n"
    assert PASSWORD not in result.output and "s3cret" not in result.output
    definition = api.parameters["nsw-crossborder-cn"]
    assert definition["dest-uri"] == "amqps://nsw-link-kz:s3cret%2Fp%40ss%3Aword@gw.example.cn:5671/%2Fcn-sw"
    assert (definition["src-uri"], definition["dest-exchange"]) == ("amqp:///kz-nsw", "crossborder.in.kz")
    assert ("PUT", "/api/parameters/shovel/kz-nsw/nsw-crossborder-cn") in api.calls


def test_link_defaults_to_the_partner_profile(api: FakeShovelApi) -> None:
    result = CliRunner().invoke(cli, ["gateway", "link", "--partner", "cn", "--link-password-env", "LINK_PASSWORD"])
    assert result.exit_code == 0, result.output
    assert api.parameters["nsw-crossborder-cn"]["dest-uri"].endswith("@gw.example.cn:5671/%2Fcn-sw")


def test_a_link_that_does_not_run_exits_1_and_errors_hide_the_password(api: FakeShovelApi) -> None:
    api.state = "starting"
    args = ["gateway", "link", "--partner", "CN", "--uri", "amqp://h/%2Fv", "--link-password-env", "LINK_PASSWORD"]
    result = CliRunner().invoke(cli, [*args, "--wait", "0.3"])
    assert result.exit_code == 1
    assert "nsw-crossborder-cn\tstarting" in result.stdout and "retries" in result.stderr
    api.put_error = f"Validation failed: amqp://nsw-link-kz:{PASSWORD}@h/%2Fv is not a valid URI"
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigurationError)
    assert PASSWORD not in str(result.exception) and "amqp://nsw-link-kz:***@h/%2Fv" in str(result.exception)


def test_link_refuses_what_is_not_a_partner_and_a_missing_password(api: FakeShovelApi) -> None:
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["gateway", "link", "--partner", "UZ", "--uri", "amqp://h/v", "--link-password-env", "LINK_PASSWORD"]
    )
    assert isinstance(unknown.exception, ConfigurationError) and "partner-uz" in str(unknown.exception)
    ours = runner.invoke(
        cli, ["gateway", "link", "--partner", "KZ", "--uri", "amqp://h/v", "--link-password-env", "LINK_PASSWORD"]
    )
    assert ours.exit_code == 2 and "own country" in ours.output
    missing = runner.invoke(
        cli, ["gateway", "link", "--partner", "CN", "--uri", "amqp://h/v", "--link-password-env", "NOPE"]
    )
    assert missing.exit_code == 2 and "NOPE is not set" in missing.output
    assert api.parameters == {}


def test_unlink_status_and_link_state(api: FakeShovelApi) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["gateway", "link-status"]).stdout == "CN\tnsw-crossborder-cn\tabsent\n"
    assert asyncio.run(link_state("CN", Settings())) == "absent"
    api.parameters["nsw-crossborder-cn"] = {}
    status = runner.invoke(cli, ["gateway", "link-status", "--partner", "CN"])
    assert (status.exit_code, status.stdout) == (0, "CN\tnsw-crossborder-cn\trunning\n")
    assert asyncio.run(link_state("cn", Settings())) == "running"
    assert runner.invoke(cli, ["gateway", "unlink", "--partner", "CN"]).stdout == "nsw-crossborder-cn\tremoved\n"
    assert runner.invoke(cli, ["gateway", "unlink", "--partner", "CN"]).stdout == "nsw-crossborder-cn\tabsent\n"
    assert runner.invoke(cli, ["gateway", "link-status"]).exit_code == 1

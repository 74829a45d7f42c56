"""``nsw dlq`` with a partner hub in the catalogue: the partner's inbox DLQ is listed and replayable like an
agency's; the cross-border link DLQs are listed and shown but never replayed (the gateway re-sends)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from singlewindow.platform.cli import dlq as dlq_cli
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import ConfigurationError


class FakeManagement:
    """The management API's answers for a vhost where every queue exists; one link dead letter waits."""

    queues: list[str] = []

    @classmethod
    def from_settings(cls, broker: Any) -> FakeManagement:
        return cls()

    async def __aenter__(self) -> FakeManagement:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None

    async def list_queues(self, vhost: str) -> list[dict[str, Any]]:
        return [
            {"name": name, "messages": 1 if name == "crossborder.cn.dlq" else 0, "consumers": 0} for name in self.queues
        ]

    async def peek_messages(self, vhost: str, queue: str, count: int) -> list[dict[str, Any]]:
        if queue != "crossborder.cn.dlq":
            return []
        death = {"queue": "crossborder.out.cn", "reason": "delivery_limit", "exchange": "crossborder.out.cn"}
        headers = {"x-death": [{**death, "routing-keys": ["cn"]}]}
        return [{"properties": {"message_id": "env-1", "headers": headers}, "payload": "{}"}]


@pytest.fixture
def management(monkeypatch: pytest.MonkeyPatch) -> type[FakeManagement]:
    monkeypatch.setattr(dlq_cli, "ManagementClient", FakeManagement)
    table = dlq_cli._table(dlq_cli.Settings())
    FakeManagement.queues = [q.name for q in table.queues]
    return FakeManagement


def nsw(*args: str) -> Result:
    return CliRunner().invoke(cli, ["dlq", *args], env={"NSW_CONFIG_FILE": "", "NSW_BROKER__URL": ""})


def test_list_shows_the_partner_inbox_dlq_and_the_link_dlqs(management: type[FakeManagement]) -> None:
    result = nsw("list", "--vhost", "/kz")
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line.split("\t")[1] for line in result.output.splitlines()}
    assert lines["agency.partner-cn.dlq"] == "0"
    assert lines["agency.customs.dlq"] == "0"
    assert lines["crossborder.cn.dlq"] == "1"
    one = nsw("list", "--vhost", "/kz", "--queue", "crossborder.cn.dlq")
    assert one.output.splitlines() == ["crossborder.cn.dlq\t1\t0 consumer(s)"]


def test_show_looks_at_a_link_dlq(management: type[FakeManagement]) -> None:
    result = nsw("show", "--vhost", "/kz", "--queue", "crossborder.cn.dlq")
    assert result.exit_code == 0, result.output
    assert '"message_id": "env-1"' in result.output and '"broker_reason": "delivery_limit"' in result.output


def test_a_link_dlq_is_not_replayed_and_the_refusal_says_how_to_resend(management: type[FakeManagement]) -> None:
    result = nsw("replay", "--vhost", "/kz", "--queue", "crossborder.cn.dlq")
    assert isinstance(result.exception, ConfigurationError)
    assert "is not replayed" in str(result.exception) and "unreceipted ones again" in str(result.exception)
    helped = nsw("list", "--help")
    assert "crossborder.<partner>.dlq" in helped.output and "resend" in helped.output.replace("\n", " ")


def test_the_partner_inbox_dlq_is_replayable() -> None:
    assert "agency.partner-cn.dlq" in dlq_cli._queues(dlq_cli.Settings(), "agency.partner-cn.dlq", links=False)

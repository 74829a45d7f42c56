"""Several nodes of one RabbitMQ cluster: the settings that name them, the transport's choice of node, and
the new publish channel after a nack (a quorum queue's leader moved).

No broker runs here: connecting to a node is replaced by a fake that refuses the nodes marked down, so the
order in which the transport tries nodes, at start and after a lost connection, is read exactly.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from pika.spec import Basic
from pydantic import ValidationError

from singlewindow.platform.errors import BrokerUnavailable, ConfigurationError
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.transport import OutgoingMessage, rabbitmq
from singlewindow.platform.transport.confirms import PendingPublish
from singlewindow.platform.transport.rabbitmq import RabbitMqTransport, _Chan, _Link

NODES = ("amqp://hub:pw@10.0.0.1:5672/nsw", "amqp://hub:pw@10.0.0.2:5673/nsw", "amqp://hub:pw@10.0.0.3:5674/nsw")


def test_node_urls_are_url_then_urls_in_order() -> None:
    settings = BrokerSettings(url=NODES[0], urls=NODES[1:])
    assert settings.node_urls == NODES
    assert BrokerSettings(url=NODES[0]).node_urls == NODES[:1]
    assert BrokerSettings().node_urls == ()


def test_urls_come_from_a_json_list_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NSW_BROKER__URL", NODES[0])
    monkeypatch.setenv("NSW_BROKER__URLS", '["amqp://hub:pw@10.0.0.2:5673/nsw", "amqp://hub:pw@10.0.0.3:5674/nsw"]')
    assert Settings().broker.node_urls == NODES


def test_urls_without_url_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        BrokerSettings(urls=NODES[1:])
    assert "broker.urls names further cluster nodes: broker.url (the first node) must be set too" in str(refused.value)


def test_a_url_of_another_scheme_is_refused_without_quoting_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        BrokerSettings(url=NODES[0], urls=(NODES[1], "http://hub:secret@10.0.0.3:15672/"))
    message = str(refused.value)
    assert "broker.urls entry 2 has scheme 'http'; expected amqp or amqps" in message
    assert "secret" not in message


async def test_connect_gives_every_node_the_same_vhost_user_and_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_start(_transport: RabbitMqTransport) -> None:
        return None

    monkeypatch.setattr(RabbitMqTransport, "start", no_start)
    settings = BrokerSettings(url="amqp://10.0.0.1:5672/", urls=("amqp://10.0.0.2:5673",), heartbeat_seconds=7)
    transport = await rabbitmq.connect(settings, vhost="nsw", username="nsw-agency-customs", password="pw")
    nodes = transport._nodes
    assert [(p.host, p.port) for p in nodes] == [("10.0.0.1", 5672), ("10.0.0.2", 5673)]
    assert {(p.virtual_host, p.credentials.username, p.credentials.password, p.heartbeat) for p in nodes} == {
        ("nsw", "nsw-agency-customs", "pw", 7)
    }
    assert transport.user == "nsw-agency-customs"


def transport_of(nodes: list[Any], reconnect_max_seconds: float = 0.01) -> RabbitMqTransport:
    return RabbitMqTransport(
        nodes, confirm_window=10, reconnect_max_seconds=reconnect_max_seconds, publish_timeout=5, max_sends=5
    )


class FakeCluster:
    """Stands in for AsyncioConnection: refuses the ports in ``down``, records every port tried."""

    def __init__(self, *down: int) -> None:
        self.down = set(down)
        self.tried: list[int] = []
        self.links: list[_Link] = []

    async def open(self, parameters: Any) -> _Link:
        self.tried.append(parameters.port)
        if parameters.port in self.down:
            raise BrokerUnavailable(f"connection refused by port {parameters.port}")
        closed: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()
        connection = SimpleNamespace(is_open=True, close=lambda: closed.set_result(ConnectionAbortedError("closed")))
        link = _Link(connection, closed)
        self.links.append(link)
        return link


def cluster_transport(monkeypatch: pytest.MonkeyPatch, fake: FakeCluster) -> RabbitMqTransport:
    hub = SimpleNamespace(username="hub")
    nodes = [SimpleNamespace(host="127.0.0.1", port=port, credentials=hub) for port in (1, 2, 3)]
    transport = transport_of(nodes)

    async def setup(link: _Link) -> None:
        transport.link = link
        transport._connected.set()

    monkeypatch.setattr(transport, "_open_link_to", fake.open)
    monkeypatch.setattr(transport, "_setup", setup)
    return transport


async def test_start_goes_to_the_first_node_that_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeCluster(1)
    transport = cluster_transport(monkeypatch, fake)
    await transport.start()
    assert fake.tried == [1, 2]
    assert transport.node == "127.0.0.1:2"
    await transport.close()


async def test_start_fails_with_the_last_refusal_when_no_node_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeCluster(1, 2, 3)
    transport = cluster_transport(monkeypatch, fake)
    with pytest.raises(BrokerUnavailable, match=r"^connection refused by port 3$"):
        await transport.start()
    assert fake.tried == [1, 2, 3]


async def test_a_lost_connection_reconnects_to_the_next_node_first(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeCluster()
    transport = cluster_transport(monkeypatch, fake)
    await transport.start()
    fake.down.add(2)  # the next node is down too: the one after it takes the connection
    fake.links[0].closed.set_result(ConnectionResetError("node 1 killed"))
    async with asyncio.timeout(5):
        while len(fake.links) < 2:  # noqa: ASYNC110 (the supervisor task's progress)
            await asyncio.sleep(0.001)
    assert fake.tried == [1, 2, 3]
    assert transport.node == "127.0.0.1:3"
    assert transport.reconnects == 1
    await transport.close()


def test_a_transport_needs_a_node() -> None:
    with pytest.raises(ConfigurationError, match="needs at least one node"):
        transport_of([])


def test_an_invalid_url_in_the_environment_is_not_quoted_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NSW_BROKER__URL", NODES[0])
    monkeypatch.setenv("NSW_BROKER__URLS", '["ftp://hub:secret@10.0.0.2/"]')
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "broker.urls entry 1 has scheme 'ftp'; expected amqp or amqps" in str(refused.value)
    assert "secret" not in str(refused.value)


class ClosingChannel:
    """A publish channel that counts the closes asked of it."""

    def __init__(self) -> None:
        self.is_open = True
        self.closes = 0

    def close(self) -> None:
        self.closes += 1


def confirm(tag: int, *, ack: bool) -> Any:
    method = Basic.Ack(delivery_tag=tag) if ack else Basic.Nack(delivery_tag=tag)
    return SimpleNamespace(method=method)


async def test_a_nack_closes_the_publish_channel_once_and_the_message_waits_for_the_next() -> None:
    transport = transport_of([SimpleNamespace(credentials=SimpleNamespace(username="hub"))])
    channel = ClosingChannel()
    transport._publish_chan = _Chan(channel, asyncio.get_running_loop().create_future())
    loop = asyncio.get_running_loop()
    items = [PendingPublish(OutgoingMessage("ex", "k", b"", message_id=f"m{n}"), loop.create_future()) for n in "123"]
    for item in items:
        transport._tracker.add(item)
        transport._tracker.sent(next(transport._tracker.take_unsent()))
    transport._on_confirm(confirm(1, ack=True))
    assert channel.closes == 0
    transport._on_confirm(confirm(2, ack=False))
    transport._on_confirm(confirm(3, ack=False))
    assert channel.closes == 1  # closed at its first nack; the second nack on it changes nothing
    assert items[0].future.result() is None
    assert not items[1].future.done() and not items[2].future.done()
    assert list(transport._tracker.take_unsent()) == [items[2], items[1]]  # resent on the next channel


async def test_the_channel_after_a_nack_waits_longer_each_time_until_an_ack(monkeypatch: pytest.MonkeyPatch) -> None:
    transport = transport_of([SimpleNamespace(credentials=SimpleNamespace(username="hub"))], reconnect_max_seconds=30)
    transport.link = _Link(SimpleNamespace(is_open=True), asyncio.get_running_loop().create_future())
    pauses: list[float] = []

    async def reopen(_link: _Link, pause: float = 0.0) -> None:
        pauses.append(pause)

    monkeypatch.setattr(transport, "_reopen_publish_channel", reopen)
    for _ in range(3):
        chan = _Chan(ClosingChannel(), asyncio.get_running_loop().create_future())
        transport._publish_chan = chan
        transport._on_confirm(confirm(1, ack=False))  # nothing pending under tag 1: only the channel reacts
        transport._on_publish_channel_closed(chan, ConnectionAbortedError("closed by the client"))
        await asyncio.sleep(0)
    transport._on_confirm(confirm(2, ack=True))
    chan = _Chan(ClosingChannel(), asyncio.get_running_loop().create_future())
    transport._publish_chan = chan
    transport._on_publish_channel_closed(chan, ConnectionAbortedError("lost"))  # not after a nack: no pause
    await asyncio.sleep(0)
    assert len(pauses) == 4
    assert 0.25 <= pauses[0] <= 0.5 and 0.5 <= pauses[1] <= 1.0 and 1.0 <= pauses[2] <= 2.0
    assert pauses[3] == 0.0
    assert transport._nack_backoff.attempt == 0

"""``nsw dlq replay`` moves the broker settings to the DLQ's vhost: on a cluster, every node's URL moves."""

from __future__ import annotations

from singlewindow.platform.cli.dlq import _on_vhost
from singlewindow.platform.settings import BrokerSettings, Settings


def test_every_node_url_moves_to_the_replay_vhost() -> None:
    broker = BrokerSettings(url="amqp://hub:pw@n1:5672/nsw", urls=("amqp://hub:pw@n2:5673/nsw", "amqp://n3:5674"))
    moved = _on_vhost(Settings(broker=broker), "kz/partner").broker
    assert moved.node_urls == (
        "amqp://hub:pw@n1:5672/kz%2Fpartner",
        "amqp://hub:pw@n2:5673/kz%2Fpartner",
        "amqp://n3:5674/kz%2Fpartner",
    )
    assert moved.vhost == "kz/partner"


def test_without_a_broker_the_settings_stay_as_they_are() -> None:
    settings = Settings()
    assert _on_vhost(settings, "other") is settings

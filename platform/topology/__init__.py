"""The broker topology as one declarative table, built from the recipients catalogue and applied by
``nsw topology declare`` (RabbitMQ through its management API, or the in-memory broker)."""

from singlewindow.platform.topology.build import build_topology
from singlewindow.platform.topology.model import (
    Binding,
    Exchange,
    ExchangeType,
    Permission,
    Policy,
    Queue,
    QueueType,
    Topology,
    User,
)

__all__ = [
    "Binding",
    "Exchange",
    "ExchangeType",
    "Permission",
    "Policy",
    "Queue",
    "QueueType",
    "Topology",
    "User",
    "build_topology",
]

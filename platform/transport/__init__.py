"""The broker transport: one small interface, a RabbitMQ implementation and an in-memory one."""

from singlewindow.platform.transport.base import (
    Delivery,
    DeliveryAlreadySettled,
    Handler,
    OutgoingMessage,
    QueueState,
    Subscription,
    Transport,
)
from singlewindow.platform.transport.confirms import ConfirmStats
from singlewindow.platform.transport.factory import open_transport
from singlewindow.platform.transport.memory import MemoryBroker, QueueInfo
from singlewindow.platform.transport.memory_policy import Policy
from singlewindow.platform.transport.memory_transport import MemoryTransport
from singlewindow.platform.transport.rabbitmq import RabbitMqTransport, connect

__all__ = [
    "ConfirmStats",
    "Delivery",
    "DeliveryAlreadySettled",
    "Handler",
    "MemoryBroker",
    "MemoryTransport",
    "OutgoingMessage",
    "Policy",
    "QueueInfo",
    "QueueState",
    "RabbitMqTransport",
    "Subscription",
    "Transport",
    "connect",
    "open_transport",
]

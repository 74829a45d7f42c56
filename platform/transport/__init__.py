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
from singlewindow.platform.transport.memory import MemoryBroker, QueueInfo
from singlewindow.platform.transport.memory_policy import Policy

__all__ = [
    "Delivery",
    "DeliveryAlreadySettled",
    "Handler",
    "MemoryBroker",
    "OutgoingMessage",
    "Policy",
    "QueueInfo",
    "QueueState",
    "Subscription",
    "Transport",
]

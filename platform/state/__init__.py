"""The hub's state: submissions and their versions, recipients, events, the outbox."""

from singlewindow.platform.state.events import EventLog, HubEvent
from singlewindow.platform.state.outbox import Enqueued, OutboxMessage, OutboxRelay
from singlewindow.platform.state.recipients import RecipientStore, RoutedRecipient, StatusChange
from singlewindow.platform.state.submissions import (
    NewVersion,
    SubmissionRecord,
    SubmissionStore,
    VersionRecord,
)

__all__ = [
    "Enqueued",
    "EventLog",
    "HubEvent",
    "NewVersion",
    "OutboxMessage",
    "OutboxRelay",
    "RecipientStore",
    "RoutedRecipient",
    "StatusChange",
    "SubmissionRecord",
    "SubmissionStore",
    "VersionRecord",
]

"""Hub values as protobuf messages, and errors as google.rpc.Status with the hub's ``ErrorDetails``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import grpc
from google.protobuf import any_pb2, timestamp_pb2
from google.rpc import status_pb2
from grpc_status import rpc_status

from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.api.status_codes import error_code, error_message, problems_of, status_of
from singlewindow.platform.hub.views import RecipientView, SubmissionView
from singlewindow.platform.hub.watch import WatchItem

DETAILS_KEY = "grpc-status-details-bin"


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def recipient_message(view: RecipientView) -> pb.Recipient:
    return pb.Recipient(
        recipient=view.recipient,
        kind=view.kind,
        view=view.view,
        effective_status=view.effective_status,
        transport=view.transport,
        attempt=view.attempt,
        matched_rules=list(view.matched_rules),
        deadline_at=timestamp(view.deadline_at),
        decision_json=json.dumps(dict(view.decision), sort_keys=True) if view.decision is not None else "",
    )


def submission_message(view: SubmissionView) -> pb.Submission:
    return pb.Submission(
        submission_id=view.submission_id,
        declarant_id=view.declarant_id,
        trader_reference=view.trader_reference,
        document_type=view.document_type,
        ucr=view.ucr,
        version=view.version,
        status=view.status.value,
        status_sequence=view.status_sequence,
        terminal=view.terminal,
        cancelled=view.cancelled,
        created_at=timestamp(view.created_at),
        recipients=[recipient_message(r) for r in view.recipients],
    )


def watch_message(item: WatchItem) -> pb.WatchEvent:
    event = item.event
    return pb.WatchEvent(
        resume_token=item.resume_token,
        kind=event.kind,
        submission_id=event.submission_id,
        version=event.version,
        status=event.status or "",
        recipient=event.recipient or "",
        actor=event.actor or "",
        at=timestamp(event.at),
    )


def error_status(error: BaseException) -> grpc.Status:
    """The rich status of an error: code from the one table, ``ErrorDetails`` packed in the details."""
    details = pb.ErrorDetails(
        error=error_code(error),
        problems=[
            pb.Problem(path=p.path, code=p.code, message=p.message, severity=p.severity) for p in problems_of(error)
        ],
    )
    packed = any_pb2.Any()
    packed.Pack(details)
    code = status_of(error).grpc
    rich = status_pb2.Status(code=code.value[0], message=error_message(error), details=[packed])
    return rpc_status.to_status(rich)


def error_details(trailing_metadata: Iterable[tuple[str, str | bytes]] | None) -> pb.ErrorDetails | None:
    """Client side: the hub's ``ErrorDetails`` from an error's trailing metadata, if it sent one."""
    for key, value in trailing_metadata or ():
        if key == DETAILS_KEY and isinstance(value, bytes):
            rich = status_pb2.Status.FromString(value)
            for detail in rich.details:
                found = pb.ErrorDetails()
                if detail.Unpack(found):
                    return found
    return None

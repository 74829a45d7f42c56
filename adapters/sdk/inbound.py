"""Reading inbox messages: a view document, a query response or a cancellation notice, decoded and checked.

Anything the runtime cannot read (no message id, no hub headers, a body that is not framed Avro of the
announced view) is dead-lettered at once with the reason: no agency system can do better with it. The
runtime never publishes into a dead-letter exchange (it may not): a copy marked for dead-lettering goes
back into its own inbox and is rejected there, so the broker dead-letters it (``platform.retry``).
"""

from __future__ import annotations

from typing import Any

from singlewindow.adapters.sdk.documents import Cancellation, InboundDocument, QueryResponse
from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import (
    CANCELLATION_NOTICE,
    HEADER_ATTEMPT,
    HEADER_VERSION,
    QUERY_RESPONSE,
    header_int,
)
from singlewindow.platform.retry import (
    BROKER_HEADERS,
    LAST_ERROR_HEADER,
    MAX_ERROR_CHARS,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    REASON_HEADER,
    RetryRoute,
    dead_letter_later,
)
from singlewindow.platform.transport import Delivery, Transport

REFUSED = "document-refused"
"""``x-nsw-reason`` of a document the agency system (or the runtime) refused as malformed."""


KINDS = {"CANCELLED": "cancelled", "SUPERSEDED": "superseded", "DECISION_NOT_APPLIED": "decision-not-applied"}
"""The spec's notice kinds as ``Cancellation.kind`` spells them."""


def is_query_response(delivery: Delivery) -> bool:
    return delivery.type == QUERY_RESPONSE


def is_cancellation(delivery: Delivery) -> bool:
    return delivery.type == CANCELLATION_NOTICE


def message_id_of(delivery: Delivery) -> str:
    if not delivery.message_id:
        raise InvalidInput("inbox message without message_id: the hub always sets one")
    return delivery.message_id


async def read_document(delivery: Delivery, codec: DocumentCodec, agency: str) -> InboundDocument:
    message_id = message_id_of(delivery)
    view = delivery.type
    if not view:
        raise InvalidInput(f"inbox message {message_id} has no type (the view name)")
    body = await _decode(codec, view, delivery, whole_document=True)
    submission_id, version = _submission_of(body, delivery)
    return InboundDocument(
        message_id=message_id,
        agency=agency,
        view=view,
        submission_id=submission_id,
        version=version,
        ucr=str(body["ucr"]),
        attempt=header_int(delivery.headers, HEADER_ATTEMPT) or 1,
        body=body,
    )


async def read_query_response(delivery: Delivery, codec: DocumentCodec, agency: str) -> QueryResponse:
    message_id = message_id_of(delivery)
    body = await _decode(codec, QUERY_RESPONSE, delivery)
    return QueryResponse(
        message_id=message_id,
        agency=agency,
        submission_id=str(body["submissionId"]),
        version=int(body["submissionVersion"]),
        ucr=str(body["ucr"]),
        query_sequence=int(body["querySequence"]),
        answer=str(body["answer"]),
        body=body,
    )


async def read_cancellation(delivery: Delivery, codec: DocumentCodec, agency: str) -> Cancellation:
    """The notice with ``reference`` None; the runtime fills it from its stored hand-over."""
    message_id = message_id_of(delivery)
    body = await _decode(codec, CANCELLATION_NOTICE, delivery)
    superseded_by = body.get("supersededBy")
    return Cancellation(
        message_id=message_id,
        agency=agency,
        submission_id=str(body["submissionId"]),
        version=int(body["submissionVersion"]),
        ucr=str(body["ucr"]),
        reason=str(body.get("reason") or ""),
        kind=KINDS.get(str(body.get("kind")), str(body.get("kind")).lower()),
        superseded_by=int(superseded_by) if superseded_by is not None else None,
        reference=None,
    )


def _submission_of(body: dict[str, Any], delivery: Delivery) -> tuple[str, int]:
    """A view carries its submission id and version; a document sent whole (unprojected, to a partner or a
    ``documentViews`` "document" entry) does not, and the hub's message says them: correlation id and
    ``x-nsw-version``. Both must agree when both are there."""
    header_version = header_int(delivery.headers, HEADER_VERSION)
    if "submissionId" in body and "submissionVersion" in body:
        return str(body["submissionId"]), int(body["submissionVersion"])
    if not delivery.correlation_id or header_version is None:
        raise InvalidInput(
            f"{delivery.type} {delivery.message_id} names no submission (body or correlation id/version)"
        )
    return delivery.correlation_id, header_version


async def _decode(
    codec: DocumentCodec, document_type: str, delivery: Delivery, *, whole_document: bool = False
) -> dict[str, Any]:
    """The decoded body; a view or notice must name its submission, a whole document (``whole_document``)
    only its ucr (the submission comes from the message then)."""
    try:
        body = await codec.decode(document_type, delivery.body)
    except NotFound as exc:
        raise InvalidInput(f"unknown document type {document_type!r}: {exc.message}") from exc
    required = ("ucr",) if whole_document else ("submissionId", "submissionVersion", "ucr")
    missing = [key for key in required if key not in body]
    if missing:
        raise InvalidInput(f"{document_type} {delivery.message_id} lacks {', '.join(missing)}")
    return body


async def refuse(transport: Transport, delivery: Delivery, route: RetryRoute, reason: str) -> None:
    """Dead-letter ``delivery`` with ``reason``: a marked copy back into the inbox (confirm), then ack.

    The broker's own reject of the original would record only ``rejected``; the copy carries the reason as
    data, and its rejection (by whichever runtime instance receives it) makes the broker dead-letter it.
    """
    headers = {k: v for k, v in delivery.headers.items() if k not in BROKER_HEADERS}
    headers[REASON_HEADER] = REFUSED
    headers[LAST_ERROR_HEADER] = reason[:MAX_ERROR_CHARS]
    headers.setdefault(ORIGINAL_EXCHANGE_HEADER, delivery.exchange)
    headers.setdefault(ORIGINAL_ROUTING_KEY_HEADER, delivery.routing_key)
    await dead_letter_later(transport, delivery, route, REFUSED, headers)

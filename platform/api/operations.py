"""The submission operations as both APIs call them: authenticate, parse, delegate to the hub's services.

gRPC and HTTP differ only in framing; everything that decides an answer (who the caller is, whether the
document parses, what the intake says) happens here or below, so both give the same answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.hub.watch import WatchItem, parse_resume_token
from singlewindow.platform.identity import GrantScope, Principal, Role
from singlewindow.platform.inputs import check_text, parse_json
from singlewindow.platform.state.common import utcnow

DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000


def parse_document(text: str | bytes, max_bytes: int, path: str = "/document") -> dict[str, Any]:
    """A JSON object from request text; size checked before parsing so a huge body costs nothing. Parsed
    under the hub's input rules; problems inside point into the document, as the validator's do."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > max_bytes:
        raise PayloadTooLarge(
            f"document is {size} bytes; the limit is {max_bytes}",
            [Problem(path, "maxBytes", f"at most {max_bytes} bytes; attach files by hash")],
        )
    return require_object(parse_json(text, syntax_path=path), path)


def require_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput("the document must be a JSON object", [Problem(path, "type", "must be an object")])
    return value


def require_text(value: Any, path: str, *, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{path} is required", [Problem(path, "required", "must be given")])
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{path} must be a string", [Problem(path, "type", "must be a string")])
    check_text(value, path)
    return value


def submission_id_of(value: str) -> str:
    """Ids are the hub's own; one with a refused character is refused here, before it reaches a query."""
    check_text(value, "/id")
    return value


def list_arguments(status: str | None, limit: int | None) -> tuple[Consolidated | None, int]:
    wanted = None
    if status:
        check_text(status, "/status")
        try:
            wanted = Consolidated(status)  # exactly the OpenAPI enum
        except ValueError as exc:
            raise InvalidInput(
                f"unknown status {status!r}", [Problem("/status", "enum", f"one of {[s.value for s in Consolidated]}")]
            ) from exc
    if limit is None or limit == 0:
        return wanted, DEFAULT_LIST_LIMIT
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidInput("bad limit", [Problem("/limit", "range", f"between 1 and {MAX_LIST_LIMIT}")])
    return wanted, limit


class SubmissionApi:
    """One instance per hub process, shared by the gRPC servicer and the HTTP routes."""

    def __init__(self, hub: Hub, max_document_bytes: int) -> None:
        self.hub = hub
        self.max_document_bytes = max_document_bytes

    async def principal(self, authorization: str | None) -> Principal:
        return await authenticate(self.hub.principals, authorization)

    async def whoami(self, principal: Principal) -> dict[str, Any]:
        """Who the token belongs to and, for a broker, the traders it may act for now (a portal's sign-in and
        its declarant choice read this; the same grants decide every other call)."""
        acting_for = []
        if principal.role is Role.BROKER:
            now = utcnow()
            for grant in await self.hub.principals.grants_of(principal.id):
                if grant.covers(now, GrantScope.READ):
                    trader = await self.hub.principals.get(grant.trader_id)
                    acting_for.append({"traderId": trader.id, "traderName": trader.name, "scope": grant.scope.value})
        return {
            "id": principal.id,
            "name": principal.name,
            "role": principal.role.value,
            "agency": principal.agency,
            "actingFor": acting_for,
        }

    async def submit(
        self,
        principal: Principal,
        document_type: str,
        document: Mapping[str, Any],
        trader_reference: str | None,
        declarant: str | None,
    ) -> tuple[SubmissionView, bool]:
        """An empty trader reference means the document's own ``traderReference``."""
        return await self.hub.intake.submit(
            principal,
            require_text(document_type, "/documentType"),
            document,
            require_text(trader_reference, "/traderReference", required=False) or None,
            require_text(declarant, "/declarant", required=False) or None,
        )

    async def amend(self, principal: Principal, submission_id: str, document: Mapping[str, Any]) -> SubmissionView:
        return await self.hub.intake.amend(principal, submission_id_of(submission_id), document)

    async def cancel(self, principal: Principal, submission_id: str, reason: str | None) -> SubmissionView:
        reason = require_text(reason, "/reason", required=False) or "cancelled by the declarant"
        return await self.hub.intake.cancel(principal, submission_id_of(submission_id), reason)

    async def respond_to_query(
        self, principal: Principal, submission_id: str, recipient: str, answer: str
    ) -> SubmissionView:
        return await self.hub.intake.respond_to_query(
            principal,
            submission_id_of(submission_id),
            require_text(recipient, "/recipient"),
            require_text(answer, "/answer"),
        )

    async def get(self, principal: Principal, submission_id: str) -> SubmissionView:
        return await self.hub.intake.get(principal, submission_id_of(submission_id))

    async def document(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        version, document = await self.hub.intake.document(principal, submission_id_of(submission_id))
        return {"submissionId": submission_id, "version": version, "document": dict(document)}

    async def list(self, principal: Principal, status: str | None, limit: int | None) -> list[SubmissionView]:
        wanted, count = list_arguments(status, limit)
        return await self.hub.intake.list_submissions(principal, wanted.value if wanted else None, count)

    async def watch(
        self, principal: Principal, resume_token: str | None, submission_id: str | None
    ) -> AsyncIterator[WatchItem]:
        """Checked before the first event (a bad token or a foreign submission fails the call, not the stream)."""
        parse_resume_token(resume_token)
        if submission_id:
            submission_id_of(submission_id)
            await self.hub.intake.get(principal, submission_id)
        return self.hub.watch.stream(principal, resume_token or None, submission_id or None)


def event_dict(item: WatchItem) -> dict[str, Any]:
    """A watch item as JSON (SSE ``data:``, the CLI); the same fields as the gRPC ``WatchEvent``."""
    from singlewindow.platform.state.common import rfc3339_millis

    event = item.event
    return {
        "resumeToken": item.resume_token,
        "kind": event.kind,
        "submissionId": event.submission_id,
        "version": event.version,
        "status": event.status,
        "recipient": event.recipient,
        "actor": event.actor,
        "at": rfc3339_millis(event.at),
    }

"""The public client of the hub's agency services (attachments, officer queue, border events) over HTTP.

Agency adapters use it with their agency principal's token (attachments a routed submission lists, the
officer queue of their own agency); officers and the ``nsw border-event`` command with an officer's token.
Errors come back as the project's exceptions, exactly as ``HubClient`` gives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from singlewindow.platform import errors
from singlewindow.platform.api.client import HubClient, error_from_body
from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound, TransientError

# The errors this client raises, exported with it so adapters handle them without importing hub modules:
# TransientError (the hub is unreachable: retry), InvalidInput (the request was refused as bad data),
# AccessDenied, NotFound, Conflict (the same thing recorded earlier with other content).
__all__ = ["AccessDenied", "AgencyHubClient", "Conflict", "InvalidInput", "NotFound", "TransientError"]


class AgencyHubClient(HubClient):
    async def attachments_of(self, submission_id: str, version: int) -> list[dict[str, Any]]:
        """The ``attachments`` entries of a submission version routed to the caller's agency."""
        params = {"submissionId": submission_id, "version": version}
        return (await self._call("GET", "/v1/attachments", params=params))["attachments"]  # type: ignore[no-any-return]

    async def attachment(self, sha256: str) -> bytes:
        """The file's bytes, checked against its hash (a corrupted transfer is a transient error)."""
        response = await self._raw("GET", f"/v1/attachments/{sha256}")
        if hashlib.sha256(response.content).hexdigest() != sha256:
            raise errors.DependencyUnavailable(f"attachment {sha256} arrived corrupted")
        return response.content

    async def put_attachment(self, content: bytes, media_type: str, file_name: str) -> dict[str, Any]:
        params = {"fileName": file_name, "sha256": hashlib.sha256(content).hexdigest()}
        response = await self._raw(
            "POST", "/v1/attachments", content=content, params=params, headers={"content-type": media_type}
        )
        return response.json()  # type: ignore[no-any-return]

    async def enqueue_for_officers(self, document: Mapping[str, Any], attempt: int) -> dict[str, Any]:
        body = {"document": dict(document), "attempt": attempt}
        return await self._call("POST", "/v1/officer/queue", body)  # type: ignore[no-any-return]

    async def enqueue_replacement(
        self, document: Mapping[str, Any], attempt: int, previous_version: int, changes: Sequence[str]
    ) -> dict[str, Any]:
        """Queue a new version that replaces ``previous_version`` (whose items leave the queue)."""
        replaces = {"version": previous_version, "changes": list(changes)}
        body = {"document": dict(document), "attempt": attempt, "replaces": replaces}
        return await self._call("POST", "/v1/officer/queue", body)  # type: ignore[no-any-return]

    async def withdraw_from_officers(
        self, submission_id: str, version: int, kind: str, reason: str, superseded_by: int | None
    ) -> list[dict[str, Any]]:
        """The version is cancelled or superseded: its items leave the queue; the items withdrawn now."""
        body = {"submissionId": submission_id, "version": version, "kind": kind, "reason": reason,
                "supersededBy": superseded_by}  # fmt: skip
        return (await self._call("POST", "/v1/officer/withdrawals", body))["withdrawn"]  # type: ignore[no-any-return]

    async def answer_for_officers(
        self, submission_id: str, version: int, query_id: str, query_sequence: int, answer: str
    ) -> dict[str, Any]:
        """The trader's answer to an officer's query: the item is back in the queue with it."""
        body = {"submissionId": submission_id, "version": version, "queryId": query_id,
                "querySequence": query_sequence, "answer": answer}  # fmt: skip
        return await self._call("POST", "/v1/officer/answers", body)  # type: ignore[no-any-return]

    async def unpublished_decisions(self, limit: int = 100) -> list[dict[str, Any]]:
        params = {"published": "false", "limit": limit}
        return (await self._call("GET", "/v1/officer/decisions", params=params))["decisions"]  # type: ignore[no-any-return]

    async def mark_published(self, decision_id: int) -> dict[str, Any]:
        return await self._call("POST", f"/v1/officer/decisions/{decision_id}/published", {})  # type: ignore[no-any-return]

    async def next_document(self) -> dict[str, Any] | None:
        """For an officer: the next document of its agency's queue, claimed; None when nothing waits."""
        response = await self._raw("POST", "/v1/officer/next")
        return None if response.status_code == 204 else response.json()

    async def ticket(self, ticket: int) -> dict[str, Any]:
        """One document of the caller's agency queue, with its withdrawal, replacement and answers."""
        return await self._call("GET", f"/v1/officer/queue/{ticket}")  # type: ignore[no-any-return]

    async def officer_queue(self) -> list[dict[str, Any]]:
        """For an officer: its agency's documents not decided and not withdrawn, oldest first."""
        return (await self._call("GET", "/v1/officer/queue"))["documents"]  # type: ignore[no-any-return]

    async def claim(self, ticket: int) -> dict[str, Any]:
        return await self._call("POST", f"/v1/officer/queue/{ticket}/claim", {})  # type: ignore[no-any-return]

    async def release(self, ticket: int) -> dict[str, Any]:
        return await self._call("POST", f"/v1/officer/queue/{ticket}/release", {})  # type: ignore[no-any-return]

    async def history(self, ticket: int) -> list[dict[str, Any]]:
        """The officer's agency's part of the history of the document's submission, with who acted."""
        return (await self._call("GET", f"/v1/officer/queue/{ticket}/history"))["events"]  # type: ignore[no-any-return]

    async def joint_inspections(self, submission_id: str | None = None) -> list[dict[str, Any]]:
        """The caller's agency's open joint inspections, or all of one submission."""
        params = {"submissionId": submission_id} if submission_id else None
        return (await self._call("GET", "/v1/joint-inspections", params=params))["inspections"]  # type: ignore[no-any-return]

    async def propose_joint_inspection(self, submission_id: str, slot_at: str, place: str) -> dict[str, Any]:
        body = {"submissionId": submission_id, "slotAt": slot_at, "place": place}
        return await self._call("POST", "/v1/joint-inspections", body)  # type: ignore[no-any-return]

    async def answer_joint_inspection(self, inspection_id: int, accept: bool, reason: str | None) -> dict[str, Any]:
        body = {"accept": accept, **({"reason": reason} if reason else {})}
        return await self._call("POST", f"/v1/joint-inspections/{inspection_id}/response", body)  # type: ignore[no-any-return]

    async def record_joint_attendance(
        self, inspection_id: int, attended: bool, findings: str, compliant: bool | None = None
    ) -> dict[str, Any]:
        """``compliant``: the agency's verdict on its findings (False counts in the trader's risk history)."""
        body: dict[str, Any] = {"attended": attended, "findings": findings}
        if compliant is not None:
            body["compliant"] = compliant
        return await self._call("POST", f"/v1/joint-inspections/{inspection_id}/attendance", body)  # type: ignore[no-any-return]

    async def publish_risk_profile(self, profile: Mapping[str, Any], signature: str) -> dict[str, Any]:
        """Publish the caller's agency's signed risk profile (agency role)."""
        body = {"profile": dict(profile), "signature": signature}
        return await self._call("POST", "/v1/risk/profiles", body)  # type: ignore[no-any-return]

    async def risk_profiles(self) -> list[dict[str, Any]]:
        """The caller's agency's own risk profiles, every version."""
        return (await self._call("GET", "/v1/risk/profiles"))["profiles"]  # type: ignore[no-any-return]

    async def risk_assessments(self, submission_id: str) -> dict[str, Any]:
        """The caller's agency's own risk assessments of a submission (NotFound for any other's)."""
        return await self._call("GET", f"/v1/risk/assessments/{quote(submission_id, safe='')}")  # type: ignore[no-any-return]

    async def report(self, name: str, period: Mapping[str, str]) -> dict[str, Any]:
        """``time-release`` or ``trade`` figures for ``period`` (``from``/``to`` dates), as JSON."""
        return await self._call("GET", f"/v1/reports/{name}", params=dict(period))  # type: ignore[no-any-return]

    async def report_csv(self, name: str, period: Mapping[str, str]) -> str:
        return (await self._raw("GET", f"/v1/reports/{name}", params={**period, "format": "csv"})).text

    async def decide(self, decision: Mapping[str, Any]) -> dict[str, Any]:
        """For an officer: decide on a pulled document (``ticket``, ``status``, conditions, reasons...)."""
        return await self._call("POST", "/v1/officer/decisions", dict(decision))  # type: ignore[no-any-return]

    async def record_border_event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/v1/border-events", dict(event))  # type: ignore[no-any-return]

    async def border_events(self, ucr: str) -> list[dict[str, Any]]:
        return (await self._call("GET", "/v1/border-events", params={"ucr": ucr}))["events"]  # type: ignore[no-any-return]

    async def record_permit(self, permit: Mapping[str, Any]) -> dict[str, Any]:
        """Record a permit or certificate the caller's agency issued in the hub's permits register."""
        return await self._call("POST", "/v1/permits", dict(permit))  # type: ignore[no-any-return]

    async def reverse_write_off(
        self, number: str, submission_id: str, version: int, goods_item: int, reason: str = "reversed"
    ) -> dict[str, Any]:
        """Give back a write-off the caller made (``created`` False: reversed before); NotFound when the
        register holds no such write-off of the caller's."""
        body = {"number": number, "submissionId": submission_id, "submissionVersion": version,
                "goodsItem": goods_item, "reason": reason}  # fmt: skip
        return await self._call("POST", "/v1/permits/reversals", body)  # type: ignore[no-any-return]

    async def permit_ledger(self, number: str) -> list[dict[str, Any]]:
        """A permit's write-offs and reversals, in the order they were recorded."""
        return (await self._call("GET", "/v1/permits/write-offs", params={"number": number}))["entries"]  # type: ignore[no-any-return]

    async def _raw(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **options)
        except httpx.HTTPError as exc:
            raise errors.DependencyUnavailable(f"cannot reach the hub at {self._http.base_url}: {exc}") from exc
        if response.is_error:
            try:
                payload: Any = response.json()
            except ValueError:
                payload = response.text
            raise error_from_body(response.status_code, payload)
        return response

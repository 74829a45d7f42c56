"""The CHED system's HTTP API, with its failures sorted the SDK's way.

* Cannot connect, timed out, 5xx, or a 2xx whose body is not the documented answer: ``AgencyUnavailable``
  (retried; safe, because the system deduplicates on ``localReference``, so a retry after a lost or
  garbled answer returns the CHED already created instead of making a second one).
* 400/422: the system refuses this notification: ``DocumentRefused`` with its errors.

Withdrawals and answers follow the same rules; a 404 (no such CHED) or 409 (the CHED is withdrawn or
replaced) answers None: there is nothing left to tell that CHED, and retrying would not change that.
"""

from __future__ import annotations

import json

import httpx
from pydantic import ValidationError

from singlewindow.adapters import AgencyUnavailable, DocumentRefused
from singlewindow.adapters.veterinary.ched_api import (
    ChedAccepted,
    ChedAnswer,
    ChedList,
    ChedNotification,
    ChedWithdrawal,
)


class ChedClient:
    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_seconds)

    async def close(self) -> None:
        await self._http.aclose()

    async def notify(self, notification: ChedNotification) -> ChedAccepted:
        try:
            answer = await self._http.post("/ched", content=notification.model_dump_json(), headers=_JSON)
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"CHED system not reachable: {type(exc).__name__}: {exc}") from exc
        if answer.status_code in (400, 422):
            raise DocumentRefused(f"CHED system refused the notification: {_errors(answer)}")
        if answer.is_server_error or not answer.is_success:
            raise AgencyUnavailable(f"CHED system answered HTTP {answer.status_code}")
        try:
            return ChedAccepted.model_validate_json(answer.content)
        except ValidationError as exc:
            raise AgencyUnavailable(f"CHED system gave a malformed answer: {exc.error_count()} problem(s)") from exc

    async def withdraw(self, ched_reference: str, reason: str) -> bool:
        """Withdraw a CHED; False when the system has no such CHED."""
        body = ChedWithdrawal(reason=reason[:1000]).model_dump_json()
        answer = await self._post(f"/ched/{ched_reference}/withdrawal", body)
        return answer.status_code != 404

    async def answer(self, ched_reference: str, query_id: str, text: str) -> bool:
        """Pass the trader's answer on; False when the CHED is unknown, withdrawn or replaced."""
        body = ChedAnswer(queryId=query_id[:200], answer=text[:4000]).model_dump_json()
        answer = await self._post(f"/ched/{ched_reference}/answers", body)
        return answer.status_code not in (404, 409)

    async def of_consignment(self, customs_reference: str) -> ChedList:
        try:
            answer = await self._http.get("/ched", params={"customsReferenceNumber": customs_reference})
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"CHED system not reachable: {type(exc).__name__}: {exc}") from exc
        if not answer.is_success:
            raise AgencyUnavailable(f"CHED system answered HTTP {answer.status_code}")
        try:
            return ChedList.model_validate_json(answer.content)
        except ValidationError as exc:
            raise AgencyUnavailable(f"CHED system gave a malformed answer: {exc.error_count()} problem(s)") from exc

    async def _post(self, path: str, body: str) -> httpx.Response:
        try:
            answer = await self._http.post(path, content=body, headers=_JSON)
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"CHED system not reachable: {type(exc).__name__}: {exc}") from exc
        if answer.status_code in (400, 422):
            raise DocumentRefused(f"CHED system refused the request: {_errors(answer)}")
        if answer.status_code not in (404, 409) and not answer.is_success:
            raise AgencyUnavailable(f"CHED system answered HTTP {answer.status_code}")
        return answer

    async def healthy(self) -> bool:
        try:
            return (await self._http.get("/_health")).is_success
        except httpx.HTTPError:
            return False


_JSON = {"content-type": "application/json"}


def _errors(answer: httpx.Response) -> str:
    try:
        return json.dumps(answer.json().get("errors", answer.json()))[:500]
    except (ValueError, AttributeError):
        return answer.text[:500]

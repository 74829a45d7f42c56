"""A small async client of the hub's HTTP API (the ``nsw submit|amend|status|cancel|answer`` commands use it).

Error bodies come back as the project's own exceptions (looked up by their ``code``), with the field
problems of ``InvalidInput`` intact, so callers handle them like errors raised in process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from singlewindow.platform import errors

_BY_CODE: dict[str, type[errors.NswError]] = {}


def _index(cls: type[errors.NswError]) -> None:
    _BY_CODE.setdefault(cls.code, cls)
    for sub in cls.__subclasses__():
        _index(sub)


_index(errors.NswError)


def error_from_body(status: int, body: Any) -> errors.NswError:
    if not isinstance(body, dict) or "error" not in body:
        return errors.DependencyUnavailable(f"hub answered HTTP {status}: {str(body)[:200]}")
    cls = _BY_CODE.get(str(body["error"]), errors.NswError)
    message = str(body.get("message", ""))
    if issubclass(cls, errors.InvalidInput):
        problems = [
            errors.Problem(p["path"], p["code"], p["message"], p.get("severity", "error"))
            for p in body.get("problems", [])
        ]
        return cls(message, problems)
    return cls(message)


class HubClient:
    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``transport`` replaces the network (the web portal's tests call the hub's app in process)."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers, timeout=timeout, transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._http.aclose()

    async def _call(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            response = await self._http.request(method, path, json=body, params=params or None)
        except httpx.HTTPError as exc:
            raise errors.DependencyUnavailable(f"cannot reach the hub at {self._http.base_url}: {exc}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        if response.is_error:
            raise error_from_body(response.status_code, payload)
        return payload

    async def submit(
        self,
        document: Mapping[str, Any],
        document_type: str = "consignment",
        trader_reference: str | None = None,
        declarant: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"documentType": document_type, "document": document}
        if trader_reference:
            body["traderReference"] = trader_reference
        if declarant:
            body["declarant"] = declarant
        return await self._call("POST", "/v1/submissions", body)  # type: ignore[no-any-return]

    async def me(self) -> dict[str, Any]:
        """Who the token belongs to (and, for a broker, the traders it may act for)."""
        return await self._call("GET", "/v1/me")  # type: ignore[no-any-return]

    async def get(self, submission_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/submissions/{submission_id}")  # type: ignore[no-any-return]

    async def document(self, submission_id: str) -> dict[str, Any]:
        """The current version's number and document (to amend from)."""
        return await self._call("GET", f"/v1/submissions/{submission_id}/document")  # type: ignore[no-any-return]

    async def status_proof(self, submission_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/submissions/{submission_id}/status-proof")  # type: ignore[no-any-return]

    async def invoice(self, submission_id: str) -> dict[str, Any] | None:
        """The submission's invoice, or None when nothing is charged for it (or the hub charges no fees)."""
        try:
            return await self._call("GET", f"/v1/submissions/{submission_id}/invoice")  # type: ignore[no-any-return]
        except errors.NotFound:
            return None

    async def verify_status_proof(self, payload: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/status-proofs/verify", {"payload": payload})  # type: ignore[no-any-return]

    async def list(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        params = {"limit": limit} | ({"status": status} if status else {})
        return (await self._call("GET", "/v1/submissions", params=params))["submissions"]  # type: ignore[no-any-return]

    async def amend(self, submission_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
        body = {"document": document}
        return await self._call("POST", f"/v1/submissions/{submission_id}/amend", body)  # type: ignore[no-any-return]

    async def cancel(self, submission_id: str, reason: str | None = None) -> dict[str, Any]:
        body = {"reason": reason} if reason else {}
        return await self._call("POST", f"/v1/submissions/{submission_id}/cancel", body)  # type: ignore[no-any-return]

    async def answer(self, submission_id: str, recipient: str, answer: str) -> dict[str, Any]:
        body = {"recipient": recipient, "answer": answer}
        return await self._call("POST", f"/v1/submissions/{submission_id}/answers", body)  # type: ignore[no-any-return]

    async def watch(
        self, submission_id: str | None = None, resume_token: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Server-sent events as dicts, forever; pass the last ``resumeToken`` to continue after it."""
        path = f"/v1/submissions/{submission_id}/watch" if submission_id else "/v1/submissions/watch"
        headers = {"last-event-id": resume_token} if resume_token else {}
        try:
            async with self._http.stream(
                "GET", path, headers=headers, timeout=httpx.Timeout(30.0, read=None)
            ) as response:
                if response.is_error:
                    await response.aread()
                    raise error_from_body(response.status_code, response.json())
                data: list[str] = []
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif not line and data:
                        yield json.loads("\n".join(data))
                        data = []
        except httpx.HTTPError as exc:
            raise errors.DependencyUnavailable(f"watch stream from {self._http.base_url} broke: {exc}") from exc

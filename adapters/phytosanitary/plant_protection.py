"""The plant-protection system's certification API, with failures sorted the SDK's way (as for the CHED
system: unreachable, 5xx, or a garbled answer are ``AgencyUnavailable``, and retrying is safe because the
system deduplicates on ``localReference``; 400/422 are ``DocumentRefused``). Import checks follow the same
rules; abandoning an unknown check or answering an ended one is None: nothing is left to tell it."""

from __future__ import annotations

from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from singlewindow.adapters import AgencyUnavailable, DocumentRefused
from singlewindow.adapters.phytosanitary.ppp_api import (
    CertificateRequest,
    CheckAbandonment,
    CheckAnswer,
    ImportCheck,
    ImportCheckList,
    ImportCheckRequest,
    IssuedCertificate,
)

_Answer = TypeVar("_Answer", bound=BaseModel)


class PlantProtectionClient:
    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_seconds)

    async def close(self) -> None:
        await self._http.aclose()

    async def issue(self, request: CertificateRequest) -> IssuedCertificate:
        try:
            answer = await self._http.post(
                "/certificates", content=request.model_dump_json(), headers={"content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"plant-protection system not reachable: {type(exc).__name__}: {exc}") from exc
        if answer.status_code in (400, 422):
            raise DocumentRefused(f"plant-protection system refused the request: {answer.text[:500]}")
        if not answer.is_success:
            raise AgencyUnavailable(f"plant-protection system answered HTTP {answer.status_code}")
        try:
            return IssuedCertificate.model_validate_json(answer.content)
        except ValidationError as exc:
            raise AgencyUnavailable(
                f"plant-protection system gave a malformed answer: {exc.error_count()} problem(s)"
            ) from exc

    async def file_check(self, request: ImportCheckRequest) -> ImportCheck:
        answer = await self._send("POST", "/import-checks", request.model_dump_json())
        return self._read(ImportCheck, answer)

    async def abandon(self, check_reference: str, reason: str) -> ImportCheck | None:
        body = CheckAbandonment(reason=reason[:1000]).model_dump_json()
        answer = await self._send("POST", f"/import-checks/{check_reference}/abandonment", body)
        return None if answer.status_code == 404 else self._read(ImportCheck, answer)

    async def answer(self, check_reference: str, query_id: str, text: str) -> ImportCheck | None:
        body = CheckAnswer(queryId=query_id[:200], answer=text[:4000]).model_dump_json()
        answer = await self._send("POST", f"/import-checks/{check_reference}/answers", body)
        return None if answer.status_code == 409 else self._read(ImportCheck, answer)

    async def checks_of(self, customs_reference: str) -> ImportCheckList:
        answer = await self._send("GET", "/import-checks", None, {"customsReferenceNumber": customs_reference})
        return self._read(ImportCheckList, answer)

    async def _send(
        self, method: str, path: str, body: str | None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            answer = await self._http.request(
                method, path, content=body, params=params, headers={"content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"plant-protection system not reachable: {type(exc).__name__}: {exc}") from exc
        if answer.status_code in (400, 422):
            raise DocumentRefused(f"plant-protection system refused the request: {answer.text[:500]}")
        if answer.status_code not in (404, 409) and not answer.is_success:
            raise AgencyUnavailable(f"plant-protection system answered HTTP {answer.status_code}")
        return answer

    @staticmethod
    def _read(model: type[_Answer], answer: httpx.Response) -> _Answer:
        try:
            return model.model_validate_json(answer.content)
        except ValidationError as exc:
            raise AgencyUnavailable(
                f"plant-protection system gave a malformed answer: {exc.error_count()} problem(s)"
            ) from exc

    async def healthy(self) -> bool:
        try:
            return (await self._http.get("/_health")).is_success
        except httpx.HTTPError:
            return False

"""The plant-protection system's certification API, with failures sorted the SDK's way (as for the CHED
system: unreachable, 5xx, or a garbled answer are ``AgencyUnavailable``, and retrying is safe because the
system deduplicates on ``localReference``; 400/422 are ``DocumentRefused``)."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from singlewindow.adapters import AgencyUnavailable, DocumentRefused
from singlewindow.adapters.phytosanitary.ppp_api import CertificateRequest, IssuedCertificate


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

    async def healthy(self) -> bool:
        try:
            return (await self._http.get("/_health")).is_success
        except httpx.HTTPError:
            return False

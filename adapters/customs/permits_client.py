"""A small client of the hub's permits register API (``/v1/permits...``) for adapters, over httpx.

Adapters reach the register only through the hub's public API, with their agency's bearer token. A hub
that does not answer is ``AgencyUnavailable`` (the document is retried), a refusal of a write-off comes
back as ``WriteOffRefused`` with the register's problem codes. ``reverse`` gives a write-off back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from singlewindow.adapters import AgencyUnavailable


@dataclass(frozen=True, slots=True)
class PermitProblem:
    code: str  # UNKNOWN, NOT_VALID, EXPIRED, WRONG_HOLDER, WRONG_KIND, HS_NOT_COVERED, UNIT_MISMATCH, ...
    message: str


@dataclass(frozen=True, slots=True)
class PermitItem:
    """One goods item citing one permit: what the register is asked about."""

    number: str
    kind: str
    holder_id: str
    hs_code: str
    quantity: Decimal
    unit: str
    at: date

    def body(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "holderId": self.holder_id,
            "hsCode": self.hs_code,
            "quantity": {"value": str(self.quantity), "unit": self.unit},
            "at": self.at.isoformat(),
        }


class WriteOffRefused(Exception):
    def __init__(self, number: str, problems: tuple[PermitProblem, ...]) -> None:
        super().__init__(f"write-off of {number} refused: {[p.code for p in problems]}")
        self.number = number
        self.problems = problems


class PermitsApiError(RuntimeError):
    """The hub refused the call itself (bad token, no right): a configuration fault, not the document's."""


def _problems(response: httpx.Response, what: str) -> tuple[PermitProblem, ...]:
    """The register's problem list; PermitsApiError (not a bare JSON error) when the answer is not one."""
    try:
        body = response.json()
        return tuple(PermitProblem(str(p["code"]), str(p.get("message"))) for p in body.get("problems", []))
    except (ValueError, AttributeError, TypeError, KeyError) as exc:
        raise PermitsApiError(
            f"{what} answered {response.status_code} with no problem list: {response.text[:200]!r}"
        ) from exc


class PermitsClient:
    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        headers = {"authorization": f"Bearer {token}"}
        self._http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PermitsClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            response = await self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"permits register not reachable: {exc}") from exc
        if response.status_code >= 500:
            raise AgencyUnavailable(f"permits register answered {response.status_code}")
        return response

    async def check(self, item: PermitItem) -> tuple[PermitProblem, ...]:
        """The register's problems with this item (empty: the permit covers it)."""
        response = await self._post("/v1/permits/check", item.body())
        if response.status_code != 200:
            raise PermitsApiError(f"permits check answered {response.status_code}: {response.text[:300]}")
        return _problems(response, "permits check")

    async def write_off(self, item: PermitItem, submission_id: str, version: int, goods_item: int) -> bool:
        """Write the item's quantity off once; True when this call wrote it, False when it was already."""
        key = {"submissionId": submission_id, "submissionVersion": version, "goodsItem": goods_item}
        response = await self._post("/v1/permits/write-offs", {**item.body(), **key})
        if response.status_code in (200, 201):
            return response.status_code == 201
        problems = _problems(response, "permits write-off") if response.status_code == 409 else ()
        if problems:
            raise WriteOffRefused(item.number, problems)
        raise PermitsApiError(f"permits write-off answered {response.status_code}: {response.text[:300]}")

    async def reverse(self, number: str, submission_id: str, version: int, goods_item: int, reason: str) -> bool | None:
        """Give a write-off back once: True when this call did, False when it was before, None when the
        register holds no such write-off of ours (never written, e.g. a crash between recording and writing)."""
        key = {"submissionId": submission_id, "submissionVersion": version, "goodsItem": goods_item}
        response = await self._post("/v1/permits/reversals", {"number": number, **key, "reason": reason[:200]})
        if response.status_code in (200, 201):
            return response.status_code == 201
        if response.status_code == 404:
            return None
        raise PermitsApiError(f"permits reversal answered {response.status_code}: {response.text[:300]}")

"""The plant-protection stand-in's HTTP API: ``POST /certificates`` issues an export phytosanitary
certificate at once (201; 200 for a repeat of the same ``localReference``; 422 when the request breaks the
schema) and answers with its number and its UN/CEFACT SPS XML. The import check register is in
``import_checks``. Scriptable like every stand-in (``query_first``: import checks ask the trader first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from singlewindow.adapters.phytosanitary.ppp_api import CertificateRequest, IssuedCertificate
from singlewindow.adapters.phytosanitary.standin.import_checks import check_routes
from singlewindow.adapters.phytosanitary.standin.store import CertificateStore
from singlewindow.adapters.phytosanitary.standin.xml_writer import certificate_xml
from singlewindow.adapters.standins import ScriptedFaults

AUTHORITY = "Committee of State Inspection in the Agro-Industrial Complex, Ministry of Agriculture of Kazakhstan"
VALIDITY = timedelta(days=14)  # a phytosanitary certificate is valid for the journey, typically 14 days


def build_app(store: CertificateStore, faults: ScriptedFaults, country: str) -> ASGIApp:
    async def issue(request: Request) -> Response:
        try:
            ask = CertificateRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)}, status_code=422)
        now = datetime.now(UTC)
        issued_at = now.isoformat(timespec="seconds").replace("+00:00", "Z")

        def build(serial: int) -> dict[str, Any]:
            number = f"{country}-PHY-{now.year}-{serial:07d}"
            return {
                "number": number,
                "request": ask.model_dump(mode="json"),
                "xml": certificate_xml(ask, number, issued_at, AUTHORITY, "Inspector A. Tulegenova").decode(),
                "issued_at": issued_at,
                "valid_until": (now + VALIDITY).date().isoformat(),
            }

        existing, created = await store.issue(ask.localReference, build)
        answer = IssuedCertificate(
            certificateNumber=existing["number"],
            localReference=existing["local_reference"],
            issuedAt=existing["issued_at"],
            validUntil=existing["valid_until"],
            xml=existing["xml"],
        )
        return JSONResponse(answer.model_dump(), status_code=201 if created else 200)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/certificates", issue, methods=["POST"]),
            *check_routes(store.import_checks(), faults),
            Route("/_script", faults.control, methods=["GET", "POST"]),
            Route("/_health", health, methods=["GET"]),
        ]
    )
    return faults.middleware(app)

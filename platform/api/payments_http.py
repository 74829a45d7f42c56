"""HTTP for invoices and payments: the trader's ``GET /v1/submissions/{id}/invoice`` and ``POST .../invoice/
payments``, and an agency's ``GET /v1/agency/invoices/{submission}`` (its own lines only).

Who may do what is decided by ``PaymentService`` on the authenticated principal; the optional ``debtor`` in
a payment's body is only what the payer says about its own account, written into the order, never authority.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import guarded, json_body
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.identity import Principal
from singlewindow.platform.inputs import require_clean
from singlewindow.platform.payments.provider import Party
from singlewindow.platform.payments.service import PaymentService

Authenticate = Callable[[str | None], Awaitable[Principal]]
BODY_LIMIT = 8 * 1024


def _debtor(body: dict[str, object]) -> Party | None:
    found = body.get("debtor")
    if found is None:
        return None
    if not isinstance(found, dict):
        raise InvalidInput("debtor must be an object", [Problem("/debtor", "type", "an object")])
    fields = {key: found.get(key) for key in ("name", "account", "bic")}
    for key, value in fields.items():
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 140):
            raise InvalidInput(
                f"debtor.{key} must be a short text", [Problem(f"/debtor/{key}", "type", "1..140 chars")]
            )
    if not fields["name"] or not fields["account"]:
        raise InvalidInput("debtor needs name and account", [Problem("/debtor", "required", "name and account")])
    return Party(str(fields["name"]), str(fields["account"]), str(fields["bic"]) if fields["bic"] else None)


def payment_routes(payments: PaymentService, authenticate: Authenticate) -> list[Route]:
    async def invoice(request: Request) -> Response:
        principal = await authenticate(request.headers.get("authorization"))
        return JSONResponse(await payments.invoice(principal, request.path_params["id"]))

    async def pay(request: Request) -> Response:
        principal = await authenticate(request.headers.get("authorization"))
        body = await json_body(request, BODY_LIMIT) if request.headers.get("content-length") not in (None, "0") else {}
        require_clean(body, "")  # the hub's input rules (control characters, sizes) before it reaches a bank file
        return JSONResponse(await payments.pay(principal, request.path_params["id"], _debtor(body)), status_code=201)

    async def agency_lines(request: Request) -> Response:
        principal = await authenticate(request.headers.get("authorization"))
        return JSONResponse(await payments.agency_lines(principal, request.path_params["submission"]))

    return [
        Route("/v1/submissions/{id}/invoice", guarded(invoice), methods=["GET"]),
        Route("/v1/submissions/{id}/invoice/payments", guarded(pay), methods=["POST"]),
        Route("/v1/agency/invoices/{submission}", guarded(agency_lines), methods=["GET"]),
    ]

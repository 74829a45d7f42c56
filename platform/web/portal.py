"""What every page of the portal shares: its configuration, a client of the hub's API with the visitor's own
token, the form of each document type, and the guard that turns the hub's answers into pages.

The portal has no back door: every page calls the hub's public HTTP API with the signed-in principal's
bearer token, so the hub's grants decide what a trader or a broker sees and does, exactly as for any other
client of the API. A submission the caller may not read is the API's 404, and the portal's too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import httpx
import structlog
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TransientError,
    Unauthenticated,
)
from singlewindow.platform.specs import Catalog
from singlewindow.platform.web.codelists import CodeLists
from singlewindow.platform.web.forms.spec import FieldSpec, field_spec
from singlewindow.platform.web.middleware import session_of
from singlewindow.platform.web.rendering import Pages
from singlewindow.platform.web.sessions import Session, SessionSealer

log = structlog.get_logger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_FORM_FIELDS = 20_000  # a consignment with many goods items has thousands of inputs; more is not a form
MAX_FORM_PART_BYTES = 2 * 1024 * 1024  # one field (an uploaded JSON document) at most


class CsrfRefused(Exception):
    """A form without this session's CSRF token; the portal's own refusal, never the hub's (so it stays out
    of the hub's exception tree and its status table)."""


@dataclass(frozen=True)
class PortalConfig:
    hub_url: str
    sealer: SessionSealer
    submittable_types: tuple[str, ...]
    max_attachment_bytes: int
    secure_cookies: bool = False
    specs: Catalog = field(default_factory=Catalog)
    codelists: CodeLists = field(default_factory=CodeLists.shipped)
    hub_transport: httpx.AsyncBaseTransport | None = None  # tests: the hub's app in process


class Portal:
    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self.pages = Pages({"codelists": config.codelists})

    def hub(self, token: str | None) -> AgencyHubClient:
        """A client of the hub's API speaking as the principal whose token this is."""
        return AgencyHubClient(self.config.hub_url, token, transport=self.config.hub_transport)

    def hub_of(self, request: Request) -> AgencyHubClient:
        """A client of the hub's API speaking as the signed-in visitor."""
        return self.hub(session_of(request).token)

    @cached_property
    def forms(self) -> dict[str, FieldSpec]:
        """The form of each submittable type, from its JSON Schema (the one the hub validates with)."""
        return {
            name: field_spec(self.config.specs.get(name).json_schema, self.config.specs.get(name).json_schema)
            for name in self.config.submittable_types
            if name in self.config.specs.names()
        }

    def title_of(self, document_type: str) -> str:
        return self.config.specs.get(document_type).title if document_type in self.forms else document_type

    async def posted(self, request: Request) -> FormData:
        """The posted form, refused unless it carries this session's CSRF token."""
        form = await request.form(max_files=2, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART_BYTES)
        if not session_of(request).csrf_matches(form.get("csrf")):
            raise CsrfRefused("the form is stale or comes from another site: reload the page and try again")
        return form

    def guarded(self, endpoint: Endpoint, *, signed_in: bool = True) -> Endpoint:
        """Signed-out visitors go to sign-in; the hub's refusals become the pages a visitor expects."""

        async def run(request: Request) -> Response:
            session = session_of(request)
            if signed_in and not session.signed_in:
                return RedirectResponse("/signin", status_code=303)
            try:
                return await endpoint(request)
            except Unauthenticated:  # the token was revoked or rotated meanwhile: sign in again
                request.state.session = Session.anonymous(session.language)
                return RedirectResponse("/signin", status_code=303)
            except (NotFound, AccessDenied):
                return self.pages.render(request, "problem.html", 404, problem="not_found")
            except CsrfRefused:
                return self.pages.render(request, "problem.html", 403, problem="csrf")
            except PayloadTooLarge:
                return self.pages.render(request, "problem.html", 413, problem="too_large")
            except InvalidInput as exc:
                detail = "; ".join(f"{p.path or '/'}: {p.message}" for p in exc.problems) or exc.message
                return self.pages.render(request, "problem.html", 422, problem="invalid", detail=detail)
            except Conflict as exc:
                return self.pages.render(request, "problem.html", 409, problem="conflict", detail=exc.message)
            except TransientError as exc:
                log.warning("portal: hub unavailable", error=str(exc))
                return self.pages.render(request, "problem.html", 503, problem="unavailable")
            finally:
                await request.close()  # uploaded files' spooled temporaries

        return run


def sign_in(request: Request, token: str, caller: dict[str, Any]) -> None:
    request.state.session = session_of(request).signed_in_as(token, str(caller["name"]), str(caller["role"]))


def choose_language(request: Request, language: str) -> None:
    request.state.session = replace(session_of(request), language=language)

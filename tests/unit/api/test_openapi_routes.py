"""Issue 12: the OpenAPI document lists every HTTP operation the hub serves, and nothing it does not.

The routes are walked on the app ``nsw hub run`` serves (``serve.hub_http_app``: submissions, attachments,
the officer queue, border events, permits, health, the document itself); each path's methods are asked of
the app itself (``OPTIONS`` answers ``Allow``), not read from the code that builds the document."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.openapi import openapi_document
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.serve import hub_http_app
from singlewindow.platform.settings import AttachmentSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import embedded_hub

Operations = set[tuple[str, str]]


@pytest.fixture
async def apps(tmp_path: Path) -> AsyncIterator[tuple[Starlette, Starlette]]:
    """The hub's full HTTP app and a submissions-only one, on one embedded hub."""
    settings = Settings(attachments=AttachmentSettings(folder=tmp_path / "blobs"))
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        api = SubmissionApi(embedded.hub, settings.limits.max_document_bytes)
        agency = build_agency_services(embedded.hub, settings, DocumentValidator(Catalog()))
        yield hub_http_app(embedded.hub, api, agency, asyncio.Event()), build_http_app(api)


async def _served(app: Starlette) -> Operations:
    found: Operations = set()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        for route in app.routes:
            assert isinstance(route, Route), route
            concrete = re.sub(r"\{[^}]+\}", "1", route.path)
            response = await client.options(concrete)
            assert response.status_code == 204, (route.path, response.status_code)
            allowed = {m.strip() for m in response.headers["allow"].split(",")} - {"HEAD", "OPTIONS"}
            found |= {(route.path, method.lower()) for method in allowed}
    return found


def _documented(document: dict[str, Any]) -> Operations:
    return {(path, method) for path, item in document["paths"].items() for method in item}


async def _fetched(app: Starlette) -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def test_every_served_operation_is_documented_and_every_documented_one_served(
    apps: tuple[Starlette, Starlette],
) -> None:
    full, _ = apps
    served = await _served(full)
    document = openapi_document()
    assert served - _documented(document) == set(), "served but not documented"
    assert _documented(document) - served == set(), "documented but not served"
    for area in ("/v1/attachments", "/v1/officer/queue", "/v1/border-events", "/v1/permits", "/healthz"):
        assert any(path == area for path, _ in served), area
    assert await _fetched(full) == document


def test_the_document_is_valid_openapi_with_unique_operation_ids() -> None:
    document = openapi_document()
    validate(document)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), sorted(ids)


async def test_a_listener_with_fewer_route_sets_documents_only_what_it_answers(
    apps: tuple[Starlette, Starlette],
) -> None:
    _, submissions_only = apps
    document = await _fetched(submissions_only)
    validate(document)
    assert _documented(document) == await _served(submissions_only)
    assert not any(path.startswith(("/v1/permits", "/v1/officer")) for path in document["paths"])

"""The Confluent-compatible REST API as one Starlette application over a RegistryService."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from singlewindow.registry.api.config import ConfigRoutes
from singlewindow.registry.api.openapi import openapi_document
from singlewindow.registry.api.router import Call, RawPathRouter
from singlewindow.registry.api.schemas import SchemaRoutes
from singlewindow.registry.api.subjects import SubjectRoutes
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings


def create_app(service: RegistryService, settings: RegistrySettings) -> Starlette:
    """Every path goes to the raw-path router (Starlette's own router would decode ``%2F`` first)."""
    router = RawPathRouter()
    for routes in (SubjectRoutes, SchemaRoutes, ConfigRoutes):
        routes(service, settings).mount(router)

    async def openapi(call: Call) -> dict[str, Any]:
        return openapi_document()

    router.add("GET", "/openapi.json", openapi)
    return Starlette(routes=[Mount("", app=router)])

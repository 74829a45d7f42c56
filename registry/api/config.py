"""``/config`` and ``/mode``, global (also with a trailing slash) and per subject, plus the root and
``/contexts``. GET answers ``compatibilityLevel``, PUT takes and echoes ``compatibility`` (Confluent's
deliberate asymmetry; a body with ``compatibilityLevel`` is accepted too)."""

from __future__ import annotations

from typing import Any

from singlewindow.registry.api import params
from singlewindow.registry.api.router import Call, RawPathRouter
from singlewindow.registry.errors import InvalidCompatibilityLevel, InvalidMode
from singlewindow.registry.models import CompatibilityLevel, Mode
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings


class ConfigRoutes:
    def __init__(self, service: RegistryService, settings: RegistrySettings) -> None:
        self.service = service
        self.limit = settings.max_body_bytes

    def mount(self, router: RawPathRouter) -> None:
        router.add("GET", "/", self.root)
        router.add("GET", "/contexts", self.contexts)
        for pattern in ("/config", "/config/{subject}"):
            router.add("GET", pattern, self.get_config)
            router.add("PUT", pattern, self.put_config)
            router.add("DELETE", pattern, self.delete_config)
        for pattern in ("/mode", "/mode/{subject}"):
            router.add("GET", pattern, self.get_mode)
            router.add("PUT", pattern, self.put_mode)
            router.add("DELETE", pattern, self.delete_mode)

    async def root(self, call: Call) -> dict[str, Any]:
        return {}

    async def contexts(self, call: Call) -> list[str]:
        return ["."]

    async def get_config(self, call: Call) -> dict[str, Any]:
        level = await self.service.get_config(
            call.params.get("subject"), default_to_global=params.flag(call.request, "defaultToGlobal")
        )
        return {"compatibilityLevel": level.value}

    async def put_config(self, call: Call) -> dict[str, Any]:
        body = await params.json_body(call.request, self.limit)
        value = body.get("compatibility", body.get("compatibilityLevel"))
        if value is None:
            raise InvalidCompatibilityLevel("Invalid compatibility level: the body needs 'compatibility'")
        level = await self.service.set_config(
            call.params.get("subject"),
            CompatibilityLevel.parse(value),
            credentials=params.credentials(call.request),
        )
        return {"compatibility": level.value}

    async def delete_config(self, call: Call) -> dict[str, Any]:
        old = await self.service.delete_config(call.params.get("subject"), credentials=params.credentials(call.request))
        return {"compatibilityLevel": old.value}

    async def get_mode(self, call: Call) -> dict[str, Any]:
        mode = await self.service.get_mode(
            call.params.get("subject"), default_to_global=params.flag(call.request, "defaultToGlobal")
        )
        return {"mode": mode.value}

    async def put_mode(self, call: Call) -> dict[str, Any]:
        body = await params.json_body(call.request, self.limit)
        if "mode" not in body:
            raise InvalidMode("Invalid mode: the body needs 'mode'")
        mode = await self.service.set_mode(
            call.params.get("subject"), Mode.parse(body["mode"]), credentials=params.credentials(call.request)
        )
        return {"mode": mode.value}

    async def delete_mode(self, call: Call) -> dict[str, Any]:
        old = await self.service.delete_mode(call.params.get("subject"), credentials=params.credentials(call.request))
        return {"mode": old.value}

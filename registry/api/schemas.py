"""``/schemas`` (by global id, types) and ``/compatibility`` (test a schema before registering it)."""

from __future__ import annotations

from typing import Any

from starlette.responses import PlainTextResponse

from singlewindow.registry.api import params
from singlewindow.registry.api.router import Call, RawPathRouter
from singlewindow.registry.api.shapes import schema_payload, schema_request, version_payload
from singlewindow.registry.errors import SchemaNotFound
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.versions import MAX_ID, ascii_int, parse_version


def schema_id(call: Call) -> int:
    """ASCII digits in 1..2^31-1 (``str.isdigit`` also passes "²", which ``int`` refuses); else 40403."""
    raw = call.params["id"]
    number = ascii_int(raw)
    if number is None or not 1 <= number <= MAX_ID:
        raise SchemaNotFound(f"Schema {raw[:40]!a} not found")
    return number


class SchemaRoutes:
    def __init__(self, service: RegistryService, settings: RegistrySettings) -> None:
        self.service = service
        self.limit = settings.max_body_bytes

    def mount(self, router: RawPathRouter) -> None:
        router.add("GET", "/schemas", self.list_schemas)
        router.add("GET", "/schemas/types", self.types)
        router.add("GET", "/schemas/ids/{id}", self.by_id)
        router.add("GET", "/schemas/ids/{id}/schema", self.raw_by_id)
        router.add("GET", "/schemas/ids/{id}/subjects", self.subjects_of)
        router.add("GET", "/schemas/ids/{id}/versions", self.versions_of)
        router.add("POST", "/compatibility/subjects/{subject}/versions/{version}", self.test_one)
        router.add("POST", "/compatibility/subjects/{subject}/versions", self.test_all)

    async def list_schemas(self, call: Call) -> list[dict[str, Any]]:
        rows = await self.service.all_versions(
            prefix=params.text(call.request, "subjectPrefix", "subject"),
            deleted=params.flag(call.request, "deleted"),
            latest_only=params.flag(call.request, "latestOnly"),
        )
        return params.page(call.request, [version_payload(row) for row in rows])

    async def types(self, call: Call) -> list[str]:
        return self.service.schema_types()

    async def by_id(self, call: Call) -> dict[str, Any]:
        return schema_payload(await self.service.get_schema(schema_id(call)))

    async def raw_by_id(self, call: Call) -> PlainTextResponse:
        stored = await self.service.get_schema(schema_id(call))
        return PlainTextResponse(stored.schema, media_type="application/vnd.schemaregistry.v1+json")

    async def _usages(self, call: Call) -> list[tuple[str, int]]:
        usages = await self.service.schema_usages(schema_id(call), deleted=params.flag(call.request, "deleted"))
        only = params.text(call.request, "subject")
        return [(s, v) for s, v in usages if not only or s == only]

    async def subjects_of(self, call: Call) -> list[str]:
        return params.page(call.request, sorted({subject for subject, _ in await self._usages(call)}))

    async def versions_of(self, call: Call) -> list[dict[str, Any]]:
        pairs = [{"subject": s, "version": v} for s, v in await self._usages(call)]
        return params.page(call.request, pairs)

    async def _test(self, call: Call, version: int | None) -> dict[str, Any]:
        schema, schema_type = schema_request(await params.json_body(call.request, self.limit))
        report = await self.service.test_compatibility(call.params["subject"], schema, schema_type, version)
        payload: dict[str, Any] = {"is_compatible": report.is_compatible}
        if params.flag(call.request, "verbose"):
            payload["messages"] = list(report.messages)
        return payload

    async def test_one(self, call: Call) -> dict[str, Any]:
        return await self._test(call, parse_version(call.params["version"]))

    async def test_all(self, call: Call) -> dict[str, Any]:
        return await self._test(call, None)

"""``/subjects``: list, register, look up, read and delete versions."""

from __future__ import annotations

from typing import Any

from starlette.responses import PlainTextResponse

from singlewindow.registry.api import params
from singlewindow.registry.api.router import Call, RawPathRouter
from singlewindow.registry.api.shapes import schema_request, version_payload
from singlewindow.registry.models import SchemaType
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.versions import parse_version


class SubjectRoutes:
    def __init__(self, service: RegistryService, settings: RegistrySettings) -> None:
        self.service = service
        self.limit = settings.max_body_bytes

    def mount(self, router: RawPathRouter) -> None:
        router.add("GET", "/subjects", self.list_subjects)
        router.add("POST", "/subjects/{subject}", self.lookup)
        router.add("DELETE", "/subjects/{subject}", self.delete_subject)
        router.add("GET", "/subjects/{subject}/versions", self.list_versions)
        router.add("POST", "/subjects/{subject}/versions", self.register)
        router.add("GET", "/subjects/{subject}/versions/{version}", self.get_version)
        router.add("GET", "/subjects/{subject}/versions/{version}/schema", self.get_version_schema)
        router.add("GET", "/subjects/{subject}/versions/{version}/referencedby", self.referenced_by)
        router.add("DELETE", "/subjects/{subject}/versions/{version}", self.delete_version)

    async def list_subjects(self, call: Call) -> list[str]:
        request = call.request
        names = await self.service.subjects(
            prefix=params.text(request, "subjectPrefix", "subject"),
            deleted=params.flag(request, "deleted"),
            deleted_only=params.flag(request, "deletedOnly", "deleted_only"),
        )
        return params.page(request, names)

    async def lookup(self, call: Call) -> dict[str, Any]:
        schema, schema_type = schema_request(await params.json_body(call.request, self.limit))
        row = await self.service.lookup(
            call.params["subject"], schema, schema_type, deleted=params.flag(call.request, "deleted")
        )
        return version_payload(row)

    async def register(self, call: Call) -> dict[str, Any]:
        subject = call.params["subject"]
        schema, schema_type = schema_request(await params.json_body(call.request, self.limit))
        result = await self.service.register(subject, schema, schema_type, credentials=params.credentials(call.request))
        canonical = self.service.parse(schema_type, schema).canonical  # cached: no second parse, no read
        payload: dict[str, Any] = {"id": result.id, "subject": subject, "version": result.version}
        payload["schema"] = canonical
        if schema_type is not SchemaType.AVRO:
            payload["schemaType"] = schema_type.value
        return payload

    async def list_versions(self, call: Call) -> list[int]:
        request = call.request
        versions = await self.service.versions(
            call.params["subject"],
            deleted=params.flag(request, "deleted"),
            deleted_only=params.flag(request, "deletedOnly", "deleted_only"),
        )
        return params.page(request, versions)

    async def get_version(self, call: Call) -> dict[str, Any]:
        row = await self.service.get_version(
            call.params["subject"],
            parse_version(call.params["version"]),
            deleted=params.flag(call.request, "deleted"),
        )
        return version_payload(row)

    async def get_version_schema(self, call: Call) -> PlainTextResponse:
        payload = await self.get_version(call)
        return PlainTextResponse(payload["schema"], media_type="application/vnd.schemaregistry.v1+json")

    async def referenced_by(self, call: Call) -> list[int]:
        """References are not supported, so nothing refers to a version; the version must exist."""
        await self.get_version(call)
        return []

    async def delete_subject(self, call: Call) -> list[int]:
        return await self.service.delete_subject(
            call.params["subject"],
            permanent=params.flag(call.request, "permanent"),
            credentials=params.credentials(call.request),
        )

    async def delete_version(self, call: Call) -> int:
        return await self.service.delete_version(
            call.params["subject"],
            parse_version(call.params["version"]),
            permanent=params.flag(call.request, "permanent"),
            credentials=params.credentials(call.request),
        )

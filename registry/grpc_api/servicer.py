"""``nsw.registry.v1.RegistryService`` on grpc.aio: framing only; every call is a ``RegistryService`` method,
the same one the REST API calls, so both APIs answer and refuse alike."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import grpc
import structlog

from singlewindow.registry.errors import RegistryError
from singlewindow.registry.grpc_api import messages as conv
from singlewindow.registry.grpc_api.status import error_status
from singlewindow.registry.guard import Credentials, token_from_authorization
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.service import RegistryService

log = structlog.get_logger(__name__)
T = TypeVar("T")
Context = grpc.aio.ServicerContext[Any, Any]


def credentials(context: Context) -> Credentials:
    """The token from the ``authorization`` metadata, read exactly as the REST header is."""
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            return token_from_authorization(value if isinstance(value, str) else value.decode())
    return None


async def answer(context: Context, work: Awaitable[T]) -> T:
    """The result of ``work``, or the call aborted with the status of its error from the one table."""
    try:
        return await work
    except Exception as error:
        if not isinstance(error, RegistryError) or error.http_status >= 500:
            log.exception("registry.grpc_call_failed")
        status = error_status(error)
        await context.abort(status.code, status.details, status.trailing_metadata)
        raise  # abort raises; this line only satisfies the type checker


class RegistryServicer:
    """Registered with ``add_RegistryServiceServicer_to_server``; one method per RPC."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    async def CreateVersion(self, request: pb.CreateVersionRequest, context: Context) -> pb.CreateVersionResponse:
        async def work() -> pb.CreateVersionResponse:
            kind = conv.schema_type_of(request.schema_type)
            result = await self._service.register(
                request.subject, request.schema, kind, credentials=credentials(context)
            )
            canonical = self._service.parse(kind, request.schema).canonical  # cached by register
            return pb.CreateVersionResponse(
                id=result.id, version=result.version, created=result.created, schema=canonical
            )

        return await answer(context, work())

    async def LookupVersion(self, request: pb.LookupVersionRequest, context: Context) -> pb.SchemaVersion:
        async def work() -> pb.SchemaVersion:
            kind = conv.schema_type_of(request.schema_type)
            row = await self._service.lookup(request.subject, request.schema, kind, deleted=request.deleted)
            return conv.version_message(row)

        return await answer(context, work())

    async def GetVersion(self, request: pb.GetVersionRequest, context: Context) -> pb.SchemaVersion:
        async def work() -> pb.SchemaVersion:
            version = conv.version_of(request.version)
            row = await self._service.get_version(request.subject, version, deleted=request.deleted)
            return conv.version_message(row)

        return await answer(context, work())

    async def ListVersions(self, request: pb.ListVersionsRequest, context: Context) -> pb.ListVersionsResponse:
        async def work() -> pb.ListVersionsResponse:
            found = await self._service.versions(
                request.subject, deleted=request.deleted, deleted_only=request.deleted_only
            )
            return pb.ListVersionsResponse(versions=found)

        return await answer(context, work())

    async def DeleteVersion(self, request: pb.DeleteVersionRequest, context: Context) -> pb.DeleteVersionResponse:
        async def work() -> pb.DeleteVersionResponse:
            deleted = await self._service.delete_version(
                request.subject,
                conv.version_of(request.version),
                permanent=request.permanent,
                credentials=credentials(context),
            )
            return pb.DeleteVersionResponse(version=deleted)

        return await answer(context, work())

    async def ListSubjects(self, request: pb.ListSubjectsRequest, context: Context) -> pb.ListSubjectsResponse:
        async def work() -> pb.ListSubjectsResponse:
            names = await self._service.subjects(
                prefix=request.subject_prefix, deleted=request.deleted, deleted_only=request.deleted_only
            )
            return pb.ListSubjectsResponse(subjects=names)

        return await answer(context, work())

    async def DeleteSubject(self, request: pb.DeleteSubjectRequest, context: Context) -> pb.DeleteSubjectResponse:
        async def work() -> pb.DeleteSubjectResponse:
            versions = await self._service.delete_subject(
                request.subject, permanent=request.permanent, credentials=credentials(context)
            )
            return pb.DeleteSubjectResponse(versions=versions)

        return await answer(context, work())

    async def GetSchema(self, request: pb.GetSchemaRequest, context: Context) -> pb.Schema:
        async def work() -> pb.Schema:
            return conv.schema_message(await self._service.get_schema(request.id))

        return await answer(context, work())

    async def ListSchemaVersions(
        self, request: pb.ListSchemaVersionsRequest, context: Context
    ) -> pb.ListSchemaVersionsResponse:
        async def work() -> pb.ListSchemaVersionsResponse:
            usages = await self._service.schema_usages(request.id, deleted=request.deleted)
            refs = [pb.SubjectVersionRef(subject=s, version=v) for s, v in usages]
            return pb.ListSchemaVersionsResponse(versions=refs)

        return await answer(context, work())

    async def ListSchemaTypes(self, request: pb.ListSchemaTypesRequest, context: Context) -> pb.ListSchemaTypesResponse:
        return pb.ListSchemaTypesResponse(schema_types=self._service.schema_types())

    async def CheckCompatibility(
        self, request: pb.CheckCompatibilityRequest, context: Context
    ) -> pb.CheckCompatibilityResponse:
        async def work() -> pb.CheckCompatibilityResponse:
            version = conv.version_of(request.version) if request.HasField("version") else None
            report = await self._service.test_compatibility(
                request.subject, request.schema, conv.schema_type_of(request.schema_type), version
            )
            return pb.CheckCompatibilityResponse(is_compatible=report.is_compatible, messages=report.messages)

        return await answer(context, work())

    async def GetSchemaConfig(self, request: pb.GetSchemaConfigRequest, context: Context) -> pb.SchemaConfig:
        async def work() -> pb.SchemaConfig:
            level = await self._service.get_config(request.subject or None, default_to_global=request.default_to_global)
            return conv.level_message(level)

        return await answer(context, work())

    async def UpdateSchemaConfig(self, request: pb.UpdateSchemaConfigRequest, context: Context) -> pb.SchemaConfig:
        async def work() -> pb.SchemaConfig:
            level = await self._service.set_config(
                request.subject or None, conv.level_of(request.compatibility), credentials=credentials(context)
            )
            return conv.level_message(level)

        return await answer(context, work())

    async def DeleteSchemaConfig(self, request: pb.DeleteSchemaConfigRequest, context: Context) -> pb.SchemaConfig:
        async def work() -> pb.SchemaConfig:
            old = await self._service.delete_config(request.subject or None, credentials=credentials(context))
            return conv.level_message(old)

        return await answer(context, work())

    async def GetSchemaMode(self, request: pb.GetSchemaModeRequest, context: Context) -> pb.SchemaMode:
        async def work() -> pb.SchemaMode:
            mode = await self._service.get_mode(request.subject or None, default_to_global=request.default_to_global)
            return conv.mode_message(mode)

        return await answer(context, work())

    async def UpdateSchemaMode(self, request: pb.UpdateSchemaModeRequest, context: Context) -> pb.SchemaMode:
        async def work() -> pb.SchemaMode:
            mode = await self._service.set_mode(
                request.subject or None, conv.mode_of(request.mode), credentials=credentials(context)
            )
            return conv.mode_message(mode)

        return await answer(context, work())

    async def DeleteSchemaMode(self, request: pb.DeleteSchemaModeRequest, context: Context) -> pb.SchemaMode:
        async def work() -> pb.SchemaMode:
            old = await self._service.delete_mode(request.subject or None, credentials=credentials(context))
            return conv.mode_message(old)

        return await answer(context, work())

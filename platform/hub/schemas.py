"""Where the hub gets its schemas: a registry, in process (embedded default) or over REST (production).

At start-up the hub reads the latest Avro schema of every document type it handles and builds its codec;
in embedded mode it first loads the shipped specs into a registry that lives in the hub's own database
(the registry's tables are prefixed ``registry_``), so ``nsw demo`` needs nothing running.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from singlewindow.platform.errors import ConfigurationError, NotFound
from singlewindow.platform.hub.avro_codec import AvroCodec
from singlewindow.platform.hub.codec import avro_subject
from singlewindow.platform.specs import Catalog
from singlewindow.registry.errors import RegistryError
from singlewindow.registry.loader import spec_files
from singlewindow.registry.models import SchemaType
from singlewindow.registry.service import RegistryService


class SchemaSource(Protocol):
    async def latest(self, subject: str) -> tuple[int, Mapping[str, Any]]: ...

    async def by_id(self, schema_id: int) -> Mapping[str, Any]: ...


class ServiceSchemaSource:
    """Reads straight from a ``RegistryService`` in this process."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    async def latest(self, subject: str) -> tuple[int, Mapping[str, Any]]:
        try:
            found = await self._service.get_version(subject, -1)
        except RegistryError as exc:
            raise NotFound(f"registry has no schema for {subject}: {exc}") from exc
        return found.schema.id, json.loads(found.schema.schema)

    async def by_id(self, schema_id: int) -> Mapping[str, Any]:
        try:
            return json.loads((await self._service.get_schema(schema_id)).schema)  # type: ignore[no-any-return]
        except RegistryError as exc:
            raise NotFound(f"no schema with id {schema_id}") from exc


async def load_specs_into(service: RegistryService, catalog: Catalog) -> int:
    """Register every Avro schema of ``catalog`` (idempotent), found and named as ``nsw registry load`` does;
    the hub reads only the Avro subjects, so the JSON ones are left to ``nsw registry load``."""
    avro = [spec for spec in spec_files(catalog.specs_dir) if spec.schema_type is SchemaType.AVRO]
    for spec in avro:
        try:
            await service.register(spec.subject, spec.path.read_text(), SchemaType.AVRO)
        except RegistryError as exc:
            raise ConfigurationError(f"cannot register {spec.path}: {exc}") from exc
    return len(avro)


async def build_codec(source: SchemaSource, document_types: Iterable[str]) -> AvroCodec:
    current = {name: await source.latest(avro_subject(name)) for name in document_types}
    return AvroCodec(current, source.by_id)

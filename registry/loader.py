"""Load message specs into a registry, and check one schema file, against a running registry (HTTP) or
directly against its database: both paths share one ``RegistryTarget`` protocol.

Subjects: ``documents/<type>/schema.avsc`` -> ``nsw.<type>.avro``, ``schema.json`` -> ``nsw.<type>.json``.
Spec subjects are set to BACKWARD_TRANSITIVE *before* registering, so even the first load of a changed spec
is checked against every earlier version. Loading twice changes nothing (registration is idempotent).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from singlewindow.registry.client.http import RegistryClient
from singlewindow.registry.errors import RegistryError, Unauthenticated
from singlewindow.registry.models import CompatibilityLevel, SchemaType
from singlewindow.registry.service import RegistryService

SPEC_LEVEL = CompatibilityLevel.BACKWARD_TRANSITIVE
_FILES = {"schema.avsc": SchemaType.AVRO, "schema.json": SchemaType.JSON}
_SUFFIX = {SchemaType.AVRO: "avro", SchemaType.JSON: "json"}


def spec_subject(document_type: str, schema_type: SchemaType) -> str:
    """The registry subject of a document type's schema: the one naming rule loaders and readers share."""
    return f"nsw.{document_type}.{_SUFFIX[schema_type]}"


class RegistryTarget(Protocol):
    async def set_level(self, subject: str, level: CompatibilityLevel) -> None: ...

    async def register(self, subject: str, schema: str, schema_type: SchemaType) -> int: ...

    async def check(self, subject: str, schema: str, schema_type: SchemaType) -> list[str]: ...


class ServiceTarget:
    """Straight to the database through the service (no server needed)."""

    def __init__(self, service: RegistryService) -> None:
        self.service = service

    async def set_level(self, subject: str, level: CompatibilityLevel) -> None:
        await self.service.set_config(subject, level)

    async def register(self, subject: str, schema: str, schema_type: SchemaType) -> int:
        return (await self.service.register(subject, schema, schema_type)).id

    async def check(self, subject: str, schema: str, schema_type: SchemaType) -> list[str]:
        report = await self.service.test_compatibility(subject, schema, schema_type, None)
        return list(report.messages)


class HttpTarget:
    """A running registry through its REST API."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client

    async def set_level(self, subject: str, level: CompatibilityLevel) -> None:
        await self.client.set_compatibility(subject, level.value)

    async def register(self, subject: str, schema: str, schema_type: SchemaType) -> int:
        return await self.client.register(subject, schema, schema_type)

    async def check(self, subject: str, schema: str, schema_type: SchemaType) -> list[str]:
        compatible, messages = await self.client.test_compatibility(subject, schema, schema_type)
        return [] if compatible else messages


@dataclass(frozen=True, slots=True)
class SpecFile:
    path: Path
    subject: str
    schema_type: SchemaType


@dataclass(frozen=True, slots=True)
class LoadResult:
    spec: SpecFile
    schema_id: int | None
    error: str | None


def spec_files(directory: Path) -> Iterator[SpecFile]:
    """Every spec schema under ``directory`` (message_specs/ or its documents/ folder), sorted."""
    documents = directory / "documents" if (directory / "documents").is_dir() else directory
    for folder in sorted(p for p in documents.iterdir() if p.is_dir()):
        for name, schema_type in _FILES.items():
            if (folder / name).is_file():
                yield SpecFile(folder / name, spec_subject(folder.name, schema_type), schema_type)


async def load_specs(target: RegistryTarget, directory: Path) -> list[LoadResult]:
    """Register every spec; one failing spec is reported and the others still load. A missing or bad
    token (401) stops at once: no spec could load."""
    results = []
    for spec in spec_files(directory):
        try:
            await target.set_level(spec.subject, SPEC_LEVEL)
            schema_id = await target.register(spec.subject, spec.path.read_text(), spec.schema_type)
            results.append(LoadResult(spec, schema_id, None))
        except Unauthenticated:
            raise
        except RegistryError as exc:
            results.append(LoadResult(spec, None, f"{exc.error_code}: {exc.message}"))
    return results


def schema_type_of(path: Path) -> SchemaType:
    """``.avsc`` is Avro; ``.json`` is JSON Schema; anything else must be said explicitly."""
    if path.suffix == ".avsc":
        return SchemaType.AVRO
    if path.suffix == ".json":
        return SchemaType.JSON
    raise ValueError(f"{path.name}: cannot tell the schema type from the extension; pass --type AVRO|JSON")

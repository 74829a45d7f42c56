"""Registry values as ``nsw.registry.v1`` messages and back: enums by name, versions as Confluent reads them."""

from __future__ import annotations

from singlewindow.registry.errors import InvalidCompatibilityLevel, InvalidMode
from singlewindow.registry.models import CompatibilityLevel, Mode, SchemaType, StoredSchema, SubjectVersion
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.versions import LATEST, parse_version


def schema_type_of(value: int) -> SchemaType:
    """UNSPECIFIED is Avro, as an absent ``schemaType`` is in the REST API."""
    if value == pb.SCHEMA_TYPE_UNSPECIFIED:
        return SchemaType.AVRO
    return SchemaType.parse(pb.SchemaType.Name(value))


def schema_type_message(value: SchemaType) -> str:
    """The enum label; the generated constructors take labels as well as numbers."""
    return value.value


def version_of(value: int) -> int:
    """0 (unset) and -1 mean latest; anything else must be a valid version number (42202 otherwise)."""
    return LATEST if value == 0 else parse_version(value)


def level_of(value: int) -> CompatibilityLevel:
    if value == pb.COMPATIBILITY_TYPE_UNSPECIFIED:
        raise InvalidCompatibilityLevel("Invalid compatibility level: 'compatibility' must be set")
    return CompatibilityLevel.parse(pb.CompatibilityType.Name(value))


def level_message(level: CompatibilityLevel) -> pb.SchemaConfig:
    return pb.SchemaConfig(compatibility=level.value)


def mode_of(value: int) -> Mode:
    if value == pb.MODE_TYPE_UNSPECIFIED:
        raise InvalidMode("Invalid mode: 'mode' must be set")
    return Mode.parse(pb.ModeType.Name(value))


def mode_message(mode: Mode) -> pb.SchemaMode:
    return pb.SchemaMode(mode=mode.value)


def schema_message(stored: StoredSchema) -> pb.Schema:
    return pb.Schema(id=stored.id, schema_type=schema_type_message(stored.schema_type), schema=stored.schema)


def version_message(row: SubjectVersion) -> pb.SchemaVersion:
    return pb.SchemaVersion(
        subject=row.subject,
        version=row.version,
        id=row.schema.id,
        schema_type=schema_type_message(row.schema.schema_type),
        schema=row.schema.schema,
        deleted=row.deleted,
    )

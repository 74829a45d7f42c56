"""The registry's vocabulary: schema types, compatibility levels, modes and the records the store returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from singlewindow.registry.errors import InvalidCompatibilityLevel, InvalidMode, InvalidSchema


class SchemaType(StrEnum):
    """Closed set of formats: code that branches on it ends with ``assert_never`` so a new one is caught."""

    AVRO = "AVRO"
    JSON = "JSON"

    @classmethod
    def parse(cls, value: object) -> SchemaType:
        """Absent means AVRO (Confluent's rule); anything else must name a supported type."""
        if value is None or value == "":
            return cls.AVRO
        try:
            return cls(str(value).upper())
        except ValueError:
            supported = ", ".join(t.value for t in cls)
            raise InvalidSchema(f"Invalid schema type {value!r}; supported types are {supported}") from None


class CompatibilityLevel(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @classmethod
    def parse(cls, value: object) -> CompatibilityLevel:
        try:
            return cls(str(value).upper())
        except ValueError:
            raise InvalidCompatibilityLevel(
                f"Invalid compatibility level {value!r}; valid levels are {', '.join(v.value for v in cls)}"
            ) from None

    @property
    def transitive(self) -> bool:
        """Transitive levels compare with every live version, the others with the latest only."""
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        """The new schema must read data written with the old one."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        """The old schema must read data written with the new one."""
        return self.value.startswith(("FORWARD", "FULL"))


class Mode(StrEnum):
    READWRITE = "READWRITE"
    READONLY = "READONLY"

    @classmethod
    def parse(cls, value: object) -> Mode:
        try:
            return cls(str(value).upper())
        except ValueError:
            raise InvalidMode(
                f"Invalid mode {value!r}; supported modes are {', '.join(v.value for v in cls)}"
            ) from None


DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD
DEFAULT_MODE = Mode.READWRITE


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """One schema content with its global id; the same content always has the same id."""

    id: int
    schema_type: SchemaType
    schema: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class SubjectVersion:
    """One version of a subject: which schema it points to and whether it is soft-deleted."""

    subject: str
    version: int
    schema: StoredSchema
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Registered:
    """What registration answers: the id, the version, and whether anything new was written."""

    id: int
    version: int
    created: bool


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    is_compatible: bool
    messages: tuple[str, ...]

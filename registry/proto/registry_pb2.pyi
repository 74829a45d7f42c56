from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SchemaType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEMA_TYPE_UNSPECIFIED: _ClassVar[SchemaType]
    AVRO: _ClassVar[SchemaType]
    JSON: _ClassVar[SchemaType]

class CompatibilityType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPATIBILITY_TYPE_UNSPECIFIED: _ClassVar[CompatibilityType]
    NONE: _ClassVar[CompatibilityType]
    BACKWARD: _ClassVar[CompatibilityType]
    BACKWARD_TRANSITIVE: _ClassVar[CompatibilityType]
    FORWARD: _ClassVar[CompatibilityType]
    FORWARD_TRANSITIVE: _ClassVar[CompatibilityType]
    FULL: _ClassVar[CompatibilityType]
    FULL_TRANSITIVE: _ClassVar[CompatibilityType]

class ModeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODE_TYPE_UNSPECIFIED: _ClassVar[ModeType]
    READWRITE: _ClassVar[ModeType]
    READONLY: _ClassVar[ModeType]
SCHEMA_TYPE_UNSPECIFIED: SchemaType
AVRO: SchemaType
JSON: SchemaType
COMPATIBILITY_TYPE_UNSPECIFIED: CompatibilityType
NONE: CompatibilityType
BACKWARD: CompatibilityType
BACKWARD_TRANSITIVE: CompatibilityType
FORWARD: CompatibilityType
FORWARD_TRANSITIVE: CompatibilityType
FULL: CompatibilityType
FULL_TRANSITIVE: CompatibilityType
MODE_TYPE_UNSPECIFIED: ModeType
READWRITE: ModeType
READONLY: ModeType

class Schema(_message.Message):
    __slots__ = ("id", "schema_type", "schema")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    id: int
    schema_type: SchemaType
    schema: str
    def __init__(self, id: _Optional[int] = ..., schema_type: _Optional[_Union[SchemaType, str]] = ..., schema: _Optional[str] = ...) -> None: ...

class SchemaVersion(_message.Message):
    __slots__ = ("subject", "version", "id", "schema_type", "schema", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    id: int
    schema_type: SchemaType
    schema: str
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., id: _Optional[int] = ..., schema_type: _Optional[_Union[SchemaType, str]] = ..., schema: _Optional[str] = ..., deleted: _Optional[bool] = ...) -> None: ...

class CreateVersionRequest(_message.Message):
    __slots__ = ("subject", "schema", "schema_type")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    schema: str
    schema_type: SchemaType
    def __init__(self, subject: _Optional[str] = ..., schema: _Optional[str] = ..., schema_type: _Optional[_Union[SchemaType, str]] = ...) -> None: ...

class CreateVersionResponse(_message.Message):
    __slots__ = ("id", "version", "created", "schema")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    id: int
    version: int
    created: bool
    schema: str
    def __init__(self, id: _Optional[int] = ..., version: _Optional[int] = ..., created: _Optional[bool] = ..., schema: _Optional[str] = ...) -> None: ...

class LookupVersionRequest(_message.Message):
    __slots__ = ("subject", "schema", "schema_type", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    schema: str
    schema_type: SchemaType
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., schema: _Optional[str] = ..., schema_type: _Optional[_Union[SchemaType, str]] = ..., deleted: _Optional[bool] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ("subject", "version", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., deleted: _Optional[bool] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("subject", "deleted", "deleted_only")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETED_ONLY_FIELD_NUMBER: _ClassVar[int]
    subject: str
    deleted: bool
    deleted_only: bool
    def __init__(self, subject: _Optional[str] = ..., deleted: _Optional[bool] = ..., deleted_only: _Optional[bool] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, versions: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteVersionRequest(_message.Message):
    __slots__ = ("subject", "version", "permanent")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    permanent: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., permanent: _Optional[bool] = ...) -> None: ...

class DeleteVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class ListSubjectsRequest(_message.Message):
    __slots__ = ("subject_prefix", "deleted", "deleted_only")
    SUBJECT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETED_ONLY_FIELD_NUMBER: _ClassVar[int]
    subject_prefix: str
    deleted: bool
    deleted_only: bool
    def __init__(self, subject_prefix: _Optional[str] = ..., deleted: _Optional[bool] = ..., deleted_only: _Optional[bool] = ...) -> None: ...

class ListSubjectsResponse(_message.Message):
    __slots__ = ("subjects",)
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    subjects: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subjects: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteSubjectRequest(_message.Message):
    __slots__ = ("subject", "permanent")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    permanent: bool
    def __init__(self, subject: _Optional[str] = ..., permanent: _Optional[bool] = ...) -> None: ...

class DeleteSubjectResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, versions: _Optional[_Iterable[int]] = ...) -> None: ...

class GetSchemaRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    def __init__(self, id: _Optional[int] = ...) -> None: ...

class ListSchemaVersionsRequest(_message.Message):
    __slots__ = ("id", "deleted")
    ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    id: int
    deleted: bool
    def __init__(self, id: _Optional[int] = ..., deleted: _Optional[bool] = ...) -> None: ...

class SubjectVersionRef(_message.Message):
    __slots__ = ("subject", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListSchemaVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[SubjectVersionRef]
    def __init__(self, versions: _Optional[_Iterable[_Union[SubjectVersionRef, _Mapping]]] = ...) -> None: ...

class ListSchemaTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSchemaTypesResponse(_message.Message):
    __slots__ = ("schema_types",)
    SCHEMA_TYPES_FIELD_NUMBER: _ClassVar[int]
    schema_types: _containers.RepeatedScalarFieldContainer[SchemaType]
    def __init__(self, schema_types: _Optional[_Iterable[_Union[SchemaType, str]]] = ...) -> None: ...

class CheckCompatibilityRequest(_message.Message):
    __slots__ = ("subject", "schema", "schema_type", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    schema: str
    schema_type: SchemaType
    version: int
    def __init__(self, subject: _Optional[str] = ..., schema: _Optional[str] = ..., schema_type: _Optional[_Union[SchemaType, str]] = ..., version: _Optional[int] = ...) -> None: ...

class CheckCompatibilityResponse(_message.Message):
    __slots__ = ("is_compatible", "messages")
    IS_COMPATIBLE_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    is_compatible: bool
    messages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, is_compatible: _Optional[bool] = ..., messages: _Optional[_Iterable[str]] = ...) -> None: ...

class SchemaConfig(_message.Message):
    __slots__ = ("compatibility",)
    COMPATIBILITY_FIELD_NUMBER: _ClassVar[int]
    compatibility: CompatibilityType
    def __init__(self, compatibility: _Optional[_Union[CompatibilityType, str]] = ...) -> None: ...

class GetSchemaConfigRequest(_message.Message):
    __slots__ = ("subject", "default_to_global")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TO_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    subject: str
    default_to_global: bool
    def __init__(self, subject: _Optional[str] = ..., default_to_global: _Optional[bool] = ...) -> None: ...

class UpdateSchemaConfigRequest(_message.Message):
    __slots__ = ("subject", "compatibility")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITY_FIELD_NUMBER: _ClassVar[int]
    subject: str
    compatibility: CompatibilityType
    def __init__(self, subject: _Optional[str] = ..., compatibility: _Optional[_Union[CompatibilityType, str]] = ...) -> None: ...

class DeleteSchemaConfigRequest(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    def __init__(self, subject: _Optional[str] = ...) -> None: ...

class SchemaMode(_message.Message):
    __slots__ = ("mode",)
    MODE_FIELD_NUMBER: _ClassVar[int]
    mode: ModeType
    def __init__(self, mode: _Optional[_Union[ModeType, str]] = ...) -> None: ...

class GetSchemaModeRequest(_message.Message):
    __slots__ = ("subject", "default_to_global")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TO_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    subject: str
    default_to_global: bool
    def __init__(self, subject: _Optional[str] = ..., default_to_global: _Optional[bool] = ...) -> None: ...

class UpdateSchemaModeRequest(_message.Message):
    __slots__ = ("subject", "mode")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    mode: ModeType
    def __init__(self, subject: _Optional[str] = ..., mode: _Optional[_Union[ModeType, str]] = ...) -> None: ...

class DeleteSchemaModeRequest(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    def __init__(self, subject: _Optional[str] = ...) -> None: ...

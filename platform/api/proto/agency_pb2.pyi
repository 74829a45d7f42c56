from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AttachmentInfo(_message.Message):
    __slots__ = ("sha256", "size_bytes", "media_type", "file_name", "uploaded_at")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    UPLOADED_AT_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    size_bytes: int
    media_type: str
    file_name: str
    uploaded_at: str
    def __init__(self, sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ..., media_type: _Optional[str] = ..., file_name: _Optional[str] = ..., uploaded_at: _Optional[str] = ...) -> None: ...

class AttachmentChunk(_message.Message):
    __slots__ = ("info", "data")
    INFO_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    info: AttachmentInfo
    data: bytes
    def __init__(self, info: _Optional[_Union[AttachmentInfo, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class GetAttachmentRequest(_message.Message):
    __slots__ = ("sha256",)
    SHA256_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    def __init__(self, sha256: _Optional[str] = ...) -> None: ...

class NextRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueuedDocument(_message.Message):
    __slots__ = ("empty", "ticket", "agency", "submission_id", "version", "ucr", "view", "document_json", "claim_expires_at")
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UCR_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    CLAIM_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    empty: bool
    ticket: int
    agency: str
    submission_id: str
    version: int
    ucr: str
    view: str
    document_json: str
    claim_expires_at: str
    def __init__(self, empty: _Optional[bool] = ..., ticket: _Optional[int] = ..., agency: _Optional[str] = ..., submission_id: _Optional[str] = ..., version: _Optional[int] = ..., ucr: _Optional[str] = ..., view: _Optional[str] = ..., document_json: _Optional[str] = ..., claim_expires_at: _Optional[str] = ...) -> None: ...

class CodedText(_message.Message):
    __slots__ = ("code", "text")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    code: str
    text: str
    def __init__(self, code: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class DecideRequest(_message.Message):
    __slots__ = ("ticket", "status", "channel", "conditions", "reasons", "query_question", "query_respond_by", "officer_name")
    TICKET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    QUERY_QUESTION_FIELD_NUMBER: _ClassVar[int]
    QUERY_RESPOND_BY_FIELD_NUMBER: _ClassVar[int]
    OFFICER_NAME_FIELD_NUMBER: _ClassVar[int]
    ticket: int
    status: str
    channel: str
    conditions: _containers.RepeatedCompositeFieldContainer[CodedText]
    reasons: _containers.RepeatedCompositeFieldContainer[CodedText]
    query_question: str
    query_respond_by: str
    officer_name: str
    def __init__(self, ticket: _Optional[int] = ..., status: _Optional[str] = ..., channel: _Optional[str] = ..., conditions: _Optional[_Iterable[_Union[CodedText, _Mapping]]] = ..., reasons: _Optional[_Iterable[_Union[CodedText, _Mapping]]] = ..., query_question: _Optional[str] = ..., query_respond_by: _Optional[str] = ..., officer_name: _Optional[str] = ...) -> None: ...

class RecordedDecision(_message.Message):
    __slots__ = ("id", "ticket", "agency", "submission_id", "version", "decision_json", "decided_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DECISION_JSON_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    ticket: int
    agency: str
    submission_id: str
    version: int
    decision_json: str
    decided_at: str
    def __init__(self, id: _Optional[int] = ..., ticket: _Optional[int] = ..., agency: _Optional[str] = ..., submission_id: _Optional[str] = ..., version: _Optional[int] = ..., decision_json: _Optional[str] = ..., decided_at: _Optional[str] = ...) -> None: ...

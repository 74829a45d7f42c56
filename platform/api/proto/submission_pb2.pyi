import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitRequest(_message.Message):
    __slots__ = ("document_type", "document_json", "trader_reference", "declarant")
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    TRADER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DECLARANT_FIELD_NUMBER: _ClassVar[int]
    document_type: str
    document_json: str
    trader_reference: str
    declarant: str
    def __init__(self, document_type: _Optional[str] = ..., document_json: _Optional[str] = ..., trader_reference: _Optional[str] = ..., declarant: _Optional[str] = ...) -> None: ...

class SubmitResponse(_message.Message):
    __slots__ = ("submission", "created")
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    submission: Submission
    created: bool
    def __init__(self, submission: _Optional[_Union[Submission, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class AmendRequest(_message.Message):
    __slots__ = ("submission_id", "document_json")
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    document_json: str
    def __init__(self, submission_id: _Optional[str] = ..., document_json: _Optional[str] = ...) -> None: ...

class CancelRequest(_message.Message):
    __slots__ = ("submission_id", "reason")
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    reason: str
    def __init__(self, submission_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RespondToQueryRequest(_message.Message):
    __slots__ = ("submission_id", "recipient", "answer")
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    recipient: str
    answer: str
    def __init__(self, submission_id: _Optional[str] = ..., recipient: _Optional[str] = ..., answer: _Optional[str] = ...) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ("submission_id",)
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    def __init__(self, submission_id: _Optional[str] = ...) -> None: ...

class ListRequest(_message.Message):
    __slots__ = ("status", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    limit: int
    def __init__(self, status: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListResponse(_message.Message):
    __slots__ = ("submissions",)
    SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    submissions: _containers.RepeatedCompositeFieldContainer[Submission]
    def __init__(self, submissions: _Optional[_Iterable[_Union[Submission, _Mapping]]] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ("resume_token", "submission_id")
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    resume_token: str
    submission_id: str
    def __init__(self, resume_token: _Optional[str] = ..., submission_id: _Optional[str] = ...) -> None: ...

class Submission(_message.Message):
    __slots__ = ("submission_id", "declarant_id", "trader_reference", "document_type", "ucr", "version", "status", "status_sequence", "terminal", "cancelled", "created_at", "recipients")
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DECLARANT_ID_FIELD_NUMBER: _ClassVar[int]
    TRADER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    UCR_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    declarant_id: str
    trader_reference: str
    document_type: str
    ucr: str
    version: int
    status: str
    status_sequence: int
    terminal: bool
    cancelled: bool
    created_at: _timestamp_pb2.Timestamp
    recipients: _containers.RepeatedCompositeFieldContainer[Recipient]
    def __init__(self, submission_id: _Optional[str] = ..., declarant_id: _Optional[str] = ..., trader_reference: _Optional[str] = ..., document_type: _Optional[str] = ..., ucr: _Optional[str] = ..., version: _Optional[int] = ..., status: _Optional[str] = ..., status_sequence: _Optional[int] = ..., terminal: _Optional[bool] = ..., cancelled: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recipients: _Optional[_Iterable[_Union[Recipient, _Mapping]]] = ...) -> None: ...

class Recipient(_message.Message):
    __slots__ = ("recipient", "kind", "view", "effective_status", "transport", "attempt", "matched_rules", "deadline_at", "decision_json")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_STATUS_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    MATCHED_RULES_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_JSON_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    kind: str
    view: str
    effective_status: str
    transport: str
    attempt: int
    matched_rules: _containers.RepeatedScalarFieldContainer[str]
    deadline_at: _timestamp_pb2.Timestamp
    decision_json: str
    def __init__(self, recipient: _Optional[str] = ..., kind: _Optional[str] = ..., view: _Optional[str] = ..., effective_status: _Optional[str] = ..., transport: _Optional[str] = ..., attempt: _Optional[int] = ..., matched_rules: _Optional[_Iterable[str]] = ..., deadline_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decision_json: _Optional[str] = ...) -> None: ...

class WatchEvent(_message.Message):
    __slots__ = ("resume_token", "kind", "submission_id", "version", "status", "recipient", "actor", "at")
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    resume_token: str
    kind: str
    submission_id: str
    version: int
    status: str
    recipient: str
    actor: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, resume_token: _Optional[str] = ..., kind: _Optional[str] = ..., submission_id: _Optional[str] = ..., version: _Optional[int] = ..., status: _Optional[str] = ..., recipient: _Optional[str] = ..., actor: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ErrorDetails(_message.Message):
    __slots__ = ("error", "problems")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    error: str
    problems: _containers.RepeatedCompositeFieldContainer[Problem]
    def __init__(self, error: _Optional[str] = ..., problems: _Optional[_Iterable[_Union[Problem, _Mapping]]] = ...) -> None: ...

class Problem(_message.Message):
    __slots__ = ("path", "code", "message", "severity")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    path: str
    code: str
    message: str
    severity: str
    def __init__(self, path: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., severity: _Optional[str] = ...) -> None: ...

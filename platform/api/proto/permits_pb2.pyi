from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Quantity(_message.Message):
    __slots__ = ("value", "unit")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    value: str
    unit: str
    def __init__(self, value: _Optional[str] = ..., unit: _Optional[str] = ...) -> None: ...

class Permit(_message.Message):
    __slots__ = ("id", "number", "kind", "issuing_agency", "holder_id", "hs_codes", "description", "quantity", "remaining", "valid_from", "valid_until", "status", "issued_by", "issued_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ISSUING_AGENCY_FIELD_NUMBER: _ClassVar[int]
    HOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    HS_CODES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ISSUED_BY_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    number: str
    kind: str
    issuing_agency: str
    holder_id: str
    hs_codes: _containers.RepeatedScalarFieldContainer[str]
    description: str
    quantity: Quantity
    remaining: Quantity
    valid_from: str
    valid_until: str
    status: str
    issued_by: str
    issued_at: str
    def __init__(self, id: _Optional[str] = ..., number: _Optional[str] = ..., kind: _Optional[str] = ..., issuing_agency: _Optional[str] = ..., holder_id: _Optional[str] = ..., hs_codes: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, _Mapping]] = ..., remaining: _Optional[_Union[Quantity, _Mapping]] = ..., valid_from: _Optional[str] = ..., valid_until: _Optional[str] = ..., status: _Optional[str] = ..., issued_by: _Optional[str] = ..., issued_at: _Optional[str] = ...) -> None: ...

class IssueRequest(_message.Message):
    __slots__ = ("number", "kind", "holder_id", "hs_codes", "description", "quantity", "valid_from", "valid_until")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    HS_CODES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    number: str
    kind: str
    holder_id: str
    hs_codes: _containers.RepeatedScalarFieldContainer[str]
    description: str
    quantity: Quantity
    valid_from: str
    valid_until: str
    def __init__(self, number: _Optional[str] = ..., kind: _Optional[str] = ..., holder_id: _Optional[str] = ..., hs_codes: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, _Mapping]] = ..., valid_from: _Optional[str] = ..., valid_until: _Optional[str] = ...) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class SetStatusRequest(_message.Message):
    __slots__ = ("number", "status")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    number: str
    status: str
    def __init__(self, number: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class CheckRequest(_message.Message):
    __slots__ = ("number", "holder_id", "hs_code", "quantity", "at", "kind")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    HOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    number: str
    holder_id: str
    hs_code: str
    quantity: Quantity
    at: str
    kind: str
    def __init__(self, number: _Optional[str] = ..., holder_id: _Optional[str] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, _Mapping]] = ..., at: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class Problem(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class CheckResponse(_message.Message):
    __slots__ = ("number", "ok", "permit", "problems")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    PERMIT_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    number: str
    ok: bool
    permit: Permit
    problems: _containers.RepeatedCompositeFieldContainer[Problem]
    def __init__(self, number: _Optional[str] = ..., ok: _Optional[bool] = ..., permit: _Optional[_Union[Permit, _Mapping]] = ..., problems: _Optional[_Iterable[_Union[Problem, _Mapping]]] = ...) -> None: ...

class WriteOffRequest(_message.Message):
    __slots__ = ("number", "holder_id", "hs_code", "quantity", "at", "kind", "submission_id", "submission_version", "goods_item")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    HOLDER_ID_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_VERSION_FIELD_NUMBER: _ClassVar[int]
    GOODS_ITEM_FIELD_NUMBER: _ClassVar[int]
    number: str
    holder_id: str
    hs_code: str
    quantity: Quantity
    at: str
    kind: str
    submission_id: str
    submission_version: int
    goods_item: int
    def __init__(self, number: _Optional[str] = ..., holder_id: _Optional[str] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[_Union[Quantity, _Mapping]] = ..., at: _Optional[str] = ..., kind: _Optional[str] = ..., submission_id: _Optional[str] = ..., submission_version: _Optional[int] = ..., goods_item: _Optional[int] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("permit_number", "submission_id", "submission_version", "goods_item", "quantity", "written_off_by", "written_off_at", "kind", "reason", "reversed_by", "reversed_at")
    PERMIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_VERSION_FIELD_NUMBER: _ClassVar[int]
    GOODS_ITEM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_OFF_BY_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_OFF_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVERSED_BY_FIELD_NUMBER: _ClassVar[int]
    REVERSED_AT_FIELD_NUMBER: _ClassVar[int]
    permit_number: str
    submission_id: str
    submission_version: int
    goods_item: int
    quantity: Quantity
    written_off_by: str
    written_off_at: str
    kind: str
    reason: str
    reversed_by: str
    reversed_at: str
    def __init__(self, permit_number: _Optional[str] = ..., submission_id: _Optional[str] = ..., submission_version: _Optional[int] = ..., goods_item: _Optional[int] = ..., quantity: _Optional[_Union[Quantity, _Mapping]] = ..., written_off_by: _Optional[str] = ..., written_off_at: _Optional[str] = ..., kind: _Optional[str] = ..., reason: _Optional[str] = ..., reversed_by: _Optional[str] = ..., reversed_at: _Optional[str] = ...) -> None: ...

class WriteOffResponse(_message.Message):
    __slots__ = ("entry", "remaining", "created")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    remaining: Quantity
    created: bool
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., remaining: _Optional[_Union[Quantity, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class ReverseWriteOffRequest(_message.Message):
    __slots__ = ("number", "submission_id", "submission_version", "goods_item", "reason")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_VERSION_FIELD_NUMBER: _ClassVar[int]
    GOODS_ITEM_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    number: str
    submission_id: str
    submission_version: int
    goods_item: int
    reason: str
    def __init__(self, number: _Optional[str] = ..., submission_id: _Optional[str] = ..., submission_version: _Optional[int] = ..., goods_item: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReversalResponse(_message.Message):
    __slots__ = ("entry", "remaining", "created")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    remaining: Quantity
    created: bool
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., remaining: _Optional[_Union[Quantity, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class LedgerResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LedgerEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[LedgerEntry, _Mapping]]] = ...) -> None: ...

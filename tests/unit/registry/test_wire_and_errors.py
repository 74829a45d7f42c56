"""The Confluent framing and the client's mapping of error answers back to the registry's classes."""

from __future__ import annotations

import pytest

from singlewindow.registry import errors
from singlewindow.registry.client.wire import frame, unframe


def test_frame_layout_is_magic_zero_and_big_endian_id() -> None:
    data = frame(0x01020304, b"payload")
    assert data == b"\x00\x01\x02\x03\x04payload"
    assert unframe(data) == (0x01020304, b"payload")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [(b"\x00\x01", "shorter than the 5-byte header"), (b"\x01\x00\x00\x00\x01x", "Unknown magic byte 1")],
)
def test_unframe_refuses_foreign_bytes(data: bytes, fragment: str) -> None:
    with pytest.raises(errors.WireFormatError, match=fragment):
        unframe(data)


def test_frame_refuses_ids_over_four_bytes() -> None:
    with pytest.raises(errors.WireFormatError):
        frame(2**32, b"")


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (404, {"error_code": 40401, "message": "m"}, errors.SubjectNotFound),
        (404, {"error_code": 40403, "message": "m"}, errors.SchemaNotFound),
        (422, {"error_code": 42201, "message": "m"}, errors.InvalidSchema),
        (409, {"error_code": 409, "message": "m"}, errors.IncompatibleSchema),
        (409, {"error_code": 40901, "message": "m"}, errors.IncompatibleSchema),
        (404, "not json", errors.NotFound),
        (503, {"error_code": 50003, "message": "m"}, errors.StoreError),
    ],
)
def test_error_from_response(status: int, body: object, cls: type[errors.RegistryError]) -> None:
    error = errors.error_from_response(status, body)
    assert type(error) is cls
    assert error.message


def test_every_error_class_has_a_distinct_confluent_code() -> None:
    codes = [cls.error_code for cls in errors._BY_CODE.values()]
    assert len(codes) == len(set(codes))
    assert errors.IncompatibleSchema(["x"], level="BACKWARD").http_status == 409

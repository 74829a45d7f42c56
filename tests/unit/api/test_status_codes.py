"""The one error table: every class of the exception tree has its own row, and both codes are sensible."""

from __future__ import annotations

import grpc

from singlewindow.platform import errors
from singlewindow.platform.api.status_codes import INTERNAL, TABLE, error_code, problems_of, status_of


def _tree(root: type[errors.NswError]) -> list[type[errors.NswError]]:
    found = [root]
    for sub in root.__subclasses__():
        found.extend(_tree(sub))
    return found


def test_every_exception_class_has_its_own_row() -> None:
    declared = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.NswError) and value.__module__ == errors.__name__
    }
    walked = {cls for cls in _tree(errors.NswError) if cls.__module__ == errors.__name__}
    assert declared == walked
    missing = sorted(cls.__name__ for cls in walked if cls not in TABLE)
    assert missing == [], f"add these to status_codes.TABLE: {missing}"


def test_caller_errors_are_4xx_and_retryable_ones_unavailable() -> None:
    for cls, status in TABLE.items():
        if issubclass(cls, errors.TransientError):
            assert status.grpc is grpc.StatusCode.UNAVAILABLE and status.http == 503
        if issubclass(cls, errors.InvalidInput | errors.NotFound | errors.Conflict | errors.AccessDenied):
            assert 400 <= status.http < 500, cls


def test_lookup_uses_the_class_itself_then_its_ancestors() -> None:
    assert status_of(errors.Unauthenticated("x")).http == 401
    assert status_of(errors.AccessDenied("x")).grpc is grpc.StatusCode.PERMISSION_DENIED
    assert status_of(errors.PayloadTooLarge("x")).http == 413

    class Private(errors.NotFound):
        pass

    assert status_of(Private("x")) == TABLE[errors.NotFound]
    assert status_of(RuntimeError("boom")) == INTERNAL
    assert error_code(RuntimeError("boom")) == "internal"


def test_problems_come_only_from_invalid_input() -> None:
    problem = errors.Problem("/ucr", "required", "missing")
    assert problems_of(errors.InvalidInput("bad", [problem])) == (problem,)
    assert problems_of(errors.Conflict("dup")) == ()


def test_the_api_reference_shows_the_table() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    for cls, status in TABLE.items():
        row = f"| `{cls.__name__}` | `{cls.code}` | {status.grpc.name} | {status.http} |"
        assert row in page, f"docs/api.md lacks: {row}"

"""Version and subject arguments as Confluent accepts them, and picking a version from a subject's rows."""

from __future__ import annotations

from collections.abc import Sequence

from singlewindow.registry.errors import InvalidSubject, InvalidVersion, SubjectNotFound, VersionNotFound
from singlewindow.registry.models import SubjectVersion

LATEST = -1
MAX_VERSION = 2**31 - 1


def parse_version(value: str | int) -> int:
    """``latest`` (any case) and ``-1`` mean the latest version; otherwise an integer in [1, 2^31-1]."""
    text = str(value).strip()
    if text.lower() == "latest" or text == "-1":
        return LATEST
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_VERSION:
        raise InvalidVersion(
            f"The specified version '{value}' is not a valid version id. Allowed values are between "
            f'[1, {MAX_VERSION}] and the string "latest"'
        )
    return number


def check_subject(subject: str) -> None:
    """A subject must be non-empty and printable; anything else is 42208."""
    if not subject or not subject.strip() or any(ord(ch) < 32 for ch in subject):
        raise InvalidSubject(f"The specified subject {subject!r} is not a valid subject name")


def pick_version(subject: str, rows: Sequence[SubjectVersion], version: int, *, deleted: bool) -> SubjectVersion:
    """The requested version among the subject's rows (oldest first); soft-deleted ones only if asked."""
    visible = list(rows) if deleted else [row for row in rows if not row.deleted]
    if not visible:
        raise SubjectNotFound(f"Subject '{subject}' not found.")
    if version == LATEST:
        return visible[-1]
    for row in visible:
        if row.version == version:
            return row
    raise VersionNotFound(f"Version {version} not found.")

"""Version and subject arguments as Confluent accepts them, and picking a version from a subject's rows.

Numbers are ASCII digits only: Python's ``int`` also reads "١٢", "1_000" and " +1", and digits like "²"
pass ``str.isdigit`` but not ``int``; none of those is a version or an id here. Subjects must be text the
store can hold (no NUL or other control characters, no lone surrogates).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from singlewindow.registry.errors import InvalidSubject, InvalidVersion, SubjectNotFound, VersionNotFound
from singlewindow.registry.models import SubjectVersion

LATEST = -1
MAX_VERSION = 2**31 - 1
MAX_ID = 2**31 - 1  # ids and versions are 32-bit integer columns (and int32 on gRPC)
_DECIMAL = re.compile(r"-?[0-9]{1,12}")  # more digits cannot be in range; never hand int() 4,300 of them


def ascii_int(text: str) -> int | None:
    """``text`` as an integer when it is plain ASCII decimal (optional minus, at most 12 digits), else None."""
    return int(text) if _DECIMAL.fullmatch(text) else None


def parse_version(value: str | int) -> int:
    """``latest`` (any case) and ``-1`` mean the latest version; otherwise an integer in [1, 2^31-1]."""
    text = str(value).strip()
    if text.lower() == "latest" or text == "-1":
        return LATEST
    number = ascii_int(text) or 0
    if not 1 <= number <= MAX_VERSION:
        raise InvalidVersion(
            f"The specified version {_shown(value)} is not a valid version id. Allowed values are between "
            f'[1, {MAX_VERSION}] and the string "latest"'
        )
    return number


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "...").encode("ascii", "backslashreplace").decode()


def check_subject(subject: str) -> None:
    """A subject must be non-empty and printable text the store can hold; anything else is 42208."""
    if (
        not subject
        or not subject.strip()
        or any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in subject)
    ):
        raise InvalidSubject(f"The specified subject {_shown(subject)} is not a valid subject name")


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

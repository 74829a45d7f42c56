"""Read an interchange from the bytes another administration sent: our own reader, not pydifact's.

pydifact reads neither functional groups (UNG/UNE) nor the syntax level's character set, and reports
neither the place of a problem nor more than one problem; the envelope, counts and references are what a
partner's file gets wrong, so they are read here (pydifact still writes what the adapter sends).

Order: a UTF-8 byte-order mark is dropped; the size is bounded; UNA (if any) gives the service characters;
UNB's syntax identifier gives the codec and repertoire (the header is ASCII in every level, so it is found
before decoding); then the text is cut into segments and the envelope checked.
"""

from __future__ import annotations

import re

from singlewindow.adapters.customs.edifact.envelope import open_envelope
from singlewindow.adapters.customs.edifact.lexer import Lexer
from singlewindow.adapters.customs.edifact.model import EdifactError, EdiMessage, Interchange
from singlewindow.adapters.customs.edifact.syntax import DEFAULT, LEVEL_B_DEFAULT, LEVELS, UNA_LENGTH, parse_una
from singlewindow.adapters.formats import Problem

MAX_BYTES = 8 * 1024 * 1024  # far above a day's declarations in one file; bounds memory for a hostile one
BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff")
OWN_DIRECTORY = "D.96B"  # what the adapter and the customs system exchange
_SYNTAX = re.compile(r"[\r\n]*UNB(.)([A-Z]{4})")


def _refusal(where: str, rule: str, message: str) -> Interchange:
    return Interchange(problems=(Problem(where, rule, message),))


def read_interchange(data: bytes) -> Interchange:
    """The interchange in ``data``, never raising: every problem is in ``Interchange.problems``."""
    if len(data) > MAX_BYTES:
        return _refusal("file", "edifact.too-large", f"{len(data)} bytes; at most {MAX_BYTES} are read")
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if data.startswith(_OTHER_BOMS):
        return _refusal("file", "edifact.encoding", "UTF-16 byte-order mark: EDIFACT is written in octets")
    head = data[: UNA_LENGTH + 64].decode("latin-1")
    chars, start = DEFAULT, 0
    if head.startswith("UNA"):
        declared, why = parse_una(head)
        if declared is None:
            return _refusal("service string advice (UNA)", "edifact.una", why or "unusable UNA")
        chars, start = declared, UNA_LENGTH
    found = _SYNTAX.match(head, start)
    if found is None:
        return _refusal("segment 1", "edifact.unb-missing", "the interchange does not start with UNB")
    level = LEVELS.get(found.group(2))
    if level is None:
        known = ", ".join(LEVELS)
        return _refusal("segment 1 (UNB), element 1, component 1", "edifact.syntax-identifier",
                        f"syntax identifier {found.group(2)!r} is not one of {known}")  # fmt: skip
    if start == 0 and level.identifier == "UNOB":
        chars = LEVEL_B_DEFAULT
    try:
        text = data[start:].decode(level.codec, errors="surrogateescape")
    except UnicodeDecodeError as exc:  # stateful codecs (ISO 2022) may refuse a broken escape sequence outright
        return _refusal("file", "edifact.character-set", f"not {level.identifier} ({level.codec}): {exc.reason}")
    lexer = Lexer(chars, level)
    segments = lexer.run(text)
    interchange = open_envelope(segments, chars.decimal)
    return Interchange(
        interchange.syntax, interchange.syntax_version, interchange.sender, interchange.recipient,
        interchange.control_reference, interchange.messages, interchange.groups,
        (*lexer.problems, *interchange.problems),
    )  # fmt: skip


def read(text: str, expected_type: str) -> EdiMessage:
    """The single message of ``text`` (the adapter's own exchange: one message per file); EdifactError
    lists every problem of the interchange, or names the message type found instead."""
    interchange = read_interchange(text.encode("utf-8"))
    if interchange.problems:
        raise EdifactError(*interchange.problems)
    if len(interchange.messages) != 1:
        raise EdifactError(
            Problem("interchange", "edifact.message-count", f"expected one message, found {len(interchange.messages)}")
        )
    (message,) = interchange.messages
    if (message.type, message.version) != (expected_type, OWN_DIRECTORY):
        found = f"{message.type} {message.version}"
        raise EdifactError(
            Problem(message.where, "edifact.message-type", f"expected {expected_type} {OWN_DIRECTORY}, got {found}")
        )
    return message

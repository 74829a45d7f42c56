"""The result type of a compatibility check and the JSON pointer helpers the rules share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

Schema = Any
"""A JSON Schema node: a mapping or a boolean (``true`` accepts everything, ``false`` nothing)."""


@dataclass(frozen=True)
class Incompatibility:
    """One reason why some instance valid under the writer schema may be rejected by the reader schema.

    ``pointer`` is a JSON pointer into the reader schema (the place the rule fired; for a removed
    property it names where the property would be), ``rule`` a stable kebab-case id, ``message`` says
    what the reader and the writer each declare.
    """

    pointer: str
    rule: str
    message: str


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


class At(NamedTuple):
    """Where the comparison stands: a pointer into each schema and how deep into the instance we went."""

    reader: str
    writer: str
    depth: int = 0

    def key(self, *tokens: str | int) -> str:
        """The reader pointer extended by ``tokens`` (used as the pointer of a reported rule)."""
        return self.reader + "".join("/" + escape(str(t)) for t in tokens)

    def child(self, reader: tuple[str | int, ...], writer: tuple[str | int, ...] | None = None) -> At:
        """Step into a subschema that applies to the same instance (combinators, ``$ref``)."""
        wtokens = reader if writer is None else writer
        return At(
            self.key(*reader),
            self.writer + "".join("/" + escape(str(t)) for t in wtokens),
            self.depth,
        )

    def descend(self, reader: tuple[str | int, ...], writer: tuple[str | int, ...] | None = None) -> At:
        """Step into a subschema that applies to a part of the instance (a property, an item)."""
        moved = self.child(reader, writer)
        return At(moved.reader, moved.writer, self.depth + 1)

    def jump(self, reader: str | None = None, writer: str | None = None) -> At:
        """Follow a ``$ref``: the pointer restarts at the referenced location."""
        return At(self.reader if reader is None else reader, self.writer if writer is None else writer, self.depth)


def pointer_or_root(pointer: str) -> str:
    """Render the root pointer (the empty string) readably in messages."""
    return pointer or "#"

"""State of one check: both sides, the findings, recursion guards, per-check caches and the budget.

``memo`` maps a pair of subschemas (by identity; the entry keeps both alive, so an id is never reused) to
the findings its comparison reported, so shared sub-structures (``$ref`` targets, combinator branches that
resolve to one node) are compared once: without it nested ``anyOf``/``$ref`` cost time exponential in the
depth. A result that depended on a cycle or nesting cut-off is not memoised (``uncertain`` counts those).
A repeated pair reports the findings of its first comparison, so their pointers name the first place the
pair was met. Every comparison takes one step of the check's ``CheckBudget``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from singlewindow.registry.budget import CheckBudget
from singlewindow.registry.jsoncompat.model import At, Incompatibility, Schema
from singlewindow.registry.jsoncompat.side import Side, Unresolvable

MAX_DEPTH = 64
MAX_NESTING = 150

Comparer = Callable[["Context", Schema, Schema, At], None]


class Context:
    """Everything a rule needs: the reader and writer documents, where to report, how to recurse."""

    def __init__(self, reader: Side, writer: Side, comparer: Comparer, budget: CheckBudget | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.found: list[Incompatibility] = []
        self.active: dict[tuple[int, int], int] = {}
        self.cache: dict[Any, Any] = {}
        self._comparer = comparer
        self.nesting = 0
        self._same: dict[tuple[int, int], tuple[Any, Any, bool]] = {}
        self.budget = budget if budget is not None else CheckBudget.unlimited()
        self.memo: dict[tuple[int, int], tuple[Schema, Schema, tuple[Incompatibility, ...]]] = {}
        self.uncertain = 0

    def compare(self, reader: Schema, writer: Schema, at: At) -> None:
        """Report every reason why an instance of ``writer`` may fail ``reader``."""
        self.budget.step()
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                self.uncertain += 1
                self.report(at.reader, "recursion-limit", f"comparison nests deeper than {MAX_NESTING}: cannot decide")
                return
            self._comparer(self, reader, writer, at)
        finally:
            self.nesting -= 1

    def report(self, pointer: str, rule: str, message: str) -> None:
        self.found.append(Incompatibility(pointer=pointer or "", rule=rule, message=message))

    @contextmanager
    def collecting(self) -> Iterator[list[Incompatibility]]:
        """Run comparisons into a scratch list (to try alternatives without reporting them)."""
        saved, self.found = self.found, []
        scratch = self.found
        try:
            yield scratch
        finally:
            self.found = saved

    def attempt(self, reader: Schema, writer: Schema, at: At) -> list[Incompatibility]:
        """The findings a comparison would report, without reporting them."""
        with self.collecting() as scratch:
            self.compare(reader, writer, at)
        return scratch

    def swapped(self) -> Context:
        """A context with the roles exchanged (for ``not``: the writer's negated part must cover the reader's)."""
        return Context(self.writer, self.reader, self._comparer, self.budget)

    def same(self, reader: Schema, writer: Schema) -> bool:
        """Structural equality, following ``$ref`` on both sides (so equal text means equal meaning)."""
        key = (id(reader), id(writer))
        entry = self._same.get(key)
        if entry is not None and entry[0] is reader and entry[1] is writer:  # the entry keeps both alive
            return entry[2]
        self.budget.step()
        self._same[key] = (reader, writer, True)  # a reference cycle that reaches itself is equal so far
        known = self._equal(reader, writer)
        self._same[key] = (reader, writer, known)
        return known

    def _equal(self, reader: Any, writer: Any) -> bool:
        if isinstance(reader, Mapping) and isinstance(writer, Mapping):
            if reader.keys() != writer.keys():
                return False
            for key, value in reader.items():
                if key == "$ref":
                    if value != writer[key] or not self._same_target(value):
                        return False
                elif key in ("enum", "const", "default", "examples"):
                    if not _json_equal(value, writer[key]):
                        return False
                elif isinstance(value, Mapping):
                    if not self.same(value, writer[key]):
                        return False
                elif not self._equal(value, writer[key]):
                    return False
            return True
        if isinstance(reader, list) and isinstance(writer, list):
            return len(reader) == len(writer) and all(
                self.same(a, b) if isinstance(a, Mapping) else self._equal(a, b)
                for a, b in zip(reader, writer, strict=True)
            )
        return _json_equal(reader, writer)

    def _same_target(self, ref: str) -> bool:
        try:
            target_r, _ = self.reader.resolve(ref)
            target_w, _ = self.writer.resolve(ref)
        except Unresolvable:
            return False
        return self.same(target_r, target_w)


def _json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: ``1 == 1.0`` but ``1 != true``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_json_equal(v, b[k]) for k, v in a.items())
    return bool(a == b)


json_equal = _json_equal

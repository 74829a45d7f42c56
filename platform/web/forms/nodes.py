"""The form as the page renders it: each field with its pointer, its current value and its problems.

Problems come from the hub (``{path, code, message}``); each is shown next to the field its pointer names,
and all of them in the summary at the top, linked to their fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.web.forms.spec import FieldSpec
from singlewindow.platform.web.forms.values import blank, escape


def field_id(pointer: str) -> str:
    """An HTML id from a pointer (``/goodsItems/0/hsCode`` -> ``f-goodsItems-0-hsCode``)."""
    return "f" + "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in pointer)


@dataclass
class Node:
    spec: FieldSpec
    pointer: str
    value: Any
    problems: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    index: int | None = None  # the position of an array's item

    @property
    def id(self) -> str:
        return field_id(self.pointer)

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    @property
    def can_add(self) -> bool:
        return self.spec.kind == "array" and (self.spec.max_items is None or len(self.children) < self.spec.max_items)

    @property
    def can_remove_items(self) -> bool:
        return self.spec.kind == "array" and len(self.children) > self.spec.min_items

    @property
    def has_problems(self) -> bool:
        return bool(self.problems) or any(child.has_problems for child in self.children)

    @property
    def filled(self) -> bool:
        """Whether anything below was typed (an optional section left empty is shown closed)."""
        if self.children:
            return any(child.filled for child in self.children)
        return self.value not in (None, "", False, [], {})


def build(spec: FieldSpec, value: Any, pointer: str, problems: Mapping[str, list[str]]) -> Node:
    node = Node(spec, pointer, value, list(problems.get(pointer, ())))
    if spec.kind == "object":
        values = value if isinstance(value, Mapping) else {}
        node.children = [
            build(child, values.get(child.name), f"{pointer}/{escape(child.name)}", problems) for child in spec.children
        ]
    elif spec.kind == "array" and spec.item is not None:
        items = list(value) if isinstance(value, list) else []
        items += [blank(spec.item) for _ in range(spec.min_items - len(items))]
        node.children = [build(spec.item, item, f"{pointer}/{i}", problems) for i, item in enumerate(items)]
        for i, child in enumerate(node.children):
            child.index = i
    return node


def pointers(node: Node) -> set[str]:
    found = {node.pointer}
    for child in node.children:
        found |= pointers(child)
    return found


@dataclass(frozen=True, slots=True)
class ProblemLink:
    """One problem in the summary at the top, linked to its field or, when it has none (an unknown field,
    a rule across fields), to the nearest field above it."""

    pointer: str
    message: str
    target: str  # the HTML id to jump to


def problem_links(root: Node, problems: Sequence[tuple[str, str]]) -> list[ProblemLink]:
    known = pointers(root)
    found = []
    for pointer, message in problems:
        nearest = pointer
        while nearest and nearest not in known:
            nearest = nearest.rsplit("/", 1)[0]
        found.append(ProblemLink(pointer or "/", message, field_id(nearest)))
    return found

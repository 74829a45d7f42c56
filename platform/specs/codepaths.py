"""Code-list checks compiled per schema: only the paths that can carry a code are walked.

The walker (CodeListChecker.walk) resolves $refs and looks up properties at every value of a document,
though most values (names, addresses, masses) carry no code: that was ~70% of validating a consignment.
Here a schema is read once: every node that carries an ``x-codelist``, holds an ``hsCode`` (the national
code rule) or leads to such a node becomes a closure, and every other node is dropped, so a check visits
the coded paths alone. The closures take their resolving, wording and rules from the walker itself, and
where the walker would do something they cannot repeat exactly (a mapping that is not a plain dict) they
hand that value to it, so the problems come out the same, in the same order
(tests/unit/specs/test_codelist_paths.py holds them to that). A schema they cannot compile (one that
contains itself, or whose ``properties`` is not an object of names) is walked as before.

What they skip the walker only iterated to find nothing, so the one difference left is a Python object
that raises when iterated (a custom mapping, a list subclass) placed where no code can sit: the walker
raised there, these do not. Documents read from JSON or Avro hold none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from singlewindow.platform.errors import Problem
    from singlewindow.platform.specs.codelists import CodeList

Check = Callable[[Any, str, "list[Problem]"], None]
# What a malformed schema makes the compiler raise; the walker checks with such a schema instead.
MALFORMED = (LookupError, TypeError, ValueError, AttributeError, RecursionError)


class _Unsupported(Exception):
    """A schema construct the compiled checks cannot follow; the schema is walked instead."""


class Rules(Protocol):
    """What the compiled checks share with the walker, so that both resolve, word and judge alike."""

    lists: Mapping[str, CodeList]

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]: ...

    def unlisted(self, code_list: CodeList, value: str, pointer: str) -> Problem: ...

    def national_code_rule(
        self, properties: Mapping[str, Any], value: Mapping[str, Any], pointer: str, found: list[Problem]
    ) -> None: ...

    def walk(self, node: Any, value: Any, pointer: str, found: list[Problem]) -> None: ...


def escape(token: str) -> str:
    """A property name as an RFC 6901 pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def compile_checks(rules: Rules, schema: Mapping[str, Any]) -> Check | None:
    """The check of documents of ``schema``, or None if the schema is to be walked."""
    try:
        compiled = _Compiler(rules).node(schema)
        return _nothing if compiled is None else compiled[0]
    except (_Unsupported, *MALFORMED):
        return None


def _nothing(value: Any, pointer: str, found: list[Problem]) -> None:
    """A schema without a single code: nothing to check."""


# A compiled node: its check, and for a leaf (a coded value with nothing coded below it) its code list, so
# that the object or array holding it checks a string there inline, without a call.
Node = tuple[Check, "CodeList | None"]
# A resolved node's object and array parts: {property: (node, escaped name)}, whether it holds an hsCode
# (the national code rule), and its items' node.
Shape = tuple[dict[str, tuple[Node, str]], bool, Node | None]


class _Compiler:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.shapes: dict[int, Shape | None] = {}  # by id of the resolved node; None while being compiled

    def node(self, raw: Any) -> Node | None:
        """The check of the value a (raw, unresolved) schema node governs; None where it can find nothing."""
        if not isinstance(raw, Mapping):
            return None
        node, list_id = self.rules.resolve(raw)
        code_list = None if list_id is None else self.rules.lists[str(list_id)]
        children, national, items = self._shape(node)
        if children or national or items is not None:
            return _branch(self.rules, raw, node, code_list, (children, national, items)), None
        return None if code_list is None else (_leaf(self.rules, raw, code_list), code_list)

    def _shape(self, node: Mapping[str, Any]) -> Shape:
        key = id(node)
        if key in self.shapes:
            shape = self.shapes[key]
            if shape is None:
                raise _Unsupported("a schema that contains itself")
            return shape
        self.shapes[key] = None
        properties = node.get("properties", {})
        if type(properties) is not dict or not all(type(name) is str for name in properties):
            raise _Unsupported("properties that are not an object of names")
        children = {name: (child, escape(name)) for name, sub in properties.items() if (child := self.node(sub))}
        items = node.get("items")
        shape = children, "hsCode" in properties, self.node(items) if isinstance(items, Mapping) else None
        self.shapes[key] = shape
        return shape


def _leaf(rules: Rules, raw: Mapping[str, Any], code_list: CodeList) -> Check:
    """A coded value with nothing coded below it (any object or array there holds nothing to check)."""
    accepts, walk = code_list.accepts, rules.walk

    def check(value: Any, pointer: str, found: list[Problem]) -> None:
        if isinstance(value, str):
            if not accepts(value):
                found.append(rules.unlisted(code_list, value, pointer))
        elif type(value) is not dict and isinstance(value, Mapping):
            walk(raw, value, pointer, found)  # the walker iterates it exactly as it always has

    return check


def _branch(
    rules: Rules, raw: Mapping[str, Any], node: Mapping[str, Any], code_list: CodeList | None, shape: Shape
) -> Check:
    """An object or array node with coded values below it (and maybe a code of its own)."""
    children, national, items = shape
    properties = node.get("properties", {})
    accepts = None if code_list is None else code_list.accepts
    walk, national_code_rule, unlisted = rules.walk, rules.national_code_rule, rules.unlisted
    item_check, item_list = items if items is not None else (None, None)
    item_accepts = None if item_list is None else item_list.accepts

    def check(value: Any, pointer: str, found: list[Problem]) -> None:
        if type(value) is dict:
            for key, item in value.items():
                child = children.get(key)
                if child is None:
                    continue
                (child_check, leaf_list), token = child
                if leaf_list is not None and isinstance(item, str):
                    if not leaf_list.accepts(item):
                        where = f"{pointer}/{token if type(key) is str else escape(key)}"
                        found.append(unlisted(leaf_list, item, where))
                else:
                    child_check(item, f"{pointer}/{token if type(key) is str else escape(key)}", found)
            if national:
                national_code_rule(properties, value, pointer, found)
        elif type(value) is not list and isinstance(value, Mapping):
            walk(raw, value, pointer, found)  # the walker iterates it exactly as it always has
        elif isinstance(value, str):
            if accepts is not None and not accepts(value):
                found.append(unlisted(code_list, value, pointer))  # type: ignore[arg-type]
        elif item_check is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if item_accepts is not None and isinstance(item, str):
                    if not item_accepts(item):
                        found.append(unlisted(item_list, item, f"{pointer}/{index}"))  # type: ignore[arg-type]
                else:
                    item_check(item, f"{pointer}/{index}", found)

    return check

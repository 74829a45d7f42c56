"""One side of a comparison (reader or writer): its root, local ``$ref`` resolution and validation.

Nodes handed out by a side are cached by identity, so a recursive schema yields the same objects on
every visit and the comparison can detect the cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from jsonschema.protocols import Validator

from singlewindow.registry.jsoncompat.model import Schema, escape
from singlewindow.registry.regexes import safe_validator_for

ANNOTATION_ONLY_WITH_REF = frozenset(
    {"$ref", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
     "$comment", "$id", "$schema", "$anchor", "$defs", "definitions"}
)  # fmt: skip


class Unresolvable(Exception):
    """A ``$ref`` that does not point inside this schema document."""


class Side:
    """A schema document with local reference resolution (``#``, ``#/json/pointer``, ``#anchor``)."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        self._anchors: dict[str, tuple[Schema, str]] | None = None
        self._normalised: dict[int, tuple[Schema, Schema]] = {}
        self._validator: Validator | None = None
        self._embedded_ids = False

    def _scan(self) -> dict[str, tuple[Schema, str]]:
        """Find ``$anchor``s and embedded ``$id``s once, on the first reference that needs it."""
        if self._anchors is None:
            self._anchors = {}
            self._collect_anchors(self.root, ())
        return self._anchors

    def _collect_anchors(self, node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict | Mapping):
            if path and isinstance(node.get("$id"), str):
                self._embedded_ids = True  # a nested resource changes the base URI: refs are not followed
            anchor = node.get("$anchor")
            if isinstance(anchor, str) and self._anchors is not None:
                self._anchors[anchor] = (node, "".join("/" + escape(token) for token in path))
            for key, value in node.items():
                if key not in ("enum", "const", "default", "examples"):
                    self._collect_anchors(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self._collect_anchors(value, (*path, str(index)))

    def resolve(self, ref: str) -> tuple[Schema, str]:
        """The node a local ``$ref`` points to and its pointer; raise ``Unresolvable`` otherwise."""
        anchors = self._scan()
        if self._embedded_ids:
            raise Unresolvable(f"{ref} (the schema embeds resources with their own $id)")
        if not ref.startswith("#"):
            root_id = self.root.get("$id") if isinstance(self.root, Mapping) else None
            if isinstance(root_id, str) and ref.startswith(root_id.split("#")[0] + "#"):
                ref = ref[len(root_id.split("#")[0]) :]
            else:
                raise Unresolvable(ref)
        fragment = unquote(ref[1:])
        if fragment and not fragment.startswith("/"):
            if fragment in anchors:
                return anchors[fragment]
            raise Unresolvable(ref)
        node: Any = self.root
        for raw in fragment.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise Unresolvable(ref)
        return node, fragment

    def split_ref(self, node: Mapping[str, Any]) -> Schema:
        """A node with ``$ref`` beside other assertions, as the ``allOf`` it means (cached)."""
        cached = self._normalised.get(id(node))
        if cached is not None:
            return cached[1]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        combined: Schema = {"allOf": [{"$ref": node["$ref"]}, rest]}
        self._normalised[id(node)] = (node, combined)
        return combined

    def legacy_items(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """Array-form ``items``/``additionalItems`` (drafts before 2020-12) as ``prefixItems``/``items``."""
        cached = self._normalised.get(id(node))
        if cached is not None:
            result: Mapping[str, Any] = cached[1]
            return result
        rewritten = {k: v for k, v in node.items() if k not in ("items", "additionalItems")}
        rewritten["prefixItems"] = list(node["items"])
        if "additionalItems" in node:
            rewritten["items"] = node["additionalItems"]
        self._normalised[id(node)] = (node, rewritten)
        return rewritten

    def is_valid(self, node: Schema, instance: Any) -> bool:
        """Validate ``instance`` against ``node`` with this document's references in scope."""
        if self._validator is None:
            cls = safe_validator_for(self.root)  # RE2 for pattern keywords: no catastrophic backtracking
            self._validator = cls(self.root, format_checker=cls.FORMAT_CHECKER)
        return bool(self._validator.evolve(schema=node).is_valid(instance))

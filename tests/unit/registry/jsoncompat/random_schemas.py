"""Seeded random schema pairs (a schema and a small mutation of it) for differential testing."""

from __future__ import annotations

import copy
import random
from typing import Any

Schema = dict[str, Any]


class SchemaMaker:
    """Small draft-4-compatible schemas over types, bounds, enums, objects, arrays and combinators."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)

    def leaf(self) -> Schema:
        rnd = self.rnd
        kind = rnd.choice(["string", "integer", "number", "boolean", "null"])
        schema: Schema = {"type": kind}
        if kind == "string":
            if rnd.random() < 0.4:
                schema["maxLength"] = rnd.randint(1, 5)
            if rnd.random() < 0.3:
                schema["minLength"] = rnd.randint(0, 3)
            if rnd.random() < 0.2:
                schema = {"enum": rnd.sample(["a", "b", "cc", "ddd"], rnd.randint(1, 3))}
        elif kind in ("integer", "number"):
            if rnd.random() < 0.4:
                schema["minimum"] = rnd.randint(-2, 2)
            if rnd.random() < 0.4:
                schema["maximum"] = rnd.randint(3, 6)
            if rnd.random() < 0.2:
                schema["multipleOf"] = rnd.choice([1, 2, 3, 0.5])
        if rnd.random() < 0.15:
            schema = {"type": [kind, rnd.choice(["null", "string", "integer"])]}
        return schema

    def schema(self, depth: int = 0) -> Schema:
        roll = self.rnd.random()
        if depth > 2 or roll < 0.4:
            return self.leaf()
        if roll < 0.7:
            return self.object(depth)
        if roll < 0.82:
            return self.array(depth)
        keyword = self.rnd.choice(["anyOf", "oneOf", "allOf", "not"])
        if keyword == "not":
            return {"not": self.leaf()}
        return {keyword: [self.schema(depth + 1) for _ in range(self.rnd.randint(1, 3))]}

    def object(self, depth: int) -> Schema:
        rnd = self.rnd
        props = {name: self.schema(depth + 1) for name in rnd.sample(["a", "b", "c"], rnd.randint(0, 3))}
        schema: Schema = {"type": "object", "properties": props}
        if props and rnd.random() < 0.5:
            schema["required"] = rnd.sample(sorted(props), rnd.randint(1, len(props)))
        roll = rnd.random()
        if roll < 0.3:
            schema["additionalProperties"] = False
        elif roll < 0.45:
            schema["additionalProperties"] = self.schema(depth + 1)
        if rnd.random() < 0.15:
            schema["maxProperties"] = rnd.randint(0, 3)
        if rnd.random() < 0.15:
            schema["minProperties"] = rnd.randint(0, 2)
        return schema

    def array(self, depth: int) -> Schema:
        rnd = self.rnd
        schema: Schema = {"type": "array"}
        if rnd.random() < 0.7:
            schema["items"] = self.schema(depth + 1)
        if rnd.random() < 0.3:
            schema["minItems"] = rnd.randint(0, 2)
        if rnd.random() < 0.3:
            schema["maxItems"] = rnd.randint(1, 4)
        if rnd.random() < 0.15:
            schema["uniqueItems"] = True
        return schema

    def mutate(self, original: Schema) -> Schema:
        """One or two small edits at random nodes: drop a keyword, nudge a bound, change a type..."""
        schema = copy.deepcopy(original)
        nodes: list[Schema] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                nodes.append(node)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(schema)
        for _ in range(self.rnd.randint(1, 2)):
            self._edit(self.rnd.choice(nodes))
        return schema

    def _edit(self, node: Schema) -> None:
        rnd = self.rnd
        roll = rnd.random()
        removable = [key for key in node if key != "type"]
        if roll < 0.3 and removable:
            del node[rnd.choice(removable)]
        elif roll < 0.6:
            bounds = ("maxLength", "minLength", "minimum", "maximum", "minItems", "maxItems", "maxProperties")
            for key in bounds:
                if key in node:
                    node[key] = max(0, node[key] + rnd.choice([-1, 1]))
                    return
            if "properties" in node and rnd.random() < 0.5:
                node["properties"][rnd.choice("abcd")] = self.leaf()
            elif node.get("required"):
                node["required"].pop()
        elif roll < 0.8:
            if isinstance(node.get("type"), str):
                node["type"] = rnd.choice(["string", "integer", "number", "object", ["number", "null"]])
        elif "anyOf" in node or "oneOf" in node:
            keyword = "anyOf" if "anyOf" in node else "oneOf"
            if len(node[keyword]) > 1 and rnd.random() < 0.5:
                node[keyword].pop()
            else:
                node[keyword].append(self.leaf())
        elif "enum" in node:
            node["enum"] = node["enum"][:-1] or ["zz"]
        elif isinstance(node.get("additionalProperties"), bool):
            node["additionalProperties"] = not node["additionalProperties"]


def random_pairs(seed: int, count: int) -> list[tuple[Schema, Schema]]:
    """``count`` (schema, mutated schema) pairs, reproducible from ``seed``."""
    maker = SchemaMaker(seed)
    pairs = []
    for _ in range(count):
        schema = maker.schema()
        pairs.append((schema, maker.mutate(schema)))
    return pairs

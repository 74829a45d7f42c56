"""Code lists (message_specs/codelists/*.json) and the check of every value a schema marks ``x-codelist``.

Codes are strings with patterns in the schemas and checked here against the shipped lists, so a new office
or unit needs a list update, not a new schema version (DESIGN.md "Messages").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.errors import ConfigurationError, InvalidInput, Problem
from singlewindow.platform.specs.catalog import read_json
from singlewindow.platform.specs.codepaths import compile_checks, escape

CODELISTS = "codelists"
HS = "hs"
REQUIRED_KEYS = ("id", "title", "source", "version")


@dataclass(frozen=True)
class CodeList:
    """One list: its metadata and the set of its codes."""

    id: str
    title: str
    source: str
    version: str
    codes: frozenset[str]

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is a listed code; for ``hs`` whether its 4-digit heading is listed."""
        if self.id == HS:
            return len(value) >= 4 and value.isdigit() and value[:4] in self.codes
        return value in self.codes


def code_list_shape_problems(content: Any, stem: str) -> list[tuple[str, str]]:
    """(JSON pointer, message) for each way ``content`` breaks the code-list format of the conventions."""
    if not isinstance(content, Mapping):
        return [("", "a code list must be a JSON object")]
    found = [(f"/{key}", "must be a non-empty string") for key in REQUIRED_KEYS if not _text(content.get(key))]
    if _text(content.get("id")) and content["id"] != stem:
        found.append(("/id", f"{content['id']!r} does not match the file name {stem!r}"))
    entries = content.get("codes")
    if not isinstance(entries, list) or not entries:
        return [*found, ("/codes", "must be a non-empty array")]
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            found.append((f"/codes/{index}", "must be an object"))
            continue
        found += [
            (f"/codes/{index}/{key}", "must be a non-empty string")
            for key in ("code", "name")
            if not _text(entry.get(key))
        ]
        if entry.get("code") in seen:
            found.append((f"/codes/{index}/code", f"{entry['code']!r} is listed twice"))
        seen.add(str(entry.get("code")))
    return found


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def parse_code_list(path: Path, content: Any) -> CodeList:
    """Build a list from its file content; InvalidInput names the first shape problem."""
    problems = code_list_shape_problems(content, path.stem)
    if problems:
        where, message = problems[0]
        raise InvalidInput(f"{path}: {where or '/'}: {message}")
    codes = frozenset(str(entry["code"]) for entry in content["codes"])
    return CodeList(content["id"], content["title"], content["source"], content["version"], codes)


def load_code_lists(specs_dir: Path) -> dict[str, CodeList]:
    """Every list under ``specs_dir/codelists``, by id."""
    folder = specs_dir / CODELISTS
    return {path.stem: parse_code_list(path, read_json(path)) for path in sorted(folder.glob("*.json"))}


def codelist_ids(schema: Any) -> Iterator[tuple[str, str]]:
    """(schema pointer, list id) of every ``x-codelist`` in a schema, in document order."""

    def walk(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, Mapping):
            if "x-codelist" in node:
                yield f"{pointer}/x-codelist", str(node["x-codelist"])
            for key, value in node.items():
                yield from walk(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{pointer}/{index}")

    yield from walk(schema, "")


class CodeListChecker:
    """Checks every coded value of a document along its (closed, mapping-table) schema.

    The checks are compiled once per schema (codepaths.py) and visit the coded paths alone; ``walk`` is the
    walker they stand for, which follows the whole document, and which checks a schema they cannot compile.
    """

    def __init__(self, schema: Mapping[str, Any], lists: Mapping[str, CodeList]) -> None:
        self.schema = schema
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.lists = lists
        missing = sorted({list_id for _, list_id in codelist_ids(schema) if list_id not in lists})
        if missing:
            raise ConfigurationError(f"schema {schema.get('$id', '?')} names unknown code lists: {', '.join(missing)}")
        self.compiled = compile_checks(self, schema)

    def problems(self, document: Any) -> list[Problem]:
        if self.compiled is None:
            return self.walked_problems(document)
        found: list[Problem] = []
        self.compiled(document, "", found)
        return found

    def walked_problems(self, document: Any) -> list[Problem]:
        """The problems as the walker finds them: the reference of the compiled checks."""
        found: list[Problem] = []
        self.walk(self.schema, document, "", found)
        return found

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        """Follow local $refs; the code list may sit on the referring node or on its target."""
        list_id = node.get("x-codelist")
        seen = 0
        while "$ref" in node and seen < 32:
            ref = str(node["$ref"])
            target = self.defs.get(ref.removeprefix("#/$defs/")) if ref.startswith("#/$defs/") else None
            if not isinstance(target, Mapping):
                break
            node = target
            list_id = list_id or node.get("x-codelist")
            seen += 1
        return node, list_id

    def walk(self, node: Any, value: Any, pointer: str, found: list[Problem]) -> None:
        if not isinstance(node, Mapping):
            return
        node, list_id = self.resolve(node)
        if list_id is not None and isinstance(value, str):
            code_list = self.lists[str(list_id)]
            if not code_list.accepts(value):
                found.append(self.unlisted(code_list, value, pointer))
        if isinstance(value, Mapping):
            properties = node.get("properties", {})
            for key, item in value.items():
                if key in properties:
                    self.walk(properties[key], item, f"{pointer}/{escape(key)}", found)
            self.national_code_rule(properties, value, pointer, found)
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for index, item in enumerate(value):
                self.walk(node["items"], item, f"{pointer}/{index}", found)

    @staticmethod
    def unlisted(code_list: CodeList, value: str, pointer: str) -> Problem:
        what = "heading of" if code_list.id == HS else "code in"
        return Problem(pointer, "codelist", f"{value!r} is not a listed {what} {code_list.id!r}")

    @staticmethod
    def national_code_rule(
        properties: Mapping[str, Any], value: Mapping[str, Any], pointer: str, found: list[Problem]
    ) -> None:
        """A national commodity code extends the international one: it must start with the hsCode."""
        hs_code, national = value.get("hsCode"), value.get("nationalCode")
        if "hsCode" not in properties or not isinstance(hs_code, str) or not isinstance(national, str):
            return
        if not national.startswith(hs_code):
            found.append(
                Problem(f"{pointer}/nationalCode", "codelist", f"{national!r} does not start with hsCode {hs_code!r}")
            )

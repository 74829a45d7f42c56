"""The document types shipped in message_specs/: schemas, Avro twins and examples, read from disk once.

A document type is a folder ``documents/<type>/`` holding ``schema.json``, the generated ``schema.avsc``
and ``examples/{valid,invalid}/*.json`` (docs/specs-conventions.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.specs.build import DOCUMENTS, default_specs_dir, document_dirs


def read_json(path: Path) -> Any:
    """A JSON file's content; a missing or malformed file is an InvalidInput naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: file not found") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid JSON: {exc}") from exc


@dataclass(frozen=True)
class DocumentType:
    """One document type's files; contents are read on first use and kept."""

    name: str
    folder: Path

    @property
    def schema_path(self) -> Path:
        return self.folder / "schema.json"

    @property
    def avro_path(self) -> Path:
        return self.folder / "schema.avsc"

    @cached_property
    def json_schema(self) -> dict[str, Any]:
        schema = read_json(self.schema_path)
        if not isinstance(schema, dict):
            raise InvalidInput(f"{self.schema_path}: a schema must be a JSON object")
        return schema

    @cached_property
    def avro_schema(self) -> dict[str, Any]:
        schema = read_json(self.avro_path)
        if not isinstance(schema, dict):
            raise InvalidInput(f"{self.avro_path}: an Avro record schema must be a JSON object")
        return schema

    @property
    def valid_examples(self) -> list[Path]:
        return sorted((self.folder / "examples" / "valid").glob("*.json"))

    @property
    def invalid_examples(self) -> list[Path]:
        return sorted((self.folder / "examples" / "invalid").glob("*.json"))

    @property
    def title(self) -> str:
        title = self.json_schema.get("title")
        return title if isinstance(title, str) else self.name


@dataclass
class Catalog:
    """Every document type under ``specs_dir`` (default: the shipped message_specs)."""

    specs_dir: Path = field(default_factory=default_specs_dir)
    _types: dict[str, DocumentType] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._types = {folder.name: DocumentType(folder.name, folder) for folder in document_dirs(self.specs_dir)}

    @property
    def documents_dir(self) -> Path:
        return self.specs_dir / DOCUMENTS

    def names(self) -> list[str]:
        return sorted(self._types)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def get(self, name: str) -> DocumentType:
        """The named type; an unknown name is NotFound listing the known ones."""
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise NotFound(f"unknown document type {name!r}; known types: {known}") from None

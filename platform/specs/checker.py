"""Everything ``nsw specs check`` verifies about a message_specs tree (docs/specs-conventions.md).

Each schema is valid draft 2020-12 and self-contained, its committed Avro twin parses and equals what the
generator makes of it, every valid example passes and survives the Avro round trip unchanged in canonical
form, every invalid example fails exactly at its declared pointer, and the code lists are well formed.
Problems are collected, never raised, so one run reports all of them as ``file: pointer: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastavro
import rfc8785
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.specs.build import avro_name, default_specs_dir
from singlewindow.platform.specs.catalog import Catalog, DocumentType, read_json
from singlewindow.platform.specs.codelists import CODELISTS, CodeList, code_list_shape_problems, codelist_ids
from singlewindow.platform.specs.conventions import convention_problems
from singlewindow.platform.specs.examples import (
    ExampleProblem,
    apply_invalid_example,
    avro_round_trip,
    first_difference,
)
from singlewindow.platform.specs.validation import DocumentValidator, pointer
from singlewindow.registry.jsonavro import SchemaMappingError, avro_schema_from_json_schema

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
MIN_VALID, MIN_INVALID = 2, 3


@dataclass(frozen=True, order=True)
class CheckProblem:
    """One finding: the file (relative to the specs folder), a JSON pointer into it, and what is wrong."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.pointer or '/'}: {self.message}"


@dataclass
class CheckReport:
    problems: list[CheckProblem] = field(default_factory=list)
    document_types: int = 0
    examples: int = 0
    code_lists: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_specs(specs_dir: Path | None = None) -> CheckReport:
    """Check the whole tree under ``specs_dir`` (default: the shipped specs)."""
    root = specs_dir or default_specs_dir()
    report = CheckReport()
    lists = _check_code_lists(root, report)
    catalog = Catalog(root)
    validator = DocumentValidator(catalog, lists)
    for name in catalog.names():
        report.document_types += 1
        _TypeChecker(root, catalog.get(name), validator, report).run()
    documents = catalog.documents_dir
    if documents.is_dir():
        for folder in sorted(p for p in documents.iterdir() if p.is_dir() and p.name not in catalog):
            report.problems.append(CheckProblem(_rel(root, folder), "", "document folder without schema.json"))
    report.problems.sort()
    return report


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _check_code_lists(root: Path, report: CheckReport) -> dict[str, CodeList]:
    lists: dict[str, CodeList] = {}
    for path in sorted((root / CODELISTS).glob("*.json")):
        report.code_lists += 1
        try:
            content = read_json(path)
        except InvalidInput as exc:
            report.problems.append(CheckProblem(_rel(root, path), "", exc.message.removeprefix(f"{path}: ")))
            continue
        shape = code_list_shape_problems(content, path.stem)
        report.problems += [CheckProblem(_rel(root, path), where, message) for where, message in shape]
        if not shape:
            codes = frozenset(str(entry["code"]) for entry in content["codes"])
            lists[path.stem] = CodeList(content["id"], content["title"], content["source"], content["version"], codes)
    return lists


class _TypeChecker:
    def __init__(self, root: Path, doc: DocumentType, validator: DocumentValidator, report: CheckReport) -> None:
        self.root, self.doc, self.validator, self.report = root, doc, validator, report

    def problem(self, path: Path, where: str, message: str) -> None:
        self.report.problems.append(CheckProblem(_rel(self.root, path), where, message))

    def run(self) -> None:
        try:
            schema = self.doc.json_schema
        except InvalidInput as exc:
            self.problem(self.doc.schema_path, "", exc.message.removeprefix(f"{self.doc.schema_path}: "))
            return
        if not self._schema_ok(schema):
            return
        parsed_avro = self._avro_twin(schema)
        self._examples(parsed_avro)

    # -- schema and Avro twin ------------------------------------------------------------------------
    def _schema_ok(self, schema: dict[str, Any]) -> bool:
        path, before = self.doc.schema_path, len(self.report.problems)
        if schema.get("$schema") != DRAFT_2020_12:
            self.problem(path, "/$schema", f"must be {DRAFT_2020_12!r}")
        if schema.get("$id") != f"urn:nsw:spec:{self.doc.name}":
            self.problem(path, "/$id", f"must be 'urn:nsw:spec:{self.doc.name}'")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            self.problem(path, pointer(exc.absolute_path), f"not a valid draft 2020-12 schema: {exc.message}")
        for where, message in convention_problems(schema):
            self.problem(path, where, message)
        for where, list_id in codelist_ids(schema):
            if list_id not in self.validator.code_lists:
                self.problem(path, where, f"no code list {list_id!r} in codelists/")
        return len(self.report.problems) == before

    def _avro_twin(self, schema: dict[str, Any]) -> Any:
        """The parsed Avro schema to round-trip with (the committed one when it is right), or None."""
        name, namespace = avro_name(self.doc.name)
        try:
            expected = avro_schema_from_json_schema(schema, name, namespace)
        except SchemaMappingError as exc:
            self.problem(self.doc.schema_path, exc.pointer, f"no Avro twin: {exc.reason}")
            return None
        path = self.doc.avro_path
        if not path.is_file():
            self.problem(path, "", "missing: run `nsw specs build`")
            return fastavro.parse_schema(expected)
        try:
            committed = self.doc.avro_schema
            parsed = fastavro.parse_schema(committed)
        except InvalidInput as exc:
            self.problem(path, "", exc.message.removeprefix(f"{path}: "))
            return fastavro.parse_schema(expected)
        except Exception as exc:  # fastavro raises several unrelated types for a bad schema
            self.problem(path, "", f"fastavro cannot parse it: {exc}")
            return fastavro.parse_schema(expected)
        if committed != expected:
            self.problem(path, "", "differs from what the generator makes of schema.json: run `nsw specs build`")
            return fastavro.parse_schema(expected)
        return parsed

    # -- examples ------------------------------------------------------------------------------------
    def _examples(self, parsed_avro: Any) -> None:
        valid, invalid = self.doc.valid_examples, self.doc.invalid_examples
        if len(valid) < MIN_VALID:
            self.problem(self.doc.folder / "examples" / "valid", "", f"{len(valid)} valid examples, need {MIN_VALID}")
        if len(invalid) < MIN_INVALID:
            self.problem(self.doc.folder / "examples" / "invalid", "", f"{len(invalid)} invalid, need {MIN_INVALID}")
        for path in valid:
            self.report.examples += 1
            self._valid_example(path, parsed_avro)
        for path in invalid:
            self.report.examples += 1
            self._invalid_example(path)

    def _valid_example(self, path: Path, parsed_avro: Any) -> None:
        try:
            document = read_json(path)
        except InvalidInput as exc:
            self.problem(path, "", exc.message.removeprefix(f"{path}: "))
            return
        problems = self.validator.validate(self.doc.name, document)
        for found in problems:
            self.problem(path, found.path, f"{found.code}: {found.message}")
        if problems or parsed_avro is None:
            return
        try:
            back = avro_round_trip(parsed_avro, document)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self.problem(path, getattr(exc, "pointer", ""), f"Avro round trip failed: {exc}")
            return
        if rfc8785.dumps(back) != rfc8785.dumps(document):
            where, message = first_difference(document, back)
            self.problem(path, where, f"Avro round trip changed the document: {message}")

    def _invalid_example(self, path: Path) -> None:
        try:
            spec, document = apply_invalid_example(path, self.doc.folder / "examples")
        except ExampleProblem as exc:
            self.problem(path, exc.pointer, exc.message)
            return
        except InvalidInput as exc:
            self.problem(path, "", exc.message)
            return
        expected_path, expected_code = spec["expect"]["path"], spec["expect"]["code"]
        problems = self.validator.validate(self.doc.name, document)
        if not problems:
            self.problem(path, "/expect", f"the patched document is valid; expected {expected_code} at {expected_path}")
            return
        for found in problems:
            if found.path != expected_path:
                self.problem(path, "/expect/path", f"also fails at {found.path} ({found.code}): {found.message}")
        codes = sorted({found.code for found in problems if found.path == expected_path})
        if not codes:
            self.problem(path, "/expect/path", f"no failure at {expected_path}")
        elif expected_code not in codes:
            self.problem(path, "/expect/code", f"fails at {expected_path} with {', '.join(codes)}, not {expected_code}")

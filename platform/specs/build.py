"""Where the specs live and how each document type's Avro twin is derived from its JSON Schema.

``nsw specs build`` writes the twins and ``nsw specs check`` compares the committed ones with what this
module produces, so both use the same naming rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from singlewindow import message_specs
from singlewindow.platform.errors import InvalidInput
from singlewindow.registry.jsonavro import SchemaMappingError, avro_schema_from_json_schema
from singlewindow.registry.jsonavro.patterns import pascal_case

DOCUMENTS = "documents"


def default_specs_dir() -> Path:
    """The real message_specs folder, even under an editable install's tree of links.

    ``importlib.resources`` may hand back a folder of symlinks (strict editable installs); writing there
    would not reach the source tree, so the folder is found through the package's resolved __init__.py.
    """
    return Path(str(message_specs.root())).joinpath("__init__.py").resolve().parent


def avro_name(doc_type: str) -> tuple[str, str]:
    """(record name, namespace): ``cargo-manifest`` -> CargoManifest, org.singlewindow.cargo_manifest."""
    return pascal_case(doc_type), "org.singlewindow." + doc_type.replace("-", "_")


def expected_avro_schema(doc_type: str, json_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The Avro schema the generator derives for ``doc_type``; raises InvalidInput naming the pointer."""
    name, namespace = avro_name(doc_type)
    try:
        return avro_schema_from_json_schema(json_schema, name, namespace)
    except SchemaMappingError as exc:
        raise InvalidInput(f"{doc_type}/schema.json: {exc}") from exc


def render_avro_schema(avro_schema: Mapping[str, Any]) -> str:
    """The committed text of a schema.avsc: stable, indented, one trailing newline."""
    return json.dumps(avro_schema, indent=2, ensure_ascii=False) + "\n"


def document_dirs(specs_dir: Path) -> list[Path]:
    """Every document-type folder (one holding schema.json), sorted by type name."""
    documents = specs_dir / DOCUMENTS
    if not documents.is_dir():
        return []
    return sorted(path for path in documents.iterdir() if (path / "schema.json").is_file())


@dataclass(frozen=True)
class BuildReport:
    """What ``build_avro_schemas`` did: (path, changed) per written type, one line per failed type."""

    written: list[tuple[Path, bool]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def build_avro_schemas(specs_dir: Path) -> BuildReport:
    """Regenerate every documents/*/schema.avsc.

    Every type is attempted, so one author's broken schema does not stop everyone else's build.
    """
    report = BuildReport()
    results, failures = report.written, report.failures
    for folder in document_dirs(specs_dir):
        try:
            json_schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            failures.append(f"{folder.name}/schema.json: not JSON: {exc}")
            continue
        try:
            text = render_avro_schema(expected_avro_schema(folder.name, json_schema))
        except InvalidInput as exc:
            failures.append(exc.message)
            continue
        target = folder / "schema.avsc"
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        if changed:
            target.write_text(text, encoding="utf-8")
        results.append((target, changed))
    return report

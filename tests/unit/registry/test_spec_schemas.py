"""Every shipped spec schema parses, normalises to a fixed point, and is compatible with itself."""

from __future__ import annotations

import json
from pathlib import Path

import fastavro
import pytest

from singlewindow.registry.compatibility import check_compatibility
from singlewindow.registry.formats import parse_schema
from singlewindow.registry.loader import SpecFile, spec_files
from singlewindow.registry.models import CompatibilityLevel, SchemaType

SPECS = Path(__file__).resolve().parents[3] / "message_specs"
FILES = list(spec_files(SPECS)) if (SPECS / "documents").is_dir() else []


def test_specs_are_found() -> None:
    subjects = {spec.subject for spec in FILES}
    assert "nsw.consignment.avro" in subjects
    assert "nsw.consignment.json" in subjects


@pytest.mark.parametrize("spec", FILES, ids=[spec.subject for spec in FILES])
def test_spec_normalises_to_a_fixed_point(spec: SpecFile) -> None:
    schema_type = spec.schema_type
    parsed = parse_schema(schema_type, spec.path.read_text())
    again = parse_schema(schema_type, parsed.canonical)
    assert again.canonical == parsed.canonical
    assert again.fingerprint == parsed.fingerprint
    if schema_type is SchemaType.AVRO:
        fastavro.parse_schema(json.loads(parsed.canonical))  # what serialisers will load
    assert check_compatibility(CompatibilityLevel.FULL_TRANSITIVE, parsed, [(1, again)]) == []

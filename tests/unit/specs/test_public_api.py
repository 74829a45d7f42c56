"""The public surface of the spec tooling, pinned: a change here is a deliberate API change."""

from __future__ import annotations

import singlewindow.platform.specs as specs
import singlewindow.registry.jsonavro as jsonavro


def test_registry_jsonavro_exports() -> None:
    assert sorted(jsonavro.__all__) == [
        "DatumConversionError",
        "SchemaMappingError",
        "avro_schema_from_json_schema",
        "from_avro_datum",
        "to_avro_datum",
        "twin_mismatches",
    ]


def test_platform_specs_exports() -> None:
    assert sorted(specs.__all__) == [
        "BuildReport",
        "Catalog",
        "CheckProblem",
        "CheckReport",
        "CodeList",
        "CodeListChecker",
        "DocumentType",
        "DocumentValidator",
        "apply_invalid_example",
        "avro_name",
        "avro_round_trip",
        "build_avro_schemas",
        "check_specs",
        "default_specs_dir",
        "expected_avro_schema",
        "load_code_lists",
        "outline",
        "read_json",
        "render_avro_schema",
    ]
    assert all(hasattr(specs, name) for name in specs.__all__)

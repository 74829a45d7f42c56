"""Message specs: catalogue, code lists, validation, outlines and the checks behind ``nsw specs``."""

from singlewindow.platform.specs.build import (
    BuildReport,
    avro_name,
    build_avro_schemas,
    default_specs_dir,
    expected_avro_schema,
    render_avro_schema,
)

__all__ = [
    "BuildReport",
    "avro_name",
    "build_avro_schemas",
    "default_specs_dir",
    "expected_avro_schema",
    "render_avro_schema",
]

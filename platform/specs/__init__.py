"""Message specs: catalogue, code lists, validation, outlines and the checks behind ``nsw specs``."""

from singlewindow.platform.specs.build import (
    BuildReport,
    avro_name,
    build_avro_schemas,
    default_specs_dir,
    expected_avro_schema,
    render_avro_schema,
)
from singlewindow.platform.specs.catalog import Catalog, DocumentType, read_json
from singlewindow.platform.specs.checker import CheckProblem, CheckReport, check_specs
from singlewindow.platform.specs.codelists import CodeList, CodeListChecker, load_code_lists
from singlewindow.platform.specs.examples import apply_invalid_example, avro_round_trip
from singlewindow.platform.specs.outline import outline
from singlewindow.platform.specs.validation import DocumentValidator

__all__ = [
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

"""The one JSON Schema <-> Avro mapping (docs/specs-conventions.md): schema generation and value conversion."""

from singlewindow.registry.jsonavro.datum import from_avro_datum, to_avro_datum
from singlewindow.registry.jsonavro.errors import DatumConversionError, SchemaMappingError
from singlewindow.registry.jsonavro.generator import avro_schema_from_json_schema
from singlewindow.registry.jsonavro.twins import twin_mismatches

__all__ = [
    "DatumConversionError",
    "SchemaMappingError",
    "avro_schema_from_json_schema",
    "from_avro_datum",
    "to_avro_datum",
    "twin_mismatches",
]

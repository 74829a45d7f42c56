"""JSON document <-> Avro datum (docs/specs-conventions.md): the public functions over the compiled converters.

Optional fields absent from the JSON are null in Avro and absent again on the way back, so a valid document
survives the round trip unchanged (values.py says how decimals, timestamps and dates travel). A document
goes through its schema's compiled converter (compiled.py); when that refuses it, or the schema is one the
compiler does not take, the reference walker (walker.py) converts it or raises the exact error with the
JSON pointer of the offending value.
"""

from __future__ import annotations

from contextlib import suppress
from functools import cached_property
from typing import Any

from singlewindow.registry.jsonavro.compiled import Convert, compile_converter
from singlewindow.registry.jsonavro.names import NameIndex
from singlewindow.registry.jsonavro.walker import Walker


def to_avro_datum(avro_schema: Any, document: Any, *, tag_unions: bool = False) -> Any:
    """The Avro datum (for fastavro) of a JSON document valid under the schema's JSON twin.

    ``tag_unions``: the value of an optional record, array or map comes as fastavro's ``(branch name,
    value)`` tuple, which spares fastavro's writer validating it against the union's branches to choose one
    (the bytes are the same); only for a datum handed straight to fastavro.
    """
    converters = _converters(avro_schema)
    convert = converters.tagged if tag_unions else converters.to_avro
    if convert is not None:
        # any refusal or surprise: the walker converts again and words the error exactly
        with suppress(Exception):
            return convert(document)
    return converters.walker.to_avro(avro_schema, None, document, "")


def from_avro_datum(avro_schema: Any, datum: Any) -> Any:
    """The JSON document of an Avro datum as fastavro reads it (logical types on or off)."""
    converters = _converters(avro_schema)
    convert = converters.from_avro
    if convert is not None:
        with suppress(Exception):
            return convert(datum)
    return converters.walker.from_avro(avro_schema, None, datum, "")


class _Converters:
    """Everything about one schema that converting a value needs, made once; each direction on first use."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.names = NameIndex(schema)
        self.walker = Walker(self.names)

    @cached_property
    def to_avro(self) -> Convert | None:
        return compile_converter(self.names, self.schema, to_avro=True)

    @cached_property
    def tagged(self) -> Convert | None:
        return compile_converter(self.names, self.schema, to_avro=True, tag_unions=True)

    @cached_property
    def from_avro(self) -> Convert | None:
        return compile_converter(self.names, self.schema, to_avro=False)


_CONVERTERS: dict[int, _Converters] = {}
_MAX_SCHEMAS = 256


def _converters(schema: Any) -> _Converters:
    """One entry per schema object: callers convert many documents with few schemas, and indexing a large
    schema on every call cost the hub about a fifth of its CPU (nsw bench hub, py-spy). The entry keeps the
    schema alive, so its id cannot be reused while cached. Schemas are never mutated."""
    entry = _CONVERTERS.get(id(schema))
    if entry is None or entry.schema is not schema:
        if len(_CONVERTERS) >= _MAX_SCHEMAS:
            _CONVERTERS.clear()
        entry = _CONVERTERS[id(schema)] = _Converters(schema)
    return entry

"""Parsing and normalisation per schema type.

A schema's identity is its normalised text: Avro re-serialised by Apache avro (fixed attribute order,
names resolved, ``{"type":"string"}`` -> ``"string"``, defaults, docs and logical types kept because
they matter for compatibility), JSON Schema as compact JSON with sorted keys. The fingerprint is the
SHA-256 of type and normalised text, so the same schema registered twice (whitespace, key order) maps to
the same id wherever it is registered.

Text is read with ``safejson`` under ``JsonLimits`` (depth checked before parsing; NaN, huge integers, lone
surrogates and NUL refused), so bad input is 42201 (or 42209 over a size limit), never a crash. A new JSON
schema (``new=True``) must also have only patterns RE2 can run (``registry.regexes``).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from typing import Any, assert_never

import avro.errors
import avro.schema
import fastavro
import jsonschema.exceptions
import jsonschema.validators
from fastavro.schema import SchemaParseException

from singlewindow.registry import safejson
from singlewindow.registry.avro_defaults import check_defaults
from singlewindow.registry.errors import InvalidSchema, SchemaTooLarge
from singlewindow.registry.models import SchemaType
from singlewindow.registry.regexes import unsupported_patterns

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False}
STORED_LIMITS = safejson.JsonLimits(max_depth=512, max_nodes=10_000_000, max_members=10_000_000)
"""For text already stored: it passed the limits in force when it was registered; only depth stays bounded."""


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    """A validated schema: its type, normalised text, fingerprint and the parsed form checkers need."""

    schema_type: SchemaType
    canonical: str
    fingerprint: str
    parsed: Any = field(compare=False, repr=False)


def fingerprint(schema_type: SchemaType, canonical: str) -> str:
    return hashlib.sha256(f"{schema_type.value}\n{canonical}".encode()).hexdigest()


def parse_schema(
    schema_type: SchemaType, text: str, limits: safejson.JsonLimits = STORED_LIMITS, *, new: bool = False
) -> ParsedSchema:
    """Validate ``text`` as a schema of ``schema_type``; a bad one raises InvalidSchema with the reason,
    one over ``limits`` SchemaTooLarge."""
    try:
        document = safejson.loads(text, limits, what="the schema")
    except safejson.JsonRefused as exc:
        if exc.over_limit:
            raise SchemaTooLarge(f"Schema too large: {exc.message}") from None
        raise InvalidSchema(f"Invalid schema: {exc.message}") from None
    if schema_type is SchemaType.AVRO:
        return _parse_avro(document)
    if schema_type is SchemaType.JSON:
        return _parse_json(document, new=new)
    assert_never(schema_type)


def _parse_avro(document: Any) -> ParsedSchema:
    try:
        with warnings.catch_warnings():
            # Apache avro warns and ignores unknown logical types, exactly as the Avro spec says to.
            warnings.simplefilter("ignore")
            parsed = avro.schema.parse(json.dumps(document))
    except (avro.errors.AvroException, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise InvalidSchema(f"Invalid Avro schema: {exc}") from exc
    problems = check_defaults(parsed)  # before fastavro, whose default errors do not name the field
    if problems:
        raise InvalidSchema("Invalid Avro schema: " + "; ".join(problems))
    try:
        fastavro.parse_schema(document)  # also what the serialisers use: decimal and logical-type rules
    except (SchemaParseException, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise InvalidSchema(f"Invalid Avro schema: {exc}") from exc
    canonical = json.dumps(parsed.to_json(), **_COMPACT)  # type: ignore[arg-type]
    return ParsedSchema(SchemaType.AVRO, canonical, fingerprint(SchemaType.AVRO, canonical), parsed)


def _parse_json(document: Any, *, new: bool) -> ParsedSchema:
    if not isinstance(document, dict | bool):
        raise InvalidSchema("Invalid JSON Schema: a schema must be a JSON object or a boolean")
    unsafe = unsupported_patterns(document) if new else []
    if unsafe:
        raise InvalidSchema("Invalid JSON Schema: " + "; ".join(unsafe))
    if isinstance(document, dict) and not isinstance(document.get("$schema", ""), str):
        # validator_for would hand a non-string $schema to urllib and crash (found by tests/hostile --hostile-long)
        raise InvalidSchema("Invalid JSON Schema at /$schema: must be a string (a dialect URI)")
    validator = jsonschema.validators.validator_for(document, default=jsonschema.Draft202012Validator)
    try:
        validator.check_schema(document)  # type: ignore[arg-type]
    except jsonschema.exceptions.SchemaError as exc:
        where = "/" + "/".join(str(p) for p in exc.absolute_path)
        raise InvalidSchema(f"Invalid JSON Schema at {where}: {exc.message}") from exc
    canonical = json.dumps(document, sort_keys=True, **_COMPACT)  # type: ignore[arg-type]
    return ParsedSchema(SchemaType.JSON, canonical, fingerprint(SchemaType.JSON, canonical), document)

"""Example documents: building an invalid example from its base and patch, and the Avro round trip.

An invalid example is ``{"description", "base", "patch", "expect": {"path", "code"}}``: a valid example plus
one JSON Patch (RFC 6902), so every invalid document differs from a known-good one in one deliberate way.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fastavro
import jsonpatch

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.specs.catalog import read_json
from singlewindow.registry.jsonavro import from_avro_datum, to_avro_datum


class ExampleProblem(InvalidInput):
    """An invalid-example file that is itself malformed; ``pointer`` is the place in that file."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def apply_invalid_example(path: Path, examples_dir: Path) -> tuple[dict[str, Any], Any]:
    """(the example's spec, the patched document) of an invalid-example file."""
    spec = read_json(path)
    if not isinstance(spec, dict):
        raise ExampleProblem("", "an invalid example must be a JSON object")
    for key, kind in (("description", str), ("base", str), ("patch", list), ("expect", dict)):
        if not isinstance(spec.get(key), kind):
            raise ExampleProblem(f"/{key}", f"must be a {kind.__name__}")
    expect = spec["expect"]
    for key in ("path", "code"):
        if not isinstance(expect.get(key), str):
            raise ExampleProblem(f"/expect/{key}", "must be a string")
    if expect["path"] and not expect["path"].startswith("/"):
        raise ExampleProblem("/expect/path", "must be a JSON pointer ('' or starting with '/')")
    base_path = (examples_dir / spec["base"]).resolve()
    if base_path.parent != (examples_dir / "valid").resolve():
        raise ExampleProblem("/base", f"{spec['base']!r} is not a file in valid/")
    if not base_path.is_file():
        raise ExampleProblem("/base", f"{spec['base']!r} does not exist")
    base = read_json(base_path)
    if not spec["patch"]:
        raise ExampleProblem("/patch", "an empty patch changes nothing")
    try:
        document = jsonpatch.apply_patch(base, spec["patch"])
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise ExampleProblem("/patch", f"cannot apply the patch to {spec['base']}: {exc}") from exc
    return spec, document


def avro_round_trip(parsed_avro_schema: Any, document: Any) -> Any:
    """``document`` -> Avro datum -> binary -> datum -> document, as the bus would carry it."""
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, parsed_avro_schema, to_avro_datum(parsed_avro_schema, document))
    buffer.seek(0)
    datum = fastavro.schemaless_reader(buffer, parsed_avro_schema, parsed_avro_schema)
    return from_avro_datum(parsed_avro_schema, datum)


def first_difference(before: Any, after: Any, where: str = "") -> tuple[str, str]:
    """(pointer, description) of the first place two JSON values differ."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            child = f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in after:
                return child, "property lost"
            if key not in before:
                return child, "property added"
            if before[key] != after[key] or type(before[key]) is not type(after[key]):
                return first_difference(before[key], after[key], child)
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (left, right) in enumerate(zip(before, after, strict=True)):
            if left != right:
                return first_difference(left, right, f"{where}/{index}")
    return where, f"{before!r} became {after!r}"

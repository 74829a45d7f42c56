"""Avro reader/writer compatibility with messages that name the field.

The verdict comes from Apache avro's ``ReaderWriterCompatibilityChecker`` (a port of Java's
``SchemaCompatibility``, what Confluent runs). Its result merges every finding into unordered sets, so this
module walks records, arrays and maps itself and asks the checker about each leaf pair, which keeps each
reason next to its field path. It adds what the checker misses: decimal precision and scale (a changed
scale reinterprets every stored value). Field defaults are checked when a schema is parsed.

Every pair visited (by the walk and inside avro's checker) takes a step of the ``CheckBudget``. avro's
checker merges findings by copying lists and sets, quadratic in the number of findings, so the whole-schema
verdict is asked for only when the walk found nothing (then there is nothing to copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import avro.schema
from avro.compatibility import (
    CompatibleResult,
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityResult,
    SchemaCompatibilityType,
)

from singlewindow.registry.budget import CheckBudget


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """One reason a reader cannot read a writer's data, at a dotted field path (``[]`` = array items)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"field '{self.path}': {self.reason}" if self.path else f"top level: {self.reason}"


class _BudgetedChecker(ReaderWriterCompatibilityChecker):
    """avro's checker, taking one budget step per pair (it recurses through this method), memoised on a
    tuple of ids: avro's own memo hashes a pair as ``id(reader) ^ id(writer)``, which collides for the
    many field schemas of a large record, so its lookups, and the check, turned quadratic."""

    def __init__(self, budget: CheckBudget) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.budget = budget
        self._memo: dict[tuple[int, int], tuple[Any, Any, SchemaCompatibilityResult]] = {}

    def get_compatibility(
        self, reader: Any, writer: Any, reference_token: str = "/", location: list[str] | None = None
    ) -> SchemaCompatibilityResult:
        self.budget.step()
        key = (id(reader), id(writer))
        known = self._memo.get(key)
        if known is not None:  # the entry keeps both schemas alive, so the ids stay theirs
            result = known[2]
            in_progress = result.compatibility is SchemaCompatibilityType.recursion_in_progress
            return CompatibleResult if in_progress else result  # a cycle: assume compatible, as avro does
        self._memo[key] = (reader, writer, SchemaCompatibilityResult())
        result = self.calculate_compatibility(reader, writer, [*(location or []), reference_token])
        self._memo[key] = (reader, writer, result)
        return result


def check_avro(
    reader: avro.schema.Schema, writer: avro.schema.Schema, *, budget: CheckBudget | None = None
) -> list[Incompatibility]:
    """Everything that stops ``reader`` from decoding data written with ``writer``; ``BudgetExhausted``
    when ``budget`` runs out."""
    checker = _BudgetedChecker(budget if budget is not None else CheckBudget.unlimited())
    found: list[Incompatibility] = []
    _walk(checker, reader, writer, "", found, set())
    if found:
        return found
    verdict = checker.get_compatibility(reader, writer)  # leaf pairs are memoised by the walk already
    if verdict.compatibility is SchemaCompatibilityType.incompatible:
        found.append(
            Incompatibility("", _describe(verdict, with_locations=True))
        )  # never let the checker's verdict go unsaid
    return found


def _walk(
    checker: _BudgetedChecker,
    reader: avro.schema.Schema,
    writer: avro.schema.Schema,
    path: str,
    found: list[Incompatibility],
    seen: set[tuple[str, str]],
) -> None:
    checker.budget.step()
    if isinstance(reader, avro.schema.RecordSchema) and isinstance(writer, avro.schema.RecordSchema):
        if _names_match(reader, writer):
            _walk_record(checker, reader, writer, path, found, seen)
            return
    elif isinstance(reader, avro.schema.ArraySchema) and isinstance(writer, avro.schema.ArraySchema):
        _walk(checker, reader.items, writer.items, f"{path}[]", found, seen)
        return
    elif isinstance(reader, avro.schema.MapSchema) and isinstance(writer, avro.schema.MapSchema):
        _walk(checker, reader.values, writer.values, f"{path}{{}}", found, seen)
        return
    found.extend(Incompatibility(path, reason) for reason in decimal_problems(reader, writer))
    leaf = checker.get_compatibility(reader, writer)
    if leaf.compatibility is SchemaCompatibilityType.incompatible:
        found.append(Incompatibility(path, _describe(leaf)))


def _walk_record(
    checker: _BudgetedChecker,
    reader: avro.schema.RecordSchema,
    writer: avro.schema.RecordSchema,
    path: str,
    found: list[Incompatibility],
    seen: set[tuple[str, str]],
) -> None:
    key = (reader.fullname, writer.fullname)
    if key in seen:  # recursive types: each pair is checked once
        return
    seen.add(key)
    writer_fields = writer.fields_dict  # a property that builds a new dict on every access: read it once
    for field in reader.fields:
        checker.budget.step()
        field_path = f"{path}.{field.name}" if path else field.name
        writer_field = _writer_field(writer_fields, field)
        if writer_field is not None:
            _walk(checker, field.type, writer_field.type, field_path, found, seen)
        elif not field.has_default:
            found.append(
                Incompatibility(
                    field_path,
                    "the reader has this field but the writer does not, and it has no default "
                    "(add a default, or keep the field)",
                )
            )


def _writer_field(writer_fields: dict[str, Any], field: avro.schema.Field) -> avro.schema.Field | None:
    """avro's ``lookup_writer_field`` (by name, then by the reader field's aliases) over a prepared dict."""
    found = writer_fields.get(field.name)
    if found is not None:
        return cast(avro.schema.Field, found)
    aliases = field.props.get("aliases")
    for alias in aliases if isinstance(aliases, list) else ():
        if alias in writer_fields:
            return cast(avro.schema.Field, writer_fields[alias])
    return None


def _names_match(reader: avro.schema.NamedSchema, writer: avro.schema.NamedSchema) -> bool:
    aliases = cast(list[str], reader.get_prop("aliases") or [])
    return reader.fullname == writer.fullname or writer.name in aliases or writer.fullname in aliases


def decimal_problems(reader: avro.schema.Schema, writer: avro.schema.Schema) -> list[str]:
    """Decimal precision and scale changes between matching branches, which avro's checker ignores."""
    problems: list[str] = []
    for written in _branches(writer):
        read = next((r for r in _branches(reader) if _same_carrier(r, written)), None)
        if read is None:
            continue
        w_decimal, r_decimal = _is_decimal(written), _is_decimal(read)
        if w_decimal and not r_decimal:
            problems.append(f"the writer's decimal {_spec(written)} is read as plain {read.type}")
        elif r_decimal and not w_decimal:
            problems.append(f"plain {written.type} written is read as decimal {_spec(read)}")
        elif w_decimal and r_decimal:
            w_scale, r_scale = _scale(written), _scale(read)
            if w_scale != r_scale:
                problems.append(
                    f"decimal scale changed from {w_scale} to {r_scale}: stored values would be read "
                    f"{10 ** abs(r_scale - w_scale)} times too {'small' if r_scale > w_scale else 'large'}"
                )
            if _precision(read) < _precision(written):
                problems.append(
                    f"decimal precision narrowed from {written.get_prop('precision')} to "
                    f"{read.get_prop('precision')}: written values may not fit"
                )
    return problems


def _branches(schema: avro.schema.Schema) -> list[avro.schema.Schema]:
    return list(schema.schemas) if isinstance(schema, avro.schema.UnionSchema) else [schema]


def _same_carrier(read: avro.schema.Schema, written: avro.schema.Schema) -> bool:
    if isinstance(read, avro.schema.FixedSchema) and isinstance(written, avro.schema.FixedSchema):
        return bool(read.fullname == written.fullname)
    return read.type == written.type == "bytes"


def _is_decimal(schema: avro.schema.Schema) -> bool:
    return bool(schema.get_prop("logicalType") == "decimal")


def _scale(schema: avro.schema.Schema) -> int:
    return int(cast(int, schema.get_prop("scale") or 0))


def _precision(schema: avro.schema.Schema) -> int:
    return int(cast(int, schema.get_prop("precision")))


def _spec(schema: avro.schema.Schema) -> str:
    return f"({schema.get_prop('precision')}, {_scale(schema)})"


def _describe(result: SchemaCompatibilityResult, *, with_locations: bool = False) -> str:
    """The checker's kinds and messages; locations (pointers into the reader schema) only when no field
    path was found, since the walk already names the field."""
    kinds = ", ".join(sorted(kind.value for kind in result.incompatibilities))
    messages = "; ".join(sorted(result.messages))
    where = ", ".join(sorted(location for location in result.locations if location not in ("", "/")))
    return f"{kinds}: {messages}" + (f" (reader schema at {where})" if with_locations and where else "")

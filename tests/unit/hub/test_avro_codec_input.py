"""The bus codec reads exactly one Avro datum per message (issue 11, defect 9): trailing bytes are refused,
and bytes no encoder wrote are InvalidInput, never another exception that would escape the consumer."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.hub.avro_codec import AvroCodec
from singlewindow.platform.specs import Catalog

SPEC = Catalog().get("consignment")


async def _no_schema(schema_id: int) -> dict[str, Any]:
    raise AssertionError(f"unexpected schema lookup {schema_id}")


@pytest.fixture
def codec() -> AvroCodec:
    return AvroCodec({"consignment": (1, SPEC.avro_schema)}, _no_schema)


def _document() -> dict[str, Any]:
    return json.loads(SPEC.valid_examples[0].read_text())  # type: ignore[no-any-return]


async def test_one_datum_decodes(codec: AvroCodec) -> None:
    document = _document()
    assert await codec.decode("consignment", codec.encode("consignment", document)) == document


@pytest.mark.parametrize("trailer", [b"\x00", b"\x02ab", b"x" * 1000])
async def test_bytes_after_the_datum_are_refused(codec: AvroCodec, trailer: bytes) -> None:
    body = codec.encode("consignment", _document())
    with pytest.raises(InvalidInput, match=f"{len(trailer)} bytes after its one Avro datum"):
        await codec.decode("consignment", body + trailer)


async def test_mangled_bodies_are_invalid_input_or_a_document(codec: AvroCodec) -> None:
    """Seeded mutations (fixed, so the run is repeatable) of a real message: a union index out of range
    used to escape as IndexError."""
    body = codec.encode("consignment", _document())
    rng = random.Random(11)
    outcomes: list[str] = []
    for _ in range(400):
        mangled = bytearray(body)
        for _ in range(rng.randint(1, 6)):
            mangled[rng.randrange(5, len(mangled))] = rng.randrange(256)
        try:
            outcomes.append(type(await codec.decode("consignment", bytes(mangled))).__name__)
        except InvalidInput:
            outcomes.append("InvalidInput")
    assert set(outcomes) <= {"dict", "InvalidInput"} and "InvalidInput" in outcomes

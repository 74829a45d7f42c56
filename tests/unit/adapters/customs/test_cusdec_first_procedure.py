"""A declaration whose procedure has no previous one (a TIR transit entering at the border: procedure 80,
no ``previousProcedureCode``) is written as a CUSDEC with previous procedure 00, as the codes mean "none",
instead of being refused; it reads back as a transit declaration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.cusdec import build_cusdec, declaration_reference
from singlewindow.adapters.customs.cusdec_reading import parse_cusdec
from singlewindow.platform.specs import Catalog


def test_a_transit_without_a_previous_procedure_is_written_with_00() -> None:
    path = next(p for p in Catalog().get("view-customs").valid_examples if "apples" in p.name)
    view = json.loads(path.read_text(encoding="utf-8"))
    view["procedure"] = {"direction": "TR", "procedureCode": "80"}
    reference = declaration_reference(str(view["submissionId"]), 1)
    text = edifact.write(
        "KZNSW", "KZCUSTOMS", "NSW0000000872", datetime(2026, 11, 28, 4, 0, tzinfo=UTC), "CUSDEC",
        build_cusdec(view, reference),
    )  # fmt: skip
    message = edifact.read(text, "CUSDEC")
    (header,) = [s for s in message.segments if s.tag == "CST" and edifact.element(s, 0) == ""][:1]
    assert header.elements[1][0] == "TR80" and header.elements[2][0] == "00"
    declaration = parse_cusdec(message)
    assert declaration.document_code == "950" and declaration.reference == reference

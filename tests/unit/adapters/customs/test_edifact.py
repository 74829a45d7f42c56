"""CUSDEC and CUSRES against the sample interchanges kept in adapters/customs/samples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from singlewindow.adapters import Channel, DecisionStatus
from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.cusdec import build_cusdec, declaration_reference
from singlewindow.adapters.customs.cusdec_reading import parse_cusdec
from singlewindow.adapters.customs.cusres import CustomsResponse, Finding, Outcome, build_cusres, parse_cusres
from singlewindow.adapters.customs.responses import Resend, to_action
from singlewindow.platform.specs import Catalog

ROOT = Path(__file__).resolve().parents[4]
SAMPLES = ROOT / "adapters" / "customs" / "samples"


def apples_view() -> dict[str, object]:
    path = next(p for p in Catalog().get("view-customs").valid_examples if "apples" in p.name)
    view: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return view


def shape(message: edifact.EdiMessage) -> list[tuple[str, str]]:
    """Tag and first element (the qualifier) of each segment: the structure, without values."""
    return [(s.tag, edifact.element(s, 0)) for s in message.segments]


def test_the_adapters_cusdec_parses_and_matches_the_sample_segment_by_segment() -> None:
    view = apples_view()
    reference = declaration_reference(str(view["submissionId"]), 1)
    text = edifact.write("KZNSW", "KZCUSTOMS", "NSW0000000871", datetime(2026, 11, 26, 4, 12, tzinfo=UTC), "CUSDEC",
                         build_cusdec(view, reference))  # fmt: skip
    ours, sample = (
        edifact.read(text, "CUSDEC"),
        edifact.read((SAMPLES / "cusdec-apples-import.edi").read_text(), "CUSDEC"),
    )
    assert shape(ours) == shape(sample)
    assert [s.elements for s in ours.segments if s.tag != "DTM"] == [
        s.elements for s in sample.segments if s.tag != "DTM"
    ]
    assert text.splitlines()[0] == "UNA:+.? '" and "UNT+31+1'" in text


def test_the_sample_cusdec_reads_as_the_declaration_customs_assesses() -> None:
    declaration = parse_cusdec(edifact.read((SAMPLES / "cusdec-apples-import.edi").read_text(), "CUSDEC"))
    assert (declaration.document_code, declaration.function, declaration.declarant_id) == ("929", "9", "180540012345")
    (item,) = declaration.items
    assert (item.hs_code, item.origin_country, str(item.net_mass_kg), str(item.value), item.currency) == (
        "0808108000", "CN", "20000.000", "16000.00", "USD",
    )  # fmt: skip
    assert [d.code for d in item.documents] == ["851", "861"]


def test_the_cusres_samples_parse_into_the_right_decisions() -> None:
    red = parse_cusres(edifact.read((SAMPLES / "cusres-red-inspection.edi").read_text(), "CUSRES"))
    draft = to_action(red)
    assert not isinstance(draft, Resend)
    assert (draft.status, draft.channel, draft.officer.id) == (
        DecisionStatus.INSPECTION_REQUIRED,
        Channel.RED,
        "RISK-ENGINE",
    )
    assert [r.code for r in draft.reasons] == ["VALUE-LOW", "TRADER-RECORD"]
    assert draft.key() == f"cusres:{red.response_number}" and draft.decided_at == datetime(
        2026, 11, 26, 4, 13, tzinfo=UTC
    )
    error = parse_cusres(edifact.read((SAMPLES / "cusres-error-temporary.edi").read_text(), "CUSRES"))
    assert error.temporary and isinstance(to_action(error), Resend)


@pytest.mark.parametrize(
    ("outcome", "status", "channel"),
    [
        (Outcome.GREEN, DecisionStatus.ACCEPTED, Channel.GREEN),
        (Outcome.YELLOW, DecisionStatus.INSPECTION_REQUIRED, Channel.YELLOW),
        (Outcome.RELEASED, DecisionStatus.ACCEPTED, None),
        (Outcome.REFUSED, DecisionStatus.REJECTED, None),
        (Outcome.ERROR, DecisionStatus.REJECTED, None),
    ],
)
def test_every_outcome_round_trips_to_its_decision(
    outcome: Outcome, status: DecisionStatus, channel: Channel | None
) -> None:
    findings = (Finding("E17" if outcome is Outcome.ERROR else "R1", "Reason: with ? and + and ' inside"),)
    response = CustomsResponse(
        "NSWX-1", "NSWX", outcome, "KZ-INSP-0042", datetime(2026, 1, 2, 3, 4, tzinfo=UTC), findings
    )
    text = edifact.write("KZCUSTOMS", "KZNSW", "C1", datetime(2026, 1, 2, 3, 4), "CUSRES", build_cusres(response))
    back = parse_cusres(edifact.read(text, "CUSRES"))
    assert back == response
    draft = to_action(back)
    assert not isinstance(draft, Resend) and (draft.status, draft.channel) == (status, channel)


HEAD = "UNA:+.? '\nUNB+UNOW:4+A:ZZZ+B:ZZZ+20261126:0412+R'\n"


@pytest.mark.parametrize(
    "text",
    [
        "garbage \x00 ###",
        HEAD + "UNH+1+CUSRES:D:96B:UN'\nBGM+961+X+9'\nUNT+9+1'\nUNZ+1+R'\n",
        HEAD + "UNH+1+CUSDEC:D:96B:UN'\nBGM+929+X+9'\nUNT+3+1'\nUNZ+1+R'\n",
        HEAD + "UNH+1+CUSRES:D:96B:UN'\nBGM+961",
    ],
    ids=["garbage", "wrong-count", "wrong-type", "cut-off"],
)
def test_malformed_interchanges_are_refused(text: str) -> None:
    with pytest.raises(edifact.EdifactError):
        parse_cusres(edifact.read(text, "CUSRES"))


def test_a_cusres_without_what_a_decision_needs_is_refused() -> None:
    body = [edifact.segment("BGM", "961", "N1", "9"), edifact.segment("GIS", ["GRN", "", "ZZZ"])]
    text = edifact.write("KZCUSTOMS", "KZNSW", "C1", datetime(2026, 1, 2), "CUSRES", body)
    with pytest.raises(edifact.EdifactError, match="RFF\\+ACW"):
        parse_cusres(edifact.read(text, "CUSRES"))

"""The pain.001.001.09 writer: the element paths a bank reads, values that parse back, what is refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.payments.provider import Party, PaymentOrder
from singlewindow.platform.payments.providers.iso20022 import safe_xml
from singlewindow.platform.payments.providers.iso20022.pain001 import NAMESPACE, message_id_for, write_pain001

from .conftest import TRADER, TREASURY, make_order

SAMPLE = Path(__file__).parent / "samples" / "pain001-INV2026000123.xml"
CREATED = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
NS = {"p": NAMESPACE}

# Every element written for one order with BICs and IBANs, in document order (the schema's sequence).
PATHS = [
    "CstmrCdtTrfInitn",
    "CstmrCdtTrfInitn/GrpHdr",
    "CstmrCdtTrfInitn/GrpHdr/MsgId",
    "CstmrCdtTrfInitn/GrpHdr/CreDtTm",
    "CstmrCdtTrfInitn/GrpHdr/NbOfTxs",
    "CstmrCdtTrfInitn/GrpHdr/CtrlSum",
    "CstmrCdtTrfInitn/GrpHdr/InitgPty",
    "CstmrCdtTrfInitn/GrpHdr/InitgPty/Nm",
    "CstmrCdtTrfInitn/PmtInf",
    "CstmrCdtTrfInitn/PmtInf/PmtInfId",
    "CstmrCdtTrfInitn/PmtInf/PmtMtd",
    "CstmrCdtTrfInitn/PmtInf/NbOfTxs",
    "CstmrCdtTrfInitn/PmtInf/CtrlSum",
    "CstmrCdtTrfInitn/PmtInf/ReqdExctnDt",
    "CstmrCdtTrfInitn/PmtInf/ReqdExctnDt/Dt",
    "CstmrCdtTrfInitn/PmtInf/Dbtr",
    "CstmrCdtTrfInitn/PmtInf/Dbtr/Nm",
    "CstmrCdtTrfInitn/PmtInf/DbtrAcct",
    "CstmrCdtTrfInitn/PmtInf/DbtrAcct/Id",
    "CstmrCdtTrfInitn/PmtInf/DbtrAcct/Id/IBAN",
    "CstmrCdtTrfInitn/PmtInf/DbtrAgt",
    "CstmrCdtTrfInitn/PmtInf/DbtrAgt/FinInstnId",
    "CstmrCdtTrfInitn/PmtInf/DbtrAgt/FinInstnId/BICFI",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/PmtId",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/PmtId/EndToEndId",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAgt",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAgt/FinInstnId",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAgt/FinInstnId/BICFI",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Cdtr",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Cdtr/Nm",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Id",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Id/IBAN",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd",
    "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Ref",
]


def _paths(element: ET.Element, prefix: str = "") -> list[str]:
    found = []
    for child in element:
        namespace, local = safe_xml.split_tag(child.tag)
        assert namespace == NAMESPACE, child.tag
        path = f"{prefix}/{local}" if prefix else local
        found += [path, *_paths(child, path)]
    return found


def _write(orders: list[PaymentOrder], message_id: str = "NSWTEST1") -> ET.Element:
    return safe_xml.parse(write_pain001(orders, message_id=message_id, created_at=CREATED))


def _text(root: ET.Element, path: str) -> str | None:
    return root.findtext("/".join(f"p:{name}" for name in path.split("/")), namespaces=NS)


def test_one_order_writes_exactly_the_listed_paths_in_the_schema_order(order: PaymentOrder) -> None:
    root = _write([order])
    assert safe_xml.split_tag(root.tag) == (NAMESPACE, "Document")
    assert _paths(root) == PATHS


def test_what_is_written_parses_back_with_the_same_values(order: PaymentOrder) -> None:
    root = _write([order], "NSW0001")
    header = "CstmrCdtTrfInitn/GrpHdr"
    info = "CstmrCdtTrfInitn/PmtInf"
    tx = f"{info}/CdtTrfTxInf"
    assert _text(root, f"{header}/MsgId") == "NSW0001"
    assert datetime.fromisoformat(_text(root, f"{header}/CreDtTm") or "") == CREATED
    assert (_text(root, f"{header}/NbOfTxs"), _text(root, f"{header}/CtrlSum")) == ("1", "15000.50")
    assert _text(root, f"{header}/InitgPty/Nm") == _text(root, f"{info}/Dbtr/Nm") == "Trader & Sons LLP"
    assert _text(root, f"{info}/PmtInfId") == "NSW0001-P001" and _text(root, f"{info}/PmtMtd") == "TRF"
    assert date.fromisoformat(_text(root, f"{info}/ReqdExctnDt/Dt") or "") == order.requested_on
    assert _text(root, f"{info}/DbtrAcct/Id/IBAN") == TRADER.account
    assert _text(root, f"{info}/DbtrAgt/FinInstnId/BICFI") == TRADER.bic
    assert _text(root, f"{tx}/PmtId/EndToEndId") == "RF98INV2026000123-KZT"
    amount = root.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)
    assert amount is not None and (Decimal(amount.text or ""), amount.get("Ccy")) == (order.amount, "KZT")
    assert _text(root, f"{tx}/Cdtr/Nm") == TREASURY.name
    assert _text(root, f"{tx}/CdtrAcct/Id/IBAN") == TREASURY.account
    assert _text(root, f"{tx}/CdtrAgt/FinInstnId/BICFI") == TREASURY.bic
    assert _text(root, f"{tx}/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd") == "SCOR"
    assert _text(root, f"{tx}/RmtInf/Strd/CdtrRefInf/Ref") == order.reference


def test_the_shipped_sample_is_what_the_writer_writes(order: PaymentOrder) -> None:
    """Regenerate after a deliberate change: see docs/payments-iso20022.md (nsw payments pain001)."""
    sample = SAMPLE.read_bytes()
    root = safe_xml.parse(sample)
    created = datetime.fromisoformat(_text(root, "CstmrCdtTrfInitn/GrpHdr/CreDtTm") or "")
    treasury = Party("Treasury of KZ", TREASURY.account, TREASURY.bic)
    again = replace(order, creditor=treasury)
    assert write_pain001([again], message_id=message_id_for([again]), created_at=created) == sample
    assert sample.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="' + NAMESPACE.encode())


def test_several_orders_group_by_execution_date_and_sum_up() -> None:
    orders = [
        make_order("INV1", "100.10", requested_on=date(2026, 12, 9)),
        make_order("INV2", "0.90", "USD", requested_on=date(2026, 12, 8)),
        make_order("INV3", "5", requested_on=date(2026, 12, 9)),
    ]
    root = _write(orders, "NSWBATCH")
    assert _text(root, "CstmrCdtTrfInitn/GrpHdr/NbOfTxs") == "3"
    assert _text(root, "CstmrCdtTrfInitn/GrpHdr/CtrlSum") == "106.00"
    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    summary = [
        (
            block.findtext("p:PmtInfId", namespaces=NS),
            block.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS),
            block.findtext("p:NbOfTxs", namespaces=NS),
            block.findtext("p:CtrlSum", namespaces=NS),
            [r.text for r in block.findall("p:CdtTrfTxInf/p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref", NS)],
        )
        for block in blocks
    ]
    assert summary == [
        ("NSWBATCH-P001", "2026-12-08", "1", "0.90", [orders[1].reference]),
        ("NSWBATCH-P002", "2026-12-09", "2", "105.10", [orders[0].reference, orders[2].reference]),
    ]


KAZAKH_NAME = "\u0422\u041e\u041e \u0421\u0442\u0435\u043f\u044c"  # "TOO Step'" in Cyrillic


def test_a_national_account_and_no_bic_are_written_as_other_identification() -> None:
    debtor = Party(KAZAKH_NAME, "4070 2810 9000 0001 2345", None)
    root = _write([make_order(debtor=debtor, creditor=Party("Treasury", TREASURY.account))])
    assert _text(root, "CstmrCdtTrfInitn/PmtInf/DbtrAcct/Id/Othr/Id") == "40702810900000012345"
    assert _text(root, "CstmrCdtTrfInitn/PmtInf/DbtrAgt/FinInstnId/Othr/Id") == "NOTPROVIDED"
    assert _text(root, "CstmrCdtTrfInitn/PmtInf/Dbtr/Nm") == KAZAKH_NAME
    assert root.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:CdtrAgt", NS) is None


def test_the_message_id_is_the_same_for_the_same_order_only(order: PaymentOrder) -> None:
    spaced = replace(order, debtor=replace(TRADER, account="kz86 125k zt50 0410 0100"))
    assert (
        message_id_for([order])
        == message_id_for([spaced])
        == message_id_for([replace(order, amount=Decimal("15000.5"))])
    )
    assert message_id_for([order]) != message_id_for([replace(order, amount=Decimal("15000.51"))])
    assert len(message_id_for([order])) == 30


@pytest.mark.parametrize(
    ("orders", "path"),
    [
        ([make_order(debtor=replace(TRADER, account="KZ87125KZT5004100100"))], "PmtInf/DbtrAcct/Id"),
        ([make_order(debtor=replace(TRADER, bic="KCJB"))], "PmtInf/DbtrAgt/FinInstnId/BICFI"),
        ([make_order(debtor=replace(TRADER, name="Bell\x07"))], "GrpHdr/InitgPty/Nm"),
        ([make_order(debtor=replace(TRADER, name="N" * 141))], "GrpHdr/InitgPty/Nm"),
        ([make_order(creditor=replace(TREASURY, account=""))], "CdtTrfTxInf[1]/CdtrAcct/Id"),
        ([make_order(), make_order("INV9", "1.001")], "CdtTrfTxInf[2]/Amt/InstdAmt"),
        ([make_order(), make_order(debtor=replace(TRADER, name="Other"))], "PmtInf/Dbtr"),
        ([], "CdtTrfTxInf"),
    ],
)
def test_what_a_bank_would_refuse_is_refused_with_its_path(orders: list[PaymentOrder], path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        write_pain001(orders, message_id="NSW1", created_at=CREATED)
    assert caught.value.problems[0].path == path


def test_a_bad_reference_message_id_or_time_is_refused(order: PaymentOrder) -> None:
    with pytest.raises(InvalidInput, match="CdtrRefInf/Ref"):
        write_pain001([replace(order, reference="RF00123")], message_id="NSW1", created_at=CREATED)
    with pytest.raises(InvalidInput, match="MsgId"):
        write_pain001([order], message_id="../../etc/x", created_at=CREATED)
    with pytest.raises(InvalidInput, match="CreDtTm"):
        write_pain001([order], message_id="NSW1", created_at=CREATED.replace(tzinfo=None))
    local = write_pain001([order], message_id="NSW1", created_at=CREATED.astimezone(timezone(timedelta(hours=5))))
    assert b"<CreDtTm>2026-12-07T22:00:00+05:00</CreDtTm>" in local

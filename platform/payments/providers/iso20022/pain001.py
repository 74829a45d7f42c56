"""Writing an ISO 20022 ``pain.001.001.09`` CustomerCreditTransferInitiation: the file a trader's bank takes.

The hub does not move money: it hands the trader (or the trader's bank channel) a payment file that pays
the treasury the exact amount with the invoice's RF creditor reference in structured remittance
(``RmtInf/Strd/CdtrRefInf``, type ``SCOR``), so the bank carries the reference through to the treasury's
``camt.054`` and the hub can match the credit to the invoice without a person reading free text.

One file holds one trader's orders: a group header, one payment information block per requested
execution date, one credit-transfer transaction per order. Elements are written in the order of the
pain.001.001.09 schema; only what is listed here is written (no charges bearer, no purpose code: the
bank's defaults apply).
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.payments.provider import Party, PaymentOrder
from singlewindow.platform.payments.providers.iso20022.accounts import (
    account_identification,
    check_bic,
    normalise_account,
)
from singlewindow.platform.payments.providers.money import check_amount, format_amount
from singlewindow.platform.payments.references import parse_reference

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CONTENT_TYPE = "application/xml"
MAX_MESSAGE_ID = 30  # Max35Text, less the "-P001" of the payment information ids built from it
MAX_NAME = 140  # Max140Text
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_MESSAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,29}")
# Characters XML 1.0 cannot carry at all; a name holding one would make the file unreadable to the bank.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _invalid(path: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", [Problem(path, code, message)])


def message_id_for(orders: Sequence[PaymentOrder]) -> str:
    """A message id that is the same for the same orders: a bank refuses a MsgId it has already executed,
    so a file written twice for one order is not paid twice."""
    digest = hashlib.sha256()
    for order in orders:
        fields = (
            order.invoice_id,
            order.reference,
            format_amount(order.amount, order.currency),  # 15000.5 and 15000.50 are one amount
            order.currency,
            normalise_account(order.debtor.account),
            normalise_account(order.creditor.account),
            order.requested_on.isoformat(),
        )
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    return "NSW" + digest.hexdigest()[:27].upper()


def _add(parent: ET.Element, path: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Add the elements of ``path`` (``A/B/C``) below ``parent``; the last gets ``text`` and attributes."""
    element = parent
    for name in path.split("/"):
        element = ET.SubElement(element, name)
    if text is not None:
        element.text = text
    for key, value in attributes.items():
        element.set(key, value)
    return element


def _name(text: str, path: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME:
        raise _invalid(path, "name.length", f"a name is 1 to {MAX_NAME} characters")
    if _NOT_XML.search(name):
        raise _invalid(path, "name.characters", "the name holds characters XML cannot carry")
    return name


def _party(parent: ET.Element, element: str, party: Party, path: str) -> None:
    _add(parent, f"{element}/Nm", _name(party.name, f"{path}/Nm"))


def _account(parent: ET.Element, element: str, party: Party, path: str) -> None:
    kind, value = account_identification(party.account, f"{path}/Id")
    _add(parent, f"{element}/Id/IBAN" if kind == "IBAN" else f"{element}/Id/Othr/Id", value)


def _agent(parent: ET.Element, element: str, party: Party, path: str) -> None:
    if party.bic:
        _add(parent, f"{element}/FinInstnId/BICFI", check_bic(party.bic, f"{path}/FinInstnId/BICFI"))
    else:  # the agent is then known to the bank from the account (the usual "NOTPROVIDED")
        _add(parent, f"{element}/FinInstnId/Othr/Id", "NOTPROVIDED")


def _datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise _invalid("GrpHdr/CreDtTm", "datetime.naive", "the creation time needs a time zone")
    return moment.isoformat(timespec="seconds")


def write_pain001(orders: Sequence[PaymentOrder], *, message_id: str, created_at: datetime) -> bytes:
    """The pain.001.001.09 document (UTF-8, with an XML declaration) paying ``orders``, all from one debtor.

    Raises InvalidInput, naming the order and element, for anything a bank would refuse: an invalid RF
    reference, an amount beyond its currency's minor unit, an IBAN whose checks fail, a bad BIC.
    """
    if not orders:
        raise _invalid("CdtTrfTxInf", "orders.empty", "a payment file needs at least one order")
    if _MESSAGE_ID.fullmatch(message_id) is None:
        raise _invalid("GrpHdr/MsgId", "message-id.invalid", f"1 to {MAX_MESSAGE_ID} letters, digits and hyphens")
    debtor = orders[0].debtor
    if any(order.debtor != debtor for order in orders):
        raise _invalid("PmtInf/Dbtr", "debtor.several", "one file pays for one debtor")
    amounts = []
    for index, order in enumerate(orders, 1):
        where = f"CdtTrfTxInf[{index}]"
        check_amount(order.amount, order.currency, f"{where}/Amt/InstdAmt")
        amounts.append(Decimal(format_amount(order.amount, order.currency)))

    # Built with plain names and the namespace declared on the root: the default namespace of the whole
    # document (ElementTree's default_namespace option refuses the unqualified Ccy attribute).
    document = ET.Element("Document", xmlns=NAMESPACE)
    initiation = _add(document, "CstmrCdtTrfInitn")
    header = _add(initiation, "GrpHdr")
    _add(header, "MsgId", message_id)
    _add(header, "CreDtTm", _datetime(created_at))
    _add(header, "NbOfTxs", str(len(orders)))
    _add(header, "CtrlSum", f"{sum(amounts, Decimal(0)):f}")
    _party(header, "InitgPty", debtor, "GrpHdr/InitgPty")

    by_date: dict[date, list[int]] = {}
    for index, order in enumerate(orders):
        by_date.setdefault(order.requested_on, []).append(index)
    for block, (requested_on, indexes) in enumerate(sorted(by_date.items()), 1):
        info = _add(initiation, "PmtInf")
        _add(info, "PmtInfId", f"{message_id}-P{block:03d}")
        _add(info, "PmtMtd", "TRF")
        _add(info, "NbOfTxs", str(len(indexes)))
        _add(info, "CtrlSum", f"{sum((amounts[i] for i in indexes), Decimal(0)):f}")
        _add(info, "ReqdExctnDt/Dt", requested_on.isoformat())
        _party(info, "Dbtr", debtor, "PmtInf/Dbtr")
        _account(info, "DbtrAcct", debtor, "PmtInf/DbtrAcct")
        _agent(info, "DbtrAgt", debtor, "PmtInf/DbtrAgt")
        for index in indexes:
            order, where = orders[index], f"CdtTrfTxInf[{index + 1}]"
            reference = parse_reference(order.reference, f"{where}/RmtInf/Strd/CdtrRefInf/Ref")
            transaction = _add(info, "CdtTrfTxInf")
            _add(transaction, "PmtId/EndToEndId", f"{reference}-{order.currency}")
            _add(transaction, "Amt/InstdAmt", f"{amounts[index]:f}", Ccy=order.currency)
            if order.creditor.bic:
                _agent(transaction, "CdtrAgt", order.creditor, f"{where}/CdtrAgt")
            _party(transaction, "Cdtr", order.creditor, f"{where}/Cdtr")
            _account(transaction, "CdtrAcct", order.creditor, f"{where}/CdtrAcct")
            remittance = _add(transaction, "RmtInf/Strd/CdtrRefInf")
            _add(remittance, "Tp/CdOrPrtry/Cd", "SCOR")
            _add(remittance, "Ref", reference)
    ET.indent(document)
    return _DECLARATION + ET.tostring(document, encoding="unicode").encode("utf-8") + b"\n"

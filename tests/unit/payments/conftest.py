"""Orders and parties shared by the payment provider tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from singlewindow.platform.payments.provider import Party, PaymentOrder
from singlewindow.platform.payments.references import creditor_reference

TREASURY = Party("Treasury of KZ", "KZ75125KZT2069100100", "KKMFKZ2A")
TRADER = Party("Trader & Sons LLP", "KZ86125KZT5004100100", "KCJBKZKX")

# Hostile files: nested entities (the "billion laughs" pattern) and an external entity reading a local file.
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&lol3;</Document>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><x>&x;</x></Document>"""


def make_order(
    invoice: str = "INV2026000123",
    amount: str = "15000.50",
    currency: str = "KZT",
    debtor: Party = TRADER,
    creditor: Party = TREASURY,
    requested_on: date = date(2026, 12, 8),
) -> PaymentOrder:
    return PaymentOrder(invoice, creditor_reference(invoice), Decimal(amount), currency, debtor, creditor, requested_on)


@pytest.fixture
def order() -> PaymentOrder:
    return make_order()

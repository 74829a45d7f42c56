"""The camt.054 reader: the sample, the versions it takes, what it skips, and hostile or broken files."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from singlewindow.platform.errors import InvalidInput, PayloadTooLarge
from singlewindow.platform.payments.providers.iso20022 import safe_xml
from singlewindow.platform.payments.providers.iso20022.camt054 import (
    notices_from_file,
    read_camt054,
    read_file,
)

from .conftest import BILLION_LAUGHS, EXTERNAL_ENTITY, TREASURY

SAMPLE = Path(__file__).parent / "samples" / "camt054-treasury.xml"
ENTRY = "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]"
RF = "RF18539007547034"
BOOKED = "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-07</Dt></BookgDt>"


def tx(amount: str | None = "10.00", ref: str | None = "TX1", remittance: str = "", extra: str = "") -> str:
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>" if ref else ""
    amt = f'<Amt Ccy="KZT">{amount}</Amt>' if amount is not None else ""
    rmt = remittance or f"<RmtInf><Strd><CdtrRefInf><Ref>{RF}</Ref></CdtrRefInf></Strd></RmtInf>"
    return f"<TxDtls>{refs}{amt}{extra}{rmt}</TxDtls>"


def entry(
    *transactions: str,
    amount: str = "10.00",
    direction: str = "CRDT",
    status_and_dates: str = BOOKED,
    ref: str = "<NtryRef>E1</NtryRef>",
    extra: str = "",
) -> str:
    details = f"<NtryDtls>{''.join(transactions)}</NtryDtls>" if transactions else ""
    return (
        f'<Ntry>{ref}<Amt Ccy="KZT">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{status_and_dates}'
        f"{extra}{details}</Ntry>"
    )


def camt(*entries: str, version: str = "08", account: str = TREASURY.account) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-07T18:00:00Z</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>N1</Id><Acct><Id><IBAN>{account}</IBAN></Id></Acct>{''.join(entries)}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


def refused(data: bytes, **options: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_camt054(data, **options)  # type: ignore[arg-type]
    return caught.value


def test_the_sample_gives_its_three_booked_credits_and_skips_the_debit_and_the_pending_one() -> None:
    reading = read_file(SAMPLE, account="kz75 125k zt20 6910 0100")
    assert (reading.version, reading.message_id, reading.accounts) == (
        "camt.054.001.08",
        "KKMF20261207-0001",
        (TREASURY.account,),
    )
    assert [(n.entry_reference, n.reference, n.amount, n.currency, n.debtor_name) for n in reading.notices] == [
        ("KKMF-TX-000101", "RF98INV2026000123", Decimal("15000.50"), "KZT", "Trader & Sons LLP"),
        ("E2/1", "RF71INV2026000124", Decimal("4200.00"), "KZT", "Steppe Fruit Import"),
        ("KKMF-TX-000105", "RF51INV2025999999", Decimal("50000.00"), "KZT", "Unknown Payer Ltd"),
    ]
    assert [n.booked_at for n in reading.notices] == [
        datetime(2026, 12, 7, 5, 15, tzinfo=UTC),  # 10:15+05:00
        datetime(2026, 12, 7, tzinfo=UTC),  # a date only: midnight UTC
        datetime(2026, 12, 7, 16, 40, tzinfo=UTC),  # no offset: UTC
    ]
    assert {n.provider for n in reading.notices} == {"iso20022"}
    assert [(s.path.rsplit("/", 1)[1], s.reason.split(":")[0]) for s in reading.skipped] == [
        ("Ntry[3]", "a debit"),
        ("Ntry[4]", "status PDNG"),
    ]
    assert notices_from_file(SAMPLE) == list(reading.notices)


def test_a_notification_for_another_account_is_refused_whole() -> None:
    error = refused(SAMPLE.read_bytes(), account="KZ86125KZT5004100100")
    assert error.problems[0].path == "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Acct/Id"


def test_versions_02_to_10_are_read_with_the_older_status_and_debtor_forms() -> None:
    old = entry(
        tx(extra="<RltdPties><Dbtr><Nm>Old Style Payer</Nm></Dbtr></RltdPties>"),
        status_and_dates="<Sts>BOOK</Sts><BookgDt><Dt>2026-12-07</Dt></BookgDt>",
    )
    (notice,) = read_camt054(camt(old, version="02")).notices
    assert (notice.reference, notice.debtor_name) == (RF, "Old Style Payer")
    assert read_camt054(camt(entry(tx()), version="10")).version == "camt.054.001.10"


@pytest.mark.parametrize(
    "document",
    [
        camt(entry(tx()), version="01"),
        camt(entry(tx()), version="11"),
        camt(entry(tx())).replace(b"camt.054.001.08", b"camt.053.001.08"),
        camt(entry(tx())).replace(b"camt.054.001.08", b"pain.001.001.09"),
        camt(entry(tx())).replace(b' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"', b""),
    ],
)
def test_other_namespaces_are_refused_with_a_clear_error(document: bytes) -> None:
    error = refused(document)
    assert error.problems[0].code == "camt054.namespace" and "camt.054" in error.message


DOCTYPE_ONLY = b'<?xml version="1.0"?><!DOCTYPE Document><Document xmlns="x"/>'


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, DOCTYPE_ONLY])
def test_doctypes_and_entities_are_refused_before_anything_is_expanded(document: bytes) -> None:
    assert refused(document).problems[0].code == "xml.doctype"


def test_a_file_over_the_limit_is_refused_unparsed(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge):
        read_camt054(b" " * (safe_xml.MAX_BYTES + 1))
    big = tmp_path / "big.xml"
    big.write_bytes(camt(*(entry(tx(ref=f"T{n}"), ref="") for n in range(200))))
    with pytest.raises(PayloadTooLarge) as caught:
        read_file(big, max_bytes=4096)
    assert caught.value.problems[0].code == "xml.too-large"


@pytest.mark.parametrize(
    ("document", "code"), [(b"", "xml.empty"), (b"<Document><a></Document>", "xml.not-well-formed")]
)
def test_empty_or_broken_xml_is_refused_with_its_place(document: bytes, code: str) -> None:
    error = refused(document)
    assert error.problems[0].code == code
    if code == "xml.not-well-formed":
        assert error.problems[0].path == "line 1, column 15"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("12,50", "amount.invalid"),
        ("1e3", "amount.invalid"),
        ("-5.00", "amount.invalid"),
        (" ", "amount.invalid"),
        ("12.345", "amount.decimals"),
        ("0.00", "amount.not-positive"),
        ("1234567890123456789", "amount.invalid"),
    ],
)
def test_a_malformed_amount_is_refused_with_the_path_of_its_element(amount: str, code: str) -> None:
    error = refused(camt(entry(tx(amount=amount))))
    assert (error.problems[0].path, error.problems[0].code) == (f"{ENTRY}/NtryDtls[1]/TxDtls[1]/Amt", code)


@pytest.mark.parametrize("currency", ["kzt", "KZ", "", "KZTT"])
def test_a_currency_that_is_not_three_capitals_is_refused(currency: str) -> None:
    document = camt(entry(tx())).replace(b'Ccy="KZT"', f'Ccy="{currency}"'.encode(), 1)  # the entry's Amt
    assert refused(document).problems[0].path == f"{ENTRY}/Amt/@Ccy"


def test_each_transaction_of_an_entry_is_a_notice_and_they_must_add_up() -> None:
    both = entry(tx("6.00", "A"), tx("4.00", "B"), amount="10.00")
    assert [(n.entry_reference, n.amount) for n in read_camt054(camt(both)).notices] == [
        ("A", Decimal("6.00")),
        ("B", Decimal("4.00")),
    ]
    error = refused(camt(entry(tx("6.00", "A"), tx("5.00", "B"), amount="10.00")))
    assert error.problems[0].code == "camt054.amounts" and error.problems[0].path == f"{ENTRY}/Amt"


def test_amounts_are_given_with_the_currencys_decimals() -> None:
    (notice,) = read_camt054(camt(entry(tx("12.5"), amount="12.500"))).notices
    assert str(notice.amount) == "12.50"


def test_amounts_come_from_the_transaction_its_details_or_a_lone_transactions_entry() -> None:
    detailed = tx(amount=None, extra='<AmtDtls><TxAmt><Amt Ccy="KZT">10.00</Amt></TxAmt></AmtDtls>')
    assert read_camt054(camt(entry(detailed))).notices[0].amount == Decimal("10.00")
    assert read_camt054(camt(entry(tx(amount=None), amount="7.50"))).notices[0].amount == Decimal("7.50")
    error = refused(camt(entry(tx("5.00", "A"), tx(None, "B"), amount="10.00")))
    assert error.problems[0].path == f"{ENTRY}/NtryDtls[1]/TxDtls[2]/Amt"


def test_entry_references_fall_back_to_the_entry_and_must_be_unique() -> None:
    no_refs = entry(tx("6.00", ref=None), tx("4.00", ref=None))
    assert [n.entry_reference for n in read_camt054(camt(no_refs)).notices] == ["E1/1", "E1/2"]
    by_service = entry(tx(ref=None), ref="<AcctSvcrRef>BANK-9</AcctSvcrRef>")
    assert [n.entry_reference for n in read_camt054(camt(by_service)).notices] == ["BANK-9/1"]
    error = refused(camt(entry(tx(ref=None), ref="")))
    assert error.problems[0].path == f"{ENTRY}/NtryDtls[1]/TxDtls[1]/Refs/AcctSvcrRef"
    twice = refused(camt(entry(tx(ref="SAME")), entry(tx(ref="SAME"))))
    assert twice.problems[0].code == "camt054.duplicate"


def test_an_entry_without_details_is_one_notice_without_a_reference() -> None:
    (notice,) = read_camt054(camt(entry(amount="3.00"))).notices
    assert (notice.entry_reference, notice.reference, notice.amount) == ("E1", None, Decimal("3.00"))
    by_bank = entry(amount="3.00", extra="<AcctSvcrRef>BANK-7</AcctSvcrRef>")
    assert read_camt054(camt(by_bank)).notices[0].entry_reference == "BANK-7"
    assert refused(camt(entry(ref=""))).problems[0].path == f"{ENTRY}/AcctSvcrRef"


@pytest.mark.parametrize(
    ("remittance", "reference"),
    [
        ("<RmtInf><Ustrd>fee RF18 5390 0754 7034 thanks</Ustrd></RmtInf>", RF),
        ("<RmtInf><Ustrd>invoice rf18539007547034.</Ustrd></RmtInf>", RF),
        ("<RmtInf><Ustrd>RF19 5390 0754 7034</Ustrd></RmtInf>", None),  # check digits do not hold
        ("<RmtInf><Ustrd>INV2026000123 customs</Ustrd></RmtInf>", None),
        (f"<RmtInf><Ustrd>{RF} or RF712348231</Ustrd></RmtInf>", None),  # two candidates: no guess
        ("<RmtInf><Strd><CdtrRefInf><Ref>rf18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf>", RF),
        ("<RmtInf><Strd><CdtrRefInf><Ref>12345</Ref></CdtrRefInf></Strd></RmtInf>", "12345"),  # kept: unmatched
        ("<RmtInf><Strd><RfrdDocInf/></Strd><Ustrd>RF712348231</Ustrd></RmtInf>", "RF712348231"),
    ],
)
def test_the_reference_is_the_structured_one_else_a_valid_rf_in_free_text(
    remittance: str, reference: str | None
) -> None:
    assert read_camt054(camt(entry(tx(remittance=remittance)))).notices[0].reference == reference


def test_no_remittance_gives_no_reference() -> None:
    (notice,) = read_camt054(camt(entry(tx(remittance="<AddtlTxInf>none</AddtlTxInf>")))).notices
    assert notice.reference is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"direction": "DBIT"}, "a debit"),
        ({"status_and_dates": "<Sts><Cd>PDNG</Cd></Sts>"}, "status PDNG"),
        ({"status_and_dates": "<Sts><Cd>INFO</Cd></Sts>"}, "status INFO"),
        ({"extra": "<RvslInd>true</RvslInd>"}, "a reversal"),
    ],
)
def test_debits_pending_information_and_reversals_are_skipped_with_the_reason(
    changes: dict[str, str], reason: str
) -> None:
    reading = read_camt054(camt(entry(tx(), **changes)))
    assert reading.notices == () and [s.reason.split(":")[0] for s in reading.skipped] == [reason]


def test_a_debit_transaction_inside_a_credit_entry_is_skipped() -> None:
    reading = read_camt054(camt(entry(tx("10.00", "A"), tx("2.00", "B", extra="<CdtDbtInd>DBIT</CdtDbtInd>"))))
    assert [n.entry_reference for n in reading.notices] == ["A"]
    assert reading.skipped[0].path.endswith("TxDtls[2]")


@pytest.mark.parametrize(
    ("dates", "booked_at"),
    [
        ("<BookgDt><DtTm>2026-12-07T10:00:00+05:00</DtTm></BookgDt>", datetime(2026, 12, 7, 5, tzinfo=UTC)),
        ("<BookgDt><DtTm>2026-12-07T10:00:00</DtTm></BookgDt>", datetime(2026, 12, 7, 10, tzinfo=UTC)),
        ("<ValDt><Dt>2026-12-09</Dt></ValDt>", datetime(2026, 12, 9, tzinfo=UTC)),
    ],
)
def test_the_booking_time(dates: str, booked_at: datetime) -> None:
    reading = read_camt054(camt(entry(tx(), status_and_dates=f"<Sts><Cd>BOOK</Cd></Sts>{dates}")))
    assert reading.notices[0].booked_at == booked_at


@pytest.mark.parametrize(
    ("dates", "path"),
    [
        ("", f"{ENTRY}/BookgDt"),
        ("<BookgDt><Dt>2026-13-07</Dt></BookgDt>", f"{ENTRY}/BookgDt/Dt"),
        ("<BookgDt><DtTm>yesterday</DtTm></BookgDt>", f"{ENTRY}/BookgDt/DtTm"),
    ],
)
def test_a_booked_entry_without_a_readable_date_is_refused(dates: str, path: str) -> None:
    error = refused(camt(entry(tx(), status_and_dates=f"<Sts><Cd>BOOK</Cd></Sts>{dates}")))
    assert error.problems[0].path == path


def test_a_missing_direction_or_an_unknown_one_is_refused() -> None:
    assert refused(camt(entry(tx(), direction="CREDIT"))).problems[0].path == f"{ENTRY}/CdtDbtInd"
    no_status = camt(entry(tx(), status_and_dates="<BookgDt><Dt>2026-12-07</Dt></BookgDt>"))
    assert refused(no_status).problems[0].path == f"{ENTRY}/Sts"

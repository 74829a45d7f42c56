"""Reading an ISO 20022 ``camt.054`` BankToCustomerDebitCreditNotification: what the treasury's bank booked.

Version ``camt.054.001.08`` is the one written for; ``.001.02`` to ``.001.10`` are read too, because the
element paths read here are the same in all of them, and where they differ both forms are taken (the
entry status is ``<Sts>BOOK</Sts>`` up to .06 and ``<Sts><Cd>BOOK</Cd></Sts>`` later; the debtor is
``RltdPties/Dbtr/Nm`` up to .07 and ``RltdPties/Dbtr/Pty/Nm`` later). Any other namespace is refused.

Only money that arrived counts: an entry is read when it is a credit (``CdtDbtInd`` ``CRDT``), booked
(status ``BOOK``) and not a reversal. Debits, pending (``PDNG``) and information-only (``INFO``) entries
and reversals are listed as skipped with the reason, never turned into notices: a pending credit can still
be returned, and a debit or reversal is not a payer settling an invoice. Each transaction of a read entry
(``NtryDtls/TxDtls``) is one ``PaymentNotice``:

- entry reference: ``TxDtls/Refs/AcctSvcrRef`` (the bank's own unique id), else the entry's ``NtryRef``
  (else its ``AcctSvcrRef``) with ``/`` and the transaction's number in the entry;
- reference: the first ``RmtInf/Strd/CdtrRefInf/Ref`` (normalised), else an RF reference with valid check
  digits found in ``RmtInf/Ustrd``, else none;
- amount and currency: ``TxDtls/Amt``, else ``TxDtls/AmtDtls/TxAmt/Amt``, else the entry's ``Amt`` when
  the entry has this one transaction only;
- booked at, in UTC: the entry's ``BookgDt/DtTm`` (a time without offset is taken as UTC), else
  ``BookgDt/Dt`` (midnight UTC), else ``ValDt``;
- debtor name: ``RltdPties/Dbtr/Pty/Nm`` or ``RltdPties/Dbtr/Nm``.

An entry without transaction details is one notice with no reference, its entry reference the entry's
``AcctSvcrRef``, else its ``NtryRef``. A file whose entry references are
not unique, or whose transaction amounts do not add up to their entry's, is refused whole: one credit
must never hide behind another's reference. Errors are ``InvalidInput`` naming the element's path.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.payments.provider import PaymentNotice
from singlewindow.platform.payments.providers.iso20022.accounts import normalise_account
from singlewindow.platform.payments.providers.iso20022.safe_xml import MAX_BYTES, parse, split_tag
from singlewindow.platform.payments.providers.money import check_currency, parse_amount
from singlewindow.platform.payments.references import is_valid_reference, normalise_reference

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.054.001."
VERSIONS = tuple(f"{n:02d}" for n in range(2, 11))
WRITTEN_FOR = "08"
PROVIDER = "iso20022"
MAX_ENTRY_REFERENCE = 80
MAX_REFERENCE = 35  # Max35Text
MAX_NAME = 140  # Max140Text
_RF_START = re.compile(r"RF[0-9]{2}", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+")
MAX_RF = 25


def _invalid(path: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", [Problem(path, code, message)])


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry or transaction read and deliberately not turned into a notice, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Camt054Reading:
    """What one notification file says: its id, the accounts it is for, the credits, and what was skipped."""

    version: str  # e.g. "camt.054.001.08"
    message_id: str
    accounts: tuple[str, ...]
    notices: tuple[PaymentNotice, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True, slots=True)
class _At:
    """An element with its path from the root (``/Document/.../Ntry[2]``) for the errors that name it."""

    element: ET.Element
    path: str
    namespace: str

    def _q(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def all(self, name: str) -> list[_At]:
        return [
            _At(found, f"{self.path}/{name}[{index}]", self.namespace)
            for index, found in enumerate(self.element.findall(self._q(name)), 1)
        ]

    def one(self, path: str) -> _At | None:
        """The first element at ``path`` (``A/B``) below this one, or None."""
        found = self.element.find("/".join(self._q(name) for name in path.split("/")))
        return None if found is None else _At(found, f"{self.path}/{path}", self.namespace)

    def text(self, path: str) -> str | None:
        """The stripped text at ``path``, or None when the element is missing or empty."""
        found = self.one(path)
        value = (found.element.text or "").strip() if found is not None else ""
        return value or None

    def need(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise _invalid(f"{self.path}/{path}", "element.missing", "this element is required and has no value")
        return value

    def amount(self, path: str) -> tuple[Decimal, str] | None:
        """(amount, currency) of an ``...Amt Ccy="..."`` element, checked; None when there is none."""
        found = self.one(path)
        if found is None:
            return None
        currency = check_currency((found.element.get("Ccy") or "").strip(), f"{found.path}/@Ccy")
        return parse_amount(found.element.text, currency, found.path), currency


def _version(root: ET.Element) -> tuple[str, str]:
    namespace, local = split_tag(root.tag)
    version = namespace.removeprefix(NAMESPACE_PREFIX)
    if local != "Document" or not namespace.startswith(NAMESPACE_PREFIX) or version not in VERSIONS:
        shown = f"{{{namespace}}}{local}" if namespace else local
        raise _invalid(
            f"/{local}",
            "camt054.namespace",
            f"{shown} is not a camt.054 document of versions 001.{VERSIONS[0]} to 001.{VERSIONS[-1]}",
        )
    return namespace, version


def _status(entry: _At) -> str:
    """``Sts/Cd`` (from .001.07/.08 on) or ``Sts`` itself (up to .001.06)."""
    coded = entry.text("Sts/Cd") or entry.text("Sts/Prtry")
    return coded or entry.need("Sts")


def _booked_at(entry: _At) -> datetime:
    for element in ("BookgDt", "ValDt"):
        if (moment := entry.text(f"{element}/DtTm")) is not None:
            try:
                parsed = datetime.fromisoformat(moment)
            except ValueError as exc:
                raise _invalid(
                    f"{entry.path}/{element}/DtTm", "datetime.invalid", f"{moment!r} is not an ISO date and time"
                ) from exc
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if (day := entry.text(f"{element}/Dt")) is not None:
            try:
                return datetime.combine(date.fromisoformat(day), time(0), UTC)
            except ValueError as exc:
                raise _invalid(f"{entry.path}/{element}/Dt", "date.invalid", f"{day!r} is not an ISO date") from exc
    raise _invalid(f"{entry.path}/BookgDt", "element.missing", "a booked entry needs its booking date")


def _rf_in(text: str) -> str | None:
    """The one valid RF reference in free text, written whole (``RF18539007547034``) or in groups of four
    (``RF18 5390 0754 7034``); None when there is none, or more than one candidate passes the checks (a
    guess could settle the wrong invoice: an unmatched credit goes to a person instead)."""
    tokens = _TOKEN.findall(text)
    found: set[str] = set()
    for first, token in enumerate(tokens):
        if _RF_START.fullmatch(token[:4]) is None:
            continue
        candidate = ""
        for following in tokens[first:]:
            candidate += following.upper()
            if len(candidate) > MAX_RF:
                break
            if is_valid_reference(candidate):
                found.add(candidate)
            if len(following) != 4:  # only groups of four continue; a shorter (or longer) one ends it
                break
    return found.pop() if len(found) == 1 else None


def _reference(transaction: _At) -> str | None:
    for remittance in transaction.all("RmtInf"):
        for structured in remittance.all("Strd"):
            for creditor_reference in structured.all("CdtrRefInf"):
                if (ref := creditor_reference.text("Ref")) is not None:
                    normalised = normalise_reference(ref)
                    if len(normalised) > MAX_REFERENCE:
                        raise _invalid(
                            f"{creditor_reference.path}/Ref", "reference.length", "longer than 35 characters"
                        )
                    return normalised
        for unstructured in remittance.all("Ustrd"):
            if (found := _rf_in(unstructured.element.text or "")) is not None:
                return found
    return None


def _debtor_name(transaction: _At) -> str | None:
    name = transaction.text("RltdPties/Dbtr/Pty/Nm") or transaction.text("RltdPties/Dbtr/Nm")
    return None if name is None else " ".join(name.split())[:MAX_NAME]


def _entry_notices(entry: _At, provider: str, skipped: list[Skipped]) -> list[PaymentNotice]:
    entry_amount = entry.amount("Amt")
    if entry_amount is None:
        raise _invalid(f"{entry.path}/Amt", "element.missing", "an entry needs its amount")
    booked_at = _booked_at(entry)
    entry_id = entry.text("NtryRef") or entry.text("AcctSvcrRef")
    transactions = [tx for details in entry.all("NtryDtls") for tx in details.all("TxDtls")]
    if not transactions:  # the whole entry is one credit: the bank's own reference for it first
        whole = entry.text("AcctSvcrRef") or entry.text("NtryRef")
        if whole is None:
            raise _invalid(
                f"{entry.path}/AcctSvcrRef", "element.missing", "an entry without details needs AcctSvcrRef or NtryRef"
            )
        amount, currency = entry_amount
        return [PaymentNotice(provider, whole, None, amount, currency, booked_at)]
    notices, total = [], Decimal(0)
    summable = True
    for number, transaction in enumerate(transactions, 1):
        if transaction.text("CdtDbtInd") == "DBIT":
            skipped.append(Skipped(transaction.path, "a debit transaction inside a credit entry"))
            summable = False
            continue
        found = transaction.amount("Amt") or transaction.amount("AmtDtls/TxAmt/Amt")
        if found is None:
            if len(transactions) > 1:
                raise _invalid(
                    f"{transaction.path}/Amt", "element.missing", "one of several transactions has no amount"
                )
            found = entry_amount
        amount, currency = found
        if currency == entry_amount[1]:
            total += amount
        else:
            summable = False
        service_reference = transaction.text("Refs/AcctSvcrRef")
        if service_reference is None and entry_id is None:
            raise _invalid(
                f"{transaction.path}/Refs/AcctSvcrRef",
                "element.missing",
                "no bank reference for this transaction or its entry",
            )
        entry_reference = service_reference or f"{entry_id}/{number}"
        if len(entry_reference) > MAX_ENTRY_REFERENCE:
            raise _invalid(
                f"{transaction.path}/Refs/AcctSvcrRef",
                "reference.length",
                f"longer than {MAX_ENTRY_REFERENCE} characters",
            )
        notices.append(
            PaymentNotice(
                provider=provider,
                entry_reference=entry_reference,
                reference=_reference(transaction),
                amount=amount,
                currency=currency,
                booked_at=booked_at,
                debtor_name=_debtor_name(transaction),
            )
        )
    if summable and total != entry_amount[0]:
        raise _invalid(
            f"{entry.path}/Amt",
            "camt054.amounts",
            f"the transactions add up to {total}, the entry's amount is {entry_amount[0]}",
        )
    return notices


def read_camt054(
    data: bytes, *, provider: str = PROVIDER, account: str | None = None, max_bytes: int = MAX_BYTES
) -> Camt054Reading:
    """The credits booked in a camt.054 file; ``account`` (the treasury's), when given, must be the one
    every notification in the file is for. Raises InvalidInput for anything unreadable or inconsistent."""
    root = parse(data, max_bytes=max_bytes)
    namespace, version = _version(root)
    document = _At(root, "/Document", namespace)
    body = document.one("BkToCstmrDbtCdtNtfctn")
    if body is None:
        raise _invalid("/Document/BkToCstmrDbtCdtNtfctn", "element.missing", "not a debit/credit notification")
    message_id = body.need("GrpHdr/MsgId")
    notifications = body.all("Ntfctn")
    if not notifications:
        raise _invalid(f"{body.path}/Ntfctn", "element.missing", "the file holds no notification")
    accounts, notices, skipped = [], [], []
    for notification in notifications:
        held = notification.text("Acct/Id/IBAN") or notification.need("Acct/Id/Othr/Id")
        if account is not None and normalise_account(held) != normalise_account(account):
            raise _invalid(
                f"{notification.path}/Acct/Id",
                "camt054.account",
                f"the notification is for account {held}, not the treasury's",
            )
        accounts.append(normalise_account(held))
        for entry in notification.all("Ntry"):
            direction = entry.need("CdtDbtInd")
            if direction not in ("CRDT", "DBIT"):
                raise _invalid(
                    f"{entry.path}/CdtDbtInd", "camt054.direction", f"{direction!r} is neither CRDT nor DBIT"
                )
            status = _status(entry)
            if direction == "DBIT":
                skipped.append(Skipped(entry.path, "a debit: money leaving the account pays no invoice"))
            elif status != "BOOK":
                skipped.append(Skipped(entry.path, f"status {status}: not booked, it may still be returned"))
            elif (entry.text("RvslInd") or "").lower() == "true":
                skipped.append(Skipped(entry.path, "a reversal: not a payer's payment"))
            else:
                notices.extend(_entry_notices(entry, provider, skipped))
    seen: set[str] = set()
    for notice in notices:
        if notice.entry_reference in seen:
            raise _invalid("/Document", "camt054.duplicate", f"entry reference {notice.entry_reference!r} occurs twice")
        seen.add(notice.entry_reference)
    return Camt054Reading(
        version=f"camt.054.001.{version}",
        message_id=message_id,
        accounts=tuple(accounts),
        notices=tuple(notices),
        skipped=tuple(skipped),
    )


def read_file(
    path: Path, *, provider: str = PROVIDER, account: str | None = None, max_bytes: int = MAX_BYTES
) -> Camt054Reading:
    """``read_camt054`` of a file, of which no more than the limit (and one byte) is read into memory."""
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    return read_camt054(data, provider=provider, account=account, max_bytes=max_bytes)


def notices_from_file(path: Path, *, provider: str = PROVIDER, account: str | None = None) -> list[PaymentNotice]:
    """The credits in one camt.054 file: the seam for importing a bank file into the hub's reconciliation
    (each notice goes to its ``apply``; a file read twice settles nothing twice)."""
    return list(read_file(path, provider=provider, account=account).notices)

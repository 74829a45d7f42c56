"""``nsw fees check``, ``nsw invoice show`` and ``nsw payments exceptions`` on a database the stores wrote."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.provider import PaymentNotice
from singlewindow.platform.payments.reconcile import Reconciler
from singlewindow.platform.payments.schedules import SCHEMA_FILE, FeeSchedules, default_fees_dir
from singlewindow.platform.state import (
    NewVersion,
    OutboxMessage,
    RecipientStore,
    RoutedRecipient,
    StatusChange,
    SubmissionStore,
)
from singlewindow.platform.state.recipients import Routing
from singlewindow.platform.storage import open_engine, upgrade

BOOK = InvoiceBook(FeeSchedules.load())


def status_message(change: StatusChange) -> OutboxMessage:
    return OutboxMessage(change.message_id, "nsw.status", change.submission_id, "clearance-status", b"{}",
                         "application/json", change.submission_id)  # fmt: skip


def intake(version: int) -> OutboxMessage:
    return OutboxMessage(f"s_1.v{version}.intake", "nsw.intake", "consignment", "consignment", b"{}",
                         "application/json", "s_1")  # fmt: skip


def delivery(entry: RoutedRecipient) -> OutboxMessage:
    return OutboxMessage(f"s_1.v1.{entry.recipient}", "nsw.agency", entry.recipient, entry.view, b"{}",
                         "application/json", "s_1")  # fmt: skip


async def seed(url: str) -> str:
    engine = open_engine(url)
    try:
        await upgrade(engine)
        trader = (await PrincipalStore(engine).add("cli-trader", Role.TRADER)).principal.id
        document = {"ucr": "KZ24CLI0001", "documentId": "D1", "goodsItems": []}
        new = NewVersion("s_1", trader, trader, "R-1", "consignment", document, [], intake)  # type: ignore[arg-type]
        await SubmissionStore(engine, status_message, BOOK).create(new)
        routed = [RoutedRecipient(a, "AGENCY", f"view-{a}", ["r"], timedelta(hours=1)) for a in ("customs", "sanitary")]
        routing = Routing("s_1", 1, routed, delivery, (), document_type="consignment", document=document)
        await RecipientStore(engine, status_message, BOOK).commit_routings([routing])
        reconciler = Reconciler(engine, BOOK, status_message)
        at = datetime(2026, 12, 7, tzinfo=UTC)
        await reconciler.apply(PaymentNotice("bank", "E-1", None, Decimal("5.00"), "KZT", at, "Someone"))
        await reconciler.apply(PaymentNotice("bank", "E-2", "RF18539007547034", Decimal("7.00"), "KZT", at))
    finally:
        await engine.dispose()
    return "s_1"


def test_fees_check_passes_on_the_shipped_schedules_and_fails_on_an_overlap(tmp_path: Path) -> None:
    ok = CliRunner().invoke(cli, ["fees", "check"])
    assert ok.exit_code == 0, ok.output
    assert "4 schedules: OK" in ok.stderr
    shutil.copy(default_fees_dir() / SCHEMA_FILE, tmp_path / SCHEMA_FILE)
    for name in ("a", "b"):
        shutil.copy(default_fees_dir() / "sanitary-2026.json", tmp_path / f"{name}.json")
        body = json.loads((tmp_path / f"{name}.json").read_text())
        (tmp_path / f"{name}.json").write_text(json.dumps(body | {"id": f"sanitary-{name}"}))
    bad = CliRunner().invoke(cli, ["fees", "check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "sanitary: schedules sanitary-a and sanitary-b overlap" in bad.stdout


def test_invoice_show_and_payments_exceptions(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    submission = asyncio.run(seed(url))
    shown = CliRunner().invoke(cli, ["invoice", "show", submission, "--db", url])
    assert shown.exit_code == 0, shown.output
    assert "CUS-DOC" in shown.stdout and "SAN-DOC" in shown.stdout
    assert "KZT: charged 9000.00, received 0.00, due 9000.00" in shown.stdout
    as_json = CliRunner().invoke(cli, ["invoice", "show", submission, "--db", url, "--json"])
    assert json.loads(as_json.stdout)["status"] == "OPEN"
    missing = CliRunner().invoke(cli, ["invoice", "show", "s_none", "--db", url])
    assert missing.exit_code != 0
    listed = CliRunner().invoke(cli, ["payments", "exceptions", "--db", url, "--json"])
    assert listed.exit_code == 0, listed.output
    assert sorted((e["entryReference"], e["outcome"]) for e in json.loads(listed.stdout)) == [
        ("E-1", "UNKNOWN_REFERENCE"),
        ("E-2", "UNKNOWN_REFERENCE"),
    ]
    text = CliRunner().invoke(cli, ["payments", "exceptions", "--db", url])
    assert "2 exceptions" in text.stderr and "bank/E-2" in text.stdout

"""Issue 18, the real protocol end to end: two ``nsw hub run`` processes with ``fees.provider = iso20022``.
The trader asks to pay: the hub writes a pain.001 credit transfer for the invoice into the bank's outbox
folder and the release still waits; the bank's camt.054 notification arrives in the inbox folder, a hub
reconciles it on its own (no operator step) and the consignment is CLEARED once. The same notification
delivered again settles nothing twice; a file that is not a camt.054 is set aside with its reason."""

from __future__ import annotations

import json
import secrets
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.payments.tables import payment_notices
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import terminal_statuses

from .two_hubs import Cluster, deciders, two_hub_cluster, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

TREASURY = "KZ75125KZT2069100100"
PAYER = "KZ86125KZT5004100100"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"


@dataclass
class Env:
    cluster: Cluster
    http: httpx.AsyncClient
    engine: AsyncEngine
    token: str
    outbox: Path
    inbox: Path

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"{self.cluster.hubs[0].http_url}{path}"
        return await self.http.request(method, url, headers={"authorization": f"Bearer {self.token}"}, **kwargs)

    async def status(self, submission_id: str) -> str:
        return str((await self.call("GET", f"/v1/submissions/{submission_id}")).json()["status"])


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    bank = tmp_path_factory.mktemp("bank")
    (bank / "outbox").mkdir()
    (bank / "inbox").mkdir()
    return bank / "outbox", bank / "inbox"


@pytest.fixture(scope="module")
def cluster(
    rabbitmq_available: None,
    rabbitmq_management_available: None,
    module_postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    folders: tuple[Path, Path],
) -> Iterator[Cluster]:
    settings = {
        "NSW_FEES__ENABLED": "true",
        "NSW_FEES__PROVIDER": "iso20022",
        "NSW_FEES__BANK_OUTBOX": str(folders[0]),
        "NSW_FEES__BANK_INBOX": str(folders[1]),
        "NSW_FEES__CREDITOR_ACCOUNT": TREASURY,
        "NSW_FEES__NOTICES_POLL_SECONDS": "0.5",
    }
    with two_hub_cluster(module_postgres_url, tmp_path_factory.mktemp("hubs"), "nsw-iso", settings) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(cluster: Cluster, folders: tuple[Path, Path]) -> AsyncIterator[Env]:
    engine = open_engine(cluster.database_url)
    token = (await PrincipalStore(engine).add("iso-trader", Role.TRADER)).token
    try:
        async with deciders(cluster), httpx.AsyncClient(timeout=30) as http:
            yield Env(cluster, http, engine, token, *folders)
    finally:
        await engine.dispose()


def apples() -> dict[str, Any]:
    path = next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    tag = secrets.token_hex(4).upper()
    document["ucr"] = f"{document['ucr'][:-8]}{tag}"
    document["traderReference"] = f"{document['traderReference'][:20]}-{tag}"
    return document


def camt054(reference: str, amount: str, currency: str, entry: str) -> bytes:
    """The bank's notification of one booked credit to the treasury, remitting ``reference``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>MSG-{entry}</MsgId><CreDtTm>2026-12-07T18:00:00+05:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N-{entry}</Id><CreDtTm>2026-12-07T18:00:00+05:00</CreDtTm><Acct><Id><IBAN>{TREASURY}</IBAN></Id></Acct>
<Ntry><NtryRef>{entry}</NtryRef><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><DtTm>2026-12-07T10:15:00+05:00</DtTm></BookgDt><AcctSvcrRef>{entry}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>{entry}-1</AcctSvcrRef></Refs><Amt Ccy="{currency}">{amount}</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Iso Trader LLP</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
</TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()


async def test_a_pain001_goes_out_and_the_camt054_that_comes_back_releases_once(env: Env) -> None:
    submitted = await env.call("POST", "/v1/submissions", json={"documentType": "consignment", "document": apples()})
    assert submitted.status_code == 201, submitted.text
    sid = str(submitted.json()["submission"]["submissionId"])

    async def awaiting() -> bool:
        return await env.status(sid) == "AWAITING_PAYMENT"

    await wait_until(awaiting, 30, f"{sid} AWAITING_PAYMENT")
    invoice = (await env.call("GET", f"/v1/submissions/{sid}/invoice")).json()
    (total,) = invoice["totals"]

    paying = await env.call(
        "POST", f"/v1/submissions/{sid}/invoice/payments", json={"debtor": {"name": "Iso Trader LLP", "account": PAYER}}
    )
    assert paying.status_code == 201, paying.text
    (written,) = list(env.outbox.glob("*.xml"))
    transfer = ET.fromstring(written.read_bytes()).find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}PmtInf/{PAIN}CdtTrfTxInf")
    assert transfer is not None
    assert transfer.findtext(f"{PAIN}Amt/{PAIN}InstdAmt") == total["due"]
    assert transfer.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN") == TREASURY
    assert transfer.findtext(f"{PAIN}RmtInf/{PAIN}Strd/{PAIN}CdtrRefInf/{PAIN}Ref") == invoice["reference"]
    assert await env.status(sid) == "AWAITING_PAYMENT"  # a payment order is not a payment

    entry = f"KKMF{secrets.token_hex(5).upper()}"
    notification = camt054(invoice["reference"], total["due"], total["currency"], entry)
    (env.inbox / f"{entry}.xml").write_bytes(notification)

    async def cleared() -> bool:
        return await env.status(sid) == "CLEARED"

    await wait_until(cleared, 30, f"{sid} CLEARED by the bank's notification")
    assert (env.inbox / "processed" / f"{entry}.xml").exists()
    paid = (await env.call("GET", f"/v1/submissions/{sid}/invoice")).json()
    assert paid["status"] == "PAID"
    assert [(p["entryReference"], Decimal(p["amount"])) for p in paid["payments"]] == [
        (f"{entry}-1", Decimal(total["due"]))
    ]

    (env.inbox / f"{entry}-again.xml").write_bytes(notification)  # the bank sends the same day's file twice

    async def read_again() -> bool:
        return (env.inbox / "processed" / f"{entry}-again.xml").exists()

    await wait_until(read_again, 30, "the repeated notification read")
    async with env.engine.connect() as conn:
        terminal = select(func.count()).select_from(terminal_statuses).where(terminal_statuses.c.submission_id == sid)
        notices = select(func.count()).select_from(payment_notices).where(payment_notices.c.submission_id == sid)
        assert ((await conn.execute(terminal)).scalar_one(), (await conn.execute(notices)).scalar_one()) == (1, 1)
    assert (await env.call("GET", f"/v1/submissions/{sid}/invoice")).json()["payments"] == paid["payments"]


async def test_a_file_that_is_not_a_notification_is_set_aside_with_its_reason(env: Env) -> None:
    (env.inbox / "junk.xml").write_bytes(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")

    async def rejected() -> bool:
        return (env.inbox / "rejected" / "junk.xml").exists()

    await wait_until(rejected, 30, "junk.xml rejected")
    assert list((env.inbox / "rejected").glob("junk.xml.reason*"))

"""The ISO 20022 provider's folders: pain.001 into the outbox, camt.054 from the inbox to processed/ or
rejected/ (with the reason), nothing lost, nothing read twice."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.payments.provider import PaymentOrder, PaymentProvider
from singlewindow.platform.payments.providers.iso20022 import provider as folders
from singlewindow.platform.payments.providers.iso20022.provider import Iso20022Config, Iso20022Provider

from .conftest import BILLION_LAUGHS, TRADER, TREASURY

SAMPLE = Path(__file__).parent / "samples" / "camt054-treasury.xml"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def config(tmp_path: Path) -> Iso20022Config:
    return Iso20022Config(outbox=tmp_path / "out", inbox=tmp_path / "in", creditor=TREASURY)


def test_the_provider_has_the_contracts_shape(config: Iso20022Config) -> None:
    provider: PaymentProvider = Iso20022Provider(config)
    assert provider.name == "iso20022"


async def test_initiate_writes_the_pain001_once_named_by_its_message_id(
    config: Iso20022Config, order: PaymentOrder
) -> None:
    clock = Clock()
    provider = Iso20022Provider(config, clock=clock)
    initiation = await provider.initiate(order)
    written = config.outbox / f"{initiation.message_id}.xml"
    assert initiation.provider == "iso20022" and initiation.content_type == "application/xml"
    assert written.read_bytes() == initiation.document and b"<Ref>RF98INV2026000123</Ref>" in written.read_bytes()
    assert [p.name for p in config.outbox.iterdir()] == [written.name]  # no partial file left behind
    clock.now = clock.now.replace(hour=18)
    again = await provider.initiate(order)
    assert again == initiation  # the same order: the same message id and the same file, not a second payment
    other = await provider.initiate(replace(order, amount=order.amount + 1))
    assert other.message_id != initiation.message_id and len(list(config.outbox.iterdir())) == 2


async def test_an_order_that_does_not_pay_the_treasury_is_refused(config: Iso20022Config, order: PaymentOrder) -> None:
    provider = Iso20022Provider(config)
    with pytest.raises(InvalidInput) as caught:
        await provider.initiate(replace(order, creditor=TRADER))
    assert caught.value.problems[0].code == "creditor.not-treasury"
    assert not config.outbox.exists()


async def test_the_treasury_written_is_the_configured_one(config: Iso20022Config, order: PaymentOrder) -> None:
    spaced = replace(order, creditor=replace(TREASURY, name="whoever", account="kz75 125k zt20 6910 0100"))
    document = (await Iso20022Provider(config).initiate(spaced)).document or b""
    assert b"<Nm>Treasury of KZ</Nm>" in document and b"whoever" not in document


async def test_notices_reads_the_inbox_moves_good_files_and_rejects_bad_ones_with_the_reason(
    config: Iso20022Config,
) -> None:
    config.inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, config.inbox / "2026-12-07.xml")
    (config.inbox / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (config.inbox / "other-account.xml").write_bytes(
        SAMPLE.read_bytes().replace(b"KZ75125KZT2069100100", b"KZ86125KZT5004100100")
    )
    (config.inbox / "arriving.xml.part").write_bytes(b"<Doc")  # the channel still writing: left alone
    (config.inbox / ".hidden.xml").write_bytes(b"x")
    provider = Iso20022Provider(config)

    notices = await provider.notices()

    assert [n.entry_reference for n in notices] == ["KKMF-TX-000101", "E2/1", "KKMF-TX-000105"]
    assert sorted(p.name for p in config.inbox.iterdir()) == [
        ".hidden.xml",
        "arriving.xml.part",
        "processed",
        "rejected",
    ]
    assert [p.name for p in (config.inbox / "processed").iterdir()] == ["2026-12-07.xml"]
    rejected = config.inbox / "rejected"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "bomb.xml",
        "bomb.xml.reason.txt",
        "other-account.xml",
        "other-account.xml.reason.txt",
    ]
    assert (rejected / "bomb.xml").read_bytes() == BILLION_LAUGHS  # kept as it came
    assert "xml.doctype" in (rejected / "bomb.xml.reason.txt").read_text()
    assert "not the treasury's" in (rejected / "other-account.xml.reason.txt").read_text()
    assert await provider.notices() == []


async def test_a_file_of_a_name_already_processed_is_kept_under_a_new_name(config: Iso20022Config) -> None:
    provider = Iso20022Provider(config)
    config.inbox.mkdir(parents=True)
    reads = []
    for _ in range(2):
        shutil.copy(SAMPLE, config.inbox / "daily.xml")
        reads.append(await provider.notices())
    assert len(reads[0]) == 3 and reads[0] == reads[1]  # the same entry references: reconciliation ignores repeats
    assert sorted(p.name for p in (config.inbox / "processed").iterdir()) == ["daily.1.xml", "daily.xml"]


async def test_links_and_oversized_files_are_rejected_not_followed(tmp_path: Path, config: Iso20022Config) -> None:
    config.inbox.mkdir(parents=True)
    (config.inbox / "link.xml").symlink_to(SAMPLE)
    shutil.copy(SAMPLE, config.inbox / "large.xml")
    provider = Iso20022Provider(replace(config, max_bytes=1024))
    assert await provider.notices() == []
    rejected = config.inbox / "rejected"
    assert "file.not-regular" in (rejected / "link.xml.reason.txt").read_text()
    assert (rejected / "link.xml").is_symlink()  # the link itself moved, its target neither read nor linked
    assert "xml.too-large" in (rejected / "large.xml.reason.txt").read_text()
    assert SAMPLE.exists()


async def test_no_inbox_yet_means_no_notices(config: Iso20022Config) -> None:
    assert await Iso20022Provider(config).notices() == []


def test_a_file_another_process_moved_first_is_not_read_twice(tmp_path: Path) -> None:
    source = tmp_path / "gone.xml"
    assert folders._move(source, tmp_path / "processed") is None
    source.write_bytes(b"x")
    moved = folders._move(source, tmp_path / "processed")
    assert moved == tmp_path / "processed" / "gone.xml" and not source.exists() and moved.read_bytes() == b"x"


async def test_a_file_unreadable_for_now_stays_in_the_inbox(
    config: Iso20022Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, config.inbox / "daily.xml")

    def unreadable(*args: object, **kwargs: object) -> None:
        raise PermissionError("denied")

    monkeypatch.setattr(folders, "read_file", unreadable)
    assert await Iso20022Provider(config).notices() == []
    assert sorted(p.name for p in config.inbox.iterdir()) == ["daily.xml"]
    monkeypatch.undo()
    assert len(await Iso20022Provider(config).notices()) == 3


def test_without_hard_links_a_file_is_renamed_to_a_free_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(folders.os, "link", no_links)
    (tmp_path / "processed").mkdir()
    (tmp_path / "processed" / "daily.xml").write_bytes(b"first")
    (tmp_path / "daily.xml").write_bytes(b"second")
    moved = folders._move(tmp_path / "daily.xml", tmp_path / "processed")
    assert moved == tmp_path / "processed" / "daily.1.xml" and moved.read_bytes() == b"second"
    assert (tmp_path / "processed" / "daily.xml").read_bytes() == b"first"

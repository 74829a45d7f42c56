"""The worked example of the authoring guide: an agency system that exchanges JSON files in folders.

It shows every part of the SDK in a small space: a config model, ``deliver`` with an immediate decision,
``DocumentRefused`` and ``AgencyUnavailable``, a polling loop started in ``start`` and stopped in ``stop``
that publishes late decisions through ``context.decide`` (idempotent on the decision file's name), and a
``health`` probe for the circuit breaker.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from pydantic import ValidationError

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    AgencyUnavailable,
    DecisionDraft,
    DecisionStatus,
    DocumentRefused,
    Handover,
    InboundDocument,
    Officer,
)
from singlewindow.adapters.examples.echo_file import files
from singlewindow.adapters.examples.echo_file.config import EchoFileConfig


def _resolve(document: Any, pointer: str) -> bool:
    """Does the JSON pointer ``pointer`` name a present, non-empty value in ``document``?"""
    for part in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and key in document:
            document = document[key]
        elif isinstance(document, list) and key.isdigit() and int(key) < len(document):
            document = document[int(key)]
        else:
            return False
    return document not in (None, "", [], {})


class EchoFileAdapter(Adapter[EchoFileConfig]):
    """Hands documents to a folder as JSON files and reads decision files back by polling."""

    agency = "sanitary"
    config_model = EchoFileConfig

    def __init__(self) -> None:
        self._poller: asyncio.Task[None] | None = None

    async def setup(self, context: AdapterContext[EchoFileConfig]) -> None:
        # Only the decisions folder is ours to create; the outbox is the agency system's share.
        context.config.decisions_dir.mkdir(parents=True, exist_ok=True)

    async def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="echo-file-poller")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    async def deliver(self, document: InboundDocument) -> Handover:
        config = self.context.config
        missing = [p for p in config.required_fields if not _resolve(document.body, p)]
        if missing:
            raise DocumentRefused(f"the agency system needs {', '.join(missing)}")
        if not files.writable_folder(config.outbox_dir):
            raise AgencyUnavailable(f"exchange folder {config.outbox_dir} is not available")
        name = f"{document.handover_key}.json"
        try:
            await asyncio.to_thread(files.write_atomically, config.outbox_dir, name, document.body)
        except OSError as exc:
            raise AgencyUnavailable(f"cannot write to {config.outbox_dir}: {exc}") from exc
        return Handover(reference=name, decision=self._at_once(document))

    async def health(self) -> bool:
        return files.writable_folder(self.context.config.outbox_dir)

    def _at_once(self, document: InboundDocument) -> DecisionDraft | None:
        prefixes = self.context.config.accept_at_once_hs_prefixes
        codes = [str(item.get("commodityCode", {}).get("hsCode", "")) for item in document.body.get("goodsItems", [])]
        if prefixes and codes and all(code.startswith(prefixes) for code in codes):
            return DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="auto", name="Automatic clearance"))
        return None

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # keep polling: one bad pass must not end late decisions for good
                self.context.log.exception("polling decision files failed")
            await asyncio.sleep(self.context.config.poll_seconds)

    async def poll_once(self) -> int:
        """Publish every decision file waiting; returns how many files were processed."""
        config = self.context.config
        processed = 0
        for path in await asyncio.to_thread(files.decision_files, config.decisions_dir):
            try:
                handed_over = await asyncio.to_thread(files.read_json, config.outbox_dir / files.reference_of(path))
                content = await asyncio.to_thread(files.read_json, path)
                draft = DecisionDraft.model_validate({**content, "idempotency_key": path.name})
            except (OSError, ValueError, ValidationError) as exc:
                self.context.log.error("unreadable decision file", file=path.name, error=str(exc))
                await asyncio.to_thread(files.move_to, path, "invalid")
                continue
            await self.context.decide(handed_over["submissionId"], int(handed_over["submissionVersion"]), draft)
            # Moved only after decide returned: a crash in between re-reads the file, and the same
            # idempotency key (the file name) makes that a no-op.
            await asyncio.to_thread(files.move_to, path, "done")
            processed += 1
        if processed:
            self.context.log.info(
                "decision files read", processed=processed, awaiting=len(await self.context.pending())
            )
        return processed

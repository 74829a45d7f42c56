"""The GACC adapter: China's General Administration of Customs decides at once on what KZ sends it.

- control-result: recorded for mutual recognition (kept by ucr) and ACCEPTED; if a manifest of the same
  consignment is waiting, its decision is revised with ``context.decide`` (a higher sequence).
- cargo-manifest: mutual recognition (``recognition.assess_manifest``): ACCEPTED (GREEN) without inspection,
  or INSPECTION_REQUIRED (RED) with the reasons.
- phytosanitary-certificate: ACCEPTED, or REJECTED when older than the configured validity.
- tir-transit-declaration: ACCEPTED, the transit is announced at its office of destination.
- passenger-currency-declaration: ACCEPTED, declared at exit in KZ, no second declaration at entry.

One lock serialises manifests and control results, so a result arriving while its manifest is being
assessed is never missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    Channel,
    DecisionDraft,
    DecisionStatus,
    DocumentRefused,
    Handover,
    InboundDocument,
    NotFound,
    Officer,
    Reason,
)
from singlewindow.adapters.gacc.config import GaccConfig
from singlewindow.adapters.gacc.recognition import (
    Verdict,
    assess_manifest,
    manifest_ucrs,
    referenced_control_results,
    seal_numbers,
)
from singlewindow.adapters.gacc.store import ControlResult, GaccStore


class ManifestNotHandedOverYet(Exception):
    """A control result wants to revise a manifest whose hand-over the runtime has not recorded yet: the
    control result goes through the retry tiers and tries again (its recording is idempotent)."""


class GaccAdapter(Adapter[GaccConfig]):
    """China's General Administration of Customs: mutual recognition of KZ control results, decides at once."""

    agency = "gacc"
    config_model = GaccConfig

    _store: GaccStore | None = None

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def setup(self, context: AdapterContext[GaccConfig]) -> None:
        self._store = GaccStore(context.config.state_file)
        await self._store.prepare()

    @property
    def store(self) -> GaccStore:
        assert self._store is not None, "setup() opens the store"
        return self._store

    async def deliver(self, document: InboundDocument) -> Handover:
        body = document.body
        reference = f"gacc:{document.view}:{body.get('documentId', document.submission_id)}"[:255]
        if document.view == "control-result":
            return Handover(reference, await self._control_result(document))
        if document.view == "cargo-manifest":
            return Handover(reference, await self._manifest(document))
        if document.view == "phytosanitary-certificate":
            return Handover(reference, self._phyto(body))
        if document.view == "tir-transit-declaration":
            office = body.get("customsOfficeOfDestination")
            return Handover(
                reference, self._accept("TIR-ANNOUNCED", f"transit announced at office of destination {office}")
            )
        if document.view == "passenger-currency-declaration":
            text = "declared at exit in KZ; no second declaration needed at entry"
            return Handover(reference, self._accept("DECLARED-AT-EXIT", text))
        raise DocumentRefused(f"GACC takes no {document.view} documents")

    def _draft(
        self, status: DecisionStatus, channel: Channel | None, reasons: list[Reason], key: str | None = None
    ) -> DecisionDraft:
        officer = Officer(id=self.context.config.officer_id)
        return DecisionDraft(
            status=status, channel=channel, reasons=tuple(reasons), officer=officer, idempotency_key=key
        )

    def _accept(self, code: str, text: str) -> DecisionDraft:
        return self._draft(DecisionStatus.ACCEPTED, None, [Reason(code=code, text=text)])

    def _verdict_draft(self, verdict: Verdict, key: str | None = None) -> DecisionDraft:
        reasons = [Reason(code=r.code, text=r.text) for r in verdict.reasons]
        if verdict.accepted:
            return self._draft(DecisionStatus.ACCEPTED, Channel.GREEN, reasons, key)
        return self._draft(DecisionStatus.INSPECTION_REQUIRED, Channel.RED, reasons, key)

    async def _assess(self, manifest: Mapping[str, Any]) -> Verdict:
        results = await self.store.control_results(manifest_ucrs(manifest), referenced_control_results(manifest))
        return assess_manifest(manifest, results, self.context.config.risk_rules)

    async def _manifest(self, document: InboundDocument) -> DecisionDraft:
        async with self._lock:
            verdict = await self._assess(document.body)
            await self.store.keep_manifest(
                document.submission_id, document.version, dict(document.body), verdict.accepted
            )
        return self._verdict_draft(verdict)

    async def _control_result(self, document: InboundDocument) -> DecisionDraft:
        body = document.body
        result = ControlResult(
            str(body["documentId"]), str(body["ucr"]), str(body["result"]), seal_numbers(body.get("sealsApplied", []))
        )
        async with self._lock:
            await self.store.keep_control_result(result)
            for waiting in await self.store.open_manifests():
                concerned = result.ucr in manifest_ucrs(
                    waiting.document
                ) or result.document_id in referenced_control_results(waiting.document)
                if not concerned:
                    continue
                verdict = await self._assess(waiting.document)
                draft = self._verdict_draft(verdict, key=f"control-result:{result.document_id}")
                try:
                    await self.context.decide(waiting.submission_id, waiting.version, draft)
                except NotFound as exc:
                    raise ManifestNotHandedOverYet(
                        f"manifest {waiting.submission_id} v{waiting.version}: {exc}"
                    ) from exc
                await self.store.keep_manifest(
                    waiting.submission_id, waiting.version, waiting.document, verdict.accepted
                )
                self.context.log.info(
                    "manifest decision revised by a control result",
                    submission_id=waiting.submission_id,
                    control_result=result.document_id,
                    accepted=verdict.accepted,
                )
        return self._accept("RECORDED", "recorded for mutual recognition")

    def _phyto(self, body: Mapping[str, Any]) -> DecisionDraft:
        validity = timedelta(days=self.context.config.phyto_validity_days)
        issued = date.fromisoformat(str(body["issueDate"]))
        number = body.get("certificateNumber")
        if datetime.now(UTC).date() > issued + validity:
            reason = Reason(
                code="PHYTO-EXPIRED",
                text=f"phytosanitary certificate {number} issued {issued} is older than {validity.days} days",
            )
            return self._draft(DecisionStatus.REJECTED, None, [reason])
        return self._accept("PHYTO-ACCEPTED", f"phytosanitary certificate {number} accepted")

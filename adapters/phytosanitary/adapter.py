"""The phytosanitary quarantine adapter.

Import (and transit): the exporting country's ePhyto XML arrives as an attachment of the consignment; the
adapter validates it against the SPS certificate schema kept in the repository, checks it against the
declaration and files the check with its findings in the plant-protection system's import check register,
which releases them at once (the hand-over carries the decision) or first asks the trader (QUERY). Export:
the plant-protection system issues the certificate over HTTP; the adapter keeps it for the partner country
and accepts.

Lifecycle (issue 12): ``cancelled`` abandons the version's import check (never decided afterwards);
``replaced`` redoes the check on the new version, replacing the old one in the register; ``answered``
passes the trader's answer to the register, which releases the findings, published with ``context.decide``.
An export's certificate is already issued when a cancel arrives: the notice is logged (see the docs).
"""

from __future__ import annotations

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    Cancellation,
    Handover,
    InboundDocument,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.phytosanitary.check_register import (
    PREFIX,
    check_reference,
    file_check,
    live_checks,
    released,
)
from singlewindow.adapters.phytosanitary.config import PhytosanitaryConfig
from singlewindow.adapters.phytosanitary.export_certificate import issue_for_export
from singlewindow.adapters.phytosanitary.import_check import decide_import, find_certificates
from singlewindow.adapters.phytosanitary.plant_protection import PlantProtectionClient
from singlewindow.platform.api.agency_client import AgencyHubClient


class PhytosanitaryAdapter(Adapter[PhytosanitaryConfig]):
    """Plant quarantine: ePhyto (UN/CEFACT SPS XML) checked on import, certificates issued on export."""

    agency = "phytosanitary"
    config_model = PhytosanitaryConfig

    _hub: AgencyHubClient | None = None
    _system: PlantProtectionClient | None = None

    async def setup(self, context: AdapterContext[PhytosanitaryConfig]) -> None:
        config = context.config
        timeout = config.request_timeout_seconds
        self._hub = AgencyHubClient(config.hub_url, config.hub_token.get_secret_value(), timeout=timeout)
        self._system = PlantProtectionClient(config.plant_protection_url, timeout)

    async def stop(self) -> None:
        if self._hub is not None:
            await self._hub.__aexit__(None, None, None)
        if self._system is not None:
            await self._system.close()

    def exporting(self, document: InboundDocument) -> bool:
        procedure = document.body.get("procedure") or {}
        return procedure.get("direction") == "EK" or document.body["exportCountry"] == self.context.config.country

    async def deliver(self, document: InboundDocument) -> Handover:
        return await self._hand_over(document, None)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        return await self._hand_over(document, replacement.previous_reference)

    async def cancelled(self, notice: Cancellation) -> None:
        assert self._system is not None
        if notice.kind == "decision-not-applied":
            self.context.log.info("decision not applied by the hub", reason=notice.reason)
            return
        known = check_reference(notice.reference)
        if notice.reference and known is None:
            self.context.log.info("export certificate already issued; cancel logged", reference=notice.reference)
            return
        checks = [known] if known else await live_checks(self._system, notice.ucr, notice.submission_id, notice.version)
        for reference in checks:
            await self._system.abandon(reference, notice.reason)
            self.context.log.info("import check abandoned", check=reference, kind=notice.kind)

    async def answered(self, response: QueryResponse) -> None:
        assert self._system is not None
        checks = await live_checks(self._system, response.ucr, response.submission_id, response.version)
        if not checks:
            self.context.log.warning(
                "no live import check for the answered version", submission_id=response.submission_id
            )
            return
        check = await self._system.answer(checks[-1], response.query_id, response.answer)
        if check is None:
            self.context.log.info("import check ended before the answer", check=checks[-1])
            return
        draft = released(check, key=f"{PREFIX}{check.checkReference}:answer:{response.query_id}")
        if draft is not None:
            await self.context.decide(response.submission_id, response.version, draft)

    async def _hand_over(self, document: InboundDocument, replaces: str | None) -> Handover:
        assert self._hub is not None and self._system is not None
        config = self.context.config
        if self.exporting(document):
            draft = await issue_for_export(
                document.body, document.handover_key, self._system, self._hub, config.country
            )
            return Handover(reference=draft.references[0].id, decision=draft)
        certificates, problems = await find_certificates(
            self._hub, document.submission_id, document.version, config.certificate_media_types
        )
        findings = decide_import(document.body, certificates, problems)
        number = certificates[0].number if certificates else None
        check = await file_check(self._system, document.handover_key, document.ucr, number, findings, replaces)
        self.context.log.info(
            "ePhyto checked", submission_id=document.submission_id, status=findings.status.value, filed=check.status
        )
        return Handover(reference=f"{PREFIX}{check.checkReference}", decision=released(check))

    async def health(self) -> bool:
        return self._system is not None and await self._system.healthy()

"""The phytosanitary quarantine adapter.

Import (and transit): the exporting country's ePhyto XML arrives as an attachment of the consignment; the
adapter validates it against the SPS certificate schema kept in the repository, checks it against the
declaration and decides at once (the hand-over carries the decision). Export: the plant-protection system
issues the certificate over HTTP; the adapter keeps it for the partner country and accepts.
"""

from __future__ import annotations

from singlewindow.adapters import Adapter, AdapterContext, Handover, InboundDocument
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
        draft = decide_import(document.body, certificates, problems)
        reference = f"ephyto:{certificates[0].number}" if certificates else "ephyto:none"
        self.context.log.info("ePhyto checked", submission_id=document.submission_id, status=draft.status.value)
        return Handover(reference=reference, decision=draft)

    async def health(self) -> bool:
        return self._system is not None and await self._system.healthy()

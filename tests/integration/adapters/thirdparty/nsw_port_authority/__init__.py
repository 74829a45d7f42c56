"""A third-party adapter package, installed into a throwaway venv by the discovery integration test."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from singlewindow.adapters import Adapter, AgencyUnavailable, Handover, InboundDocument


class BerthConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    berth_system_url: str = "http://127.0.0.1:9/berths"


class PortAuthorityAdapter(Adapter[BerthConfig]):
    """Books a berth for each document in the port authority's berth system."""

    agency = "border-guard"
    config_model = BerthConfig

    async def deliver(self, document: InboundDocument) -> Handover:
        raise AgencyUnavailable(f"berth system at {self.context.config.berth_system_url} not reachable")

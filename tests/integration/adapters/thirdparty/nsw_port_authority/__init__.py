"""A third-party adapter package, installed into a throwaway venv by the integration tests.

It serves an agency the shipped catalogue does not know (``port-authority``): the tests add the catalogue
entry and a routing rule in a routing folder, run ``nsw topology declare``, and expect documents to arrive.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from singlewindow.adapters import Adapter, Handover, InboundDocument


class BerthConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    journal: Path
    """The berth system's booking journal: one JSON line per document."""


def _append(journal: Path, line: str) -> None:
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


class PortAuthorityAdapter(Adapter[BerthConfig]):
    """Books a berth for each document in the port authority's berth system."""

    agency = "port-authority"
    config_model = BerthConfig

    async def deliver(self, document: InboundDocument) -> Handover:
        entry = {"submissionId": document.submission_id, "view": document.view, "ucr": document.ucr}
        await asyncio.to_thread(_append, self.context.config.journal, json.dumps(entry))
        return Handover(reference=f"berth-{document.handover_key}")

"""Order from business references, not from the link: a document that needs another waits for it.

A Shovel delivers in order while nothing goes wrong, but a requeue, a restarted link or a quarantined and
later released envelope reorders messages. Each inbound document type may name the documents that must
be known before it can be applied; "known" means sent to the partner by us or received from it and applied.
Sequence numbers are not used to block (one quarantined envelope would stop the whole link); they show gaps
in ``nsw gateway status``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.adapters.gateway.store import GatewayStore

PREREQUISITES: Mapping[str, tuple[tuple[str, str], ...]] = {
    # TIR Convention Art. 28: termination is certified for a TIR operation that was started; its notice
    # names the transit declaration (documentId) it terminates.
    "transit-termination-notice": (("transitDeclarationId", "transit declaration"),),
}
"""Per document type: (field of the document holding the prerequisite's documentId, what it is)."""


async def missing_prerequisite(
    store: GatewayStore, partner: str, envelope: Mapping[str, Any], document: Mapping[str, Any]
) -> str | None:
    """What the document waits for ("transit declaration TD-1"), or None when it can be applied now."""
    for field, what in PREREQUISITES.get(str(envelope["documentType"]), ()):
        wanted = document.get(field)
        if isinstance(wanted, str) and not await store.knows_document(partner, wanted):
            return f"{what} {wanted}"
    return None

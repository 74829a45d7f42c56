"""Order from business references, not from the link: a document that needs another waits for it.

A Shovel delivers in order while nothing goes wrong, but a requeue, a restarted link or a quarantined and
later released envelope reorders messages. Each inbound document type may name the documents that must
be known before it can be applied; "known" means sent to the partner by us or received from it and applied.
Sequence numbers are not used to block (one quarantined envelope would stop the whole link); they show gaps
in ``nsw gateway status``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from singlewindow.adapters.gateway.store import GatewayStore
from singlewindow.adapters.gateway.withdrawals import WITHDRAWAL_TYPE, withdrawn_ids


def _field(name: str) -> Callable[[Mapping[str, Any]], list[str]]:
    return lambda document: [str(document[name])] if isinstance(document.get(name), str) else []


PREREQUISITES: Mapping[str, tuple[tuple[Callable[[Mapping[str, Any]], list[str]], str], ...]] = {
    # TIR Convention Art. 28: termination is certified for a TIR operation that was started; its notice
    # names the transit declaration (documentId) it terminates.
    "transit-termination-notice": ((_field("transitDeclarationId"), "transit declaration"),),
    # A withdrawal overtaking the document it withdraws waits for it, then cancels it.
    WITHDRAWAL_TYPE: ((withdrawn_ids, "withdrawn document"),),
}
"""Per document type: (the documentIds it needs known, what they are)."""


async def missing_prerequisite(
    store: GatewayStore, partner: str, envelope: Mapping[str, Any], document: Mapping[str, Any]
) -> str | None:
    """What the document waits for ("transit declaration TD-1"), or None when it can be applied now."""
    for wanted, what in PREREQUISITES.get(str(envelope["documentType"]), ()):
        for document_id in wanted(document):
            if not await store.knows_document(partner, document_id):
                return f"{what} {document_id}"
    return None

"""How the gateway reaches its own hub: submit what a partner sent, and read how our agencies decided.

The gateway is a client of the hub like a trader is: it submits through the public API under the partner's
own principal (role ``partner``), so a cross-border submission is validated, stored, routed and decided by
exactly the code that handles a trader's, and the hub's access rules apply to it. The embedded demo and the
tests pass an in-process port with the same two calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from singlewindow.platform.api.client import HubClient


class IntakePort(Protocol):
    async def submit(self, document_type: str, document: Mapping[str, Any], reference: str) -> str:
        """Submit ``document``; the same ``reference`` and payload again returns the same submission id."""
        ...

    async def status(self, submission_id: str) -> Mapping[str, Any]:
        """The submission as the hub's API shows it (``status``, ``version``, ``recipients`` with decisions)."""
        ...

    async def cancel(self, submission_id: str, reason: str) -> None:
        """Cancel the submission (the partner withdrew the document); Conflict when it is already decided."""
        ...


class HttpIntake:
    """The hub's HTTP API with the partner principal's token (``nsw principals add --role partner``)."""

    def __init__(self, url: str, token: str) -> None:
        self._client = HubClient(url, token)

    async def submit(self, document_type: str, document: Mapping[str, Any], reference: str) -> str:
        answer = await self._client.submit(document, document_type, trader_reference=reference)
        return str(answer["submission"]["submissionId"])  # POST answers {"submission": view, "created": bool}

    async def status(self, submission_id: str) -> Mapping[str, Any]:
        return await self._client.get(submission_id)

    async def cancel(self, submission_id: str, reason: str) -> None:
        await self._client.cancel(submission_id, reason)

    async def close(self) -> None:
        await self._client.__aexit__(None, None, None)

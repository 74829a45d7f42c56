"""The veterinary adapter: REST/JSON to the CHED system, the decision arriving later by webhook.

``deliver`` posts the view as a CHED notification and returns the CHED reference as the hand-over (the SDK
reports DELIVERED and acks). Hours later the official veterinarian decides and the system calls the
adapter's webhook; the adapter finds the hand-over by CHED reference and publishes through
``context.decide``, keyed by the webhook's event id, so a duplicate webhook changes nothing (the SDK
returns the first decision's sequence) and a later decision with a new event id is a revision.

Lifecycle, the way the CHED system has it: ``cancelled`` withdraws the version's CHED (a withdrawn CHED is
never decided; when the runtime never handed the version over, a CHED the system may still hold for it is
found by the consignment's reference and withdrawn too); ``replaced`` sends the new version naming the
previous CHED, which the system amends in place while undecided and otherwise replaces with a new CHED;
``answered`` posts the trader's answer to the version's CHED, and the veterinarian's decision follows by
webhook as usual. A request for information (``INFORMATION_REQUESTED``) is the hub's QUERY.
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
    VersionWithdrawn,
)
from singlewindow.adapters.veterinary.ched_api import ChedDecision
from singlewindow.adapters.veterinary.client import ChedClient
from singlewindow.adapters.veterinary.config import VeterinaryConfig
from singlewindow.adapters.veterinary.mapping import decision_draft, notification
from singlewindow.adapters.veterinary.webhook import WEBHOOK_PATH, WebhookServer, webhook_app


class VeterinaryAdapter(Adapter[VeterinaryConfig]):
    """Veterinary control: CHED notifications over REST/JSON, decisions by webhook."""

    agency = "veterinary"
    config_model = VeterinaryConfig

    _client: ChedClient | None = None
    _webhook: WebhookServer | None = None

    async def setup(self, context: AdapterContext[VeterinaryConfig]) -> None:
        config = context.config
        self._client = ChedClient(config.ched_url, config.request_timeout_seconds)
        self._webhook = WebhookServer(
            webhook_app(self._on_decision, config.webhook_token), config.webhook_host, config.webhook_port
        )

    async def start(self) -> None:
        assert self._webhook is not None
        await self._webhook.start()
        self.context.log.info("CHED webhook listening", url=self.callback_url)

    async def stop(self) -> None:
        if self._webhook is not None:
            await self._webhook.stop()
        if self._client is not None:
            await self._client.close()

    @property
    def callback_url(self) -> str:
        config = self.context.config
        if config.webhook_public_url:
            return config.webhook_public_url
        assert self._webhook is not None
        return f"http://{self._webhook.host}:{self._webhook.port}{WEBHOOK_PATH}"

    async def deliver(self, document: InboundDocument) -> Handover:
        return await self._notify(document, None)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        return await self._notify(document, replacement.previous_reference)

    async def cancelled(self, notice: Cancellation) -> None:
        assert self._client is not None
        if notice.kind == "decision-not-applied":
            self.context.log.info("CHED decision not applied by the hub", reason=notice.reason, ched=notice.reference)
            return
        references = (
            [notice.reference]
            if notice.reference
            else await self._cheds_of(notice.ucr, notice.submission_id, notice.version)
        )
        for reference in references:
            known = await self._client.withdraw(reference, notice.reason)
            self.context.log.info("CHED withdrawn", ched=reference, known=known, kind=notice.kind)

    async def answered(self, response: QueryResponse) -> None:
        assert self._client is not None
        cheds = await self._cheds_of(response.ucr, response.submission_id, response.version)
        if not cheds:
            self.context.log.warning("no live CHED for the answered version", submission_id=response.submission_id)
            return
        passed = await self._client.answer(cheds[-1], response.query_id, response.answer)
        self.context.log.info("answer passed to the CHED", ched=cheds[-1], passed=passed)

    async def _notify(self, document: InboundDocument, replaces: str | None) -> Handover:
        assert self._client is not None
        reference = local_reference(document.submission_id, document.version, document.attempt)
        accepted = await self._client.notify(notification(document.body, reference, self.callback_url, replaces))
        self.context.log.info(
            "CHED notified", ched=accepted.chedReference, status=accepted.status, submission_id=document.submission_id
        )
        return Handover(reference=accepted.chedReference)

    async def _cheds_of(self, ucr: str, submission_id: str, version: int) -> list[str]:
        """The live CHEDs the system holds for one submission version, oldest first."""
        assert self._client is not None
        found = []
        for ched in (await self._client.of_consignment(ucr)).cheds:
            try:
                owner = parse_local_reference(ched.localReference)
            except ValueError:
                continue
            if owner == (submission_id, version) and ched.status in ("SUBMITTED", "DECIDED"):
                found.append(ched.chedReference)
        return found

    async def health(self) -> bool:
        return self._client is not None and await self._client.healthy()

    async def _on_decision(self, decision: ChedDecision) -> str:
        """The webhook's sink: publish the decision on the submission version its local reference names."""
        try:
            submission_id, version = parse_local_reference(decision.localReference)
        except ValueError:
            self.context.log.warning("CHED decision with a foreign local reference", ched=decision.chedReference)
            return "unknown"
        draft = decision_draft(decision, self.context.config.issuer_country)
        # context.decide raises NotFound while the hand-over is not recorded yet (the system may decide
        # before deliver() returned): the webhook then answers 503 and the system calls again, so the
        # decision is never dropped.
        try:
            sequence = await self.context.decide(submission_id, version, draft)
        except VersionWithdrawn as exc:
            # The hub withdrew this version (a cancel that raced the hand-over): the CHED is not wanted any
            # more, so withdraw it in the system instead of having it call back for ever.
            assert self._client is not None
            await self._client.withdraw(decision.chedReference, str(exc))
            self.context.log.info("CHED decided on a withdrawn version: withdrawn", ched=decision.chedReference)
            return "withdrawn"
        self.context.log.info("CHED decision stored", ched=decision.chedReference, sequence=sequence)
        return "decided"


def local_reference(submission_id: str, version: int, attempt: int) -> str:
    """Our id of one hand-over in the CHED system: it deduplicates on it, and its webhook echoes it."""
    return f"{submission_id}.v{version}.a{attempt}"


def parse_local_reference(reference: str) -> tuple[str, int]:
    submission_id, version, attempt = reference.rsplit(".", 2)
    if not (version.startswith("v") and version[1:].isdigit() and attempt.startswith("a") and attempt[1:].isdigit()):
        raise ValueError(f"not a local reference of this adapter: {reference!r}")
    return submission_id, int(version[1:])

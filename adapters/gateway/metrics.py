"""Prometheus metrics of the gateway: what was sent, receipted, taken, refused and quarantined, per partner.

One ``GatewayMetrics`` per process, on its own registry (``nsw gateway status --metrics`` and the adapter
process's metrics endpoint render it), so tests and two gateways in one process never share counters.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.sent = Counter(
            "nsw_gateway_envelopes_sent",
            "Envelopes sealed and handed to the link",
            ["partner", "kind"],
            registry=self.registry,
        )
        self.receipts = Counter(
            "nsw_gateway_receipts_received",
            "Partner receipts for our envelopes",
            ["partner", "outcome"],
            registry=self.registry,
        )
        self.envelopes = Counter(
            "nsw_gateway_envelopes_received",
            "Partner envelopes by what became of them",
            ["partner", "state"],
            registry=self.registry,
        )
        self.redeliveries = Counter(
            "nsw_gateway_redeliveries",
            "Partner envelopes received again (original receipt resent)",
            ["partner"],
            registry=self.registry,
        )
        self.quarantine = Counter(
            "nsw_gateway_quarantined",
            "Messages set aside for an operator, by reason code",
            ["partner", "reason"],
            registry=self.registry,
        )

    def envelope_sent(self, partner: str, kind: str) -> None:
        self.sent.labels(partner, kind).inc()

    def receipt(self, partner: str, outcome: str) -> None:
        self.receipts.labels(partner, outcome).inc()

    def received(self, partner: str, state: str) -> None:
        self.envelopes.labels(partner, state).inc()

    def redelivery(self, partner: str) -> None:
        self.redeliveries.labels(partner).inc()

    def quarantined(self, partner: str, reason: str) -> None:
        self.quarantine.labels(partner, reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)

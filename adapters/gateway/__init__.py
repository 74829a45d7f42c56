"""The cross-border gateway: signed envelopes and receipts exchanged with a partner country's single window."""

from singlewindow.adapters.gateway.adapter import CrossBorderGateway, GatewayConfig

__all__ = ["CrossBorderGateway", "GatewayConfig"]

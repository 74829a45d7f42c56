"""The gateway's config, read from the same file ``nsw adapter run crossborder-gateway --config FILE`` reads,
so the operator's commands (``nsw gateway status|quarantine``) look at exactly the store the gateway writes."""

from __future__ import annotations

from pathlib import Path

from singlewindow.adapters.gateway.adapter import GatewayConfig
from singlewindow.adapters.sdk.config_file import adapter_config, read_config_file


def gateway_config(path: Path) -> GatewayConfig:
    config = adapter_config(GatewayConfig, read_config_file(path).adapter, str(path))
    assert isinstance(config, GatewayConfig)
    return config

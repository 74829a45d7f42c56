"""GACC (China's General Administration of Customs) on the CN demo hub: one adapter deciding at once on
what arrives from Kazakhstan, with mutual recognition of KZ control results for cargo manifests."""

from singlewindow.adapters.gacc.adapter import GaccAdapter
from singlewindow.adapters.gacc.config import GaccConfig, RiskRule

__all__ = ["GaccAdapter", "GaccConfig", "RiskRule"]

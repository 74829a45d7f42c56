"""The customs adapter (UN/EDIFACT CUSDEC/CUSRES through a file-exchange folder), the customs system's
risk selectivity and its stand-in."""

from singlewindow.adapters.customs.adapter import CustomsEdifactAdapter
from singlewindow.adapters.customs.config import CustomsConfig

__all__ = ["CustomsConfig", "CustomsEdifactAdapter"]

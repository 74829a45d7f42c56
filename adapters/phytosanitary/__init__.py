"""Phytosanitary quarantine: the ePhyto adapter (UN/CEFACT SPS XML, XSD in schemas/, samples in samples/)
and a stand-in of the plant-protection system that issues export certificates."""

from singlewindow.adapters.phytosanitary.adapter import PhytosanitaryAdapter
from singlewindow.adapters.phytosanitary.config import PhytosanitaryConfig

__all__ = ["PhytosanitaryAdapter", "PhytosanitaryConfig"]

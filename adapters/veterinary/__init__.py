"""Veterinary control: the adapter to the CHED system (REST/JSON, webhook) and a stand-in of that system."""

from singlewindow.adapters.veterinary.adapter import VeterinaryAdapter
from singlewindow.adapters.veterinary.config import VeterinaryConfig

__all__ = ["VeterinaryAdapter", "VeterinaryConfig"]

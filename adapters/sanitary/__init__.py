"""The sanitary-epidemiological adapter (a shared database table with the legacy system) and its stand-in."""

from singlewindow.adapters.sanitary.adapter import SanitaryTableAdapter
from singlewindow.adapters.sanitary.config import SanitaryConfig

__all__ = ["SanitaryConfig", "SanitaryTableAdapter"]

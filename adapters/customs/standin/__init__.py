"""A stand-in for the legacy customs system: reads CUSDEC from the exchange folder, answers CUSRES."""

from singlewindow.adapters.customs.standin.script import Script, read_script
from singlewindow.adapters.customs.standin.store import CustomsStore
from singlewindow.adapters.customs.standin.system import CustomsSystem

__all__ = ["CustomsStore", "CustomsSystem", "Script", "read_script"]

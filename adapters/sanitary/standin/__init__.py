"""A stand-in for the sanitary service's legacy system: polls the shared table, writes its decisions."""

from singlewindow.adapters.sanitary.standin.script import Script, read_script, write_script
from singlewindow.adapters.sanitary.standin.system import SanitarySystem

__all__ = ["SanitarySystem", "Script", "read_script", "write_script"]

"""The echo-file example adapter (docs/adapter-guide.md walks through it)."""

from singlewindow.adapters.examples.echo_file.adapter import EchoFileAdapter
from singlewindow.adapters.examples.echo_file.config import EchoFileConfig

__all__ = ["EchoFileAdapter", "EchoFileConfig"]

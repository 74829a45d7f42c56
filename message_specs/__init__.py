"""The message specifications as package data: document schemas, views, examples, routing rules, code lists.

Only the few lines that locate the data live here; the code that reads it lives with its users.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def root() -> Traversable:
    """The folder holding the specs, wherever the package is installed (wheel, editable, zip)."""
    return files(__name__)

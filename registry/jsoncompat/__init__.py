"""JSON Schema (draft 2020-12) compatibility: is every instance valid under a writer schema valid under
a reader schema? One small rule per keyword; each incompatibility names a pointer and a rule id."""

from singlewindow.registry.jsoncompat.checker import InvalidSchemaError, check
from singlewindow.registry.jsoncompat.model import Incompatibility

__all__ = ["Incompatibility", "InvalidSchemaError", "check"]

"""The CLI tests drive the same embedded, served hub as the API tests."""

from ..api.conftest import env  # noqa: F401  (the fixture, re-exported for this folder)

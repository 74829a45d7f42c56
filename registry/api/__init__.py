"""Confluent-compatible REST API (Starlette)."""

from singlewindow.registry.api.app import create_app
from singlewindow.registry.api.router import MEDIA_TYPE

__all__ = ["MEDIA_TYPE", "create_app"]

"""Finding adapters: the ``singlewindow.adapters`` entry-point group, built-ins included.

Every entry point is loaded on its own; one that fails to import, or names something that is not an
``Adapter`` subclass with an ``agency``, is logged and reported as broken, never fatal for the others
(kombu loads its serializer entry points the same way).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import structlog

from singlewindow.adapters.sdk.base import Adapter, describe
from singlewindow.platform.errors import ConfigurationError

GROUP = "singlewindow.adapters"
log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AdapterEntry:
    """One installed adapter, as ``nsw adapter list`` shows it."""

    name: str
    agency: str
    version: str
    distribution: str
    target: str
    """``module:Class`` the entry point names."""
    description: str
    adapter_class: type[Adapter[Any]]

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "agency": self.agency,
            "version": self.version,
            "distribution": self.distribution,
            "target": self.target,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class BrokenEntry:
    name: str
    target: str
    distribution: str
    error: str


@dataclass(frozen=True, slots=True)
class Discovery:
    adapters: tuple[AdapterEntry, ...]
    broken: tuple[BrokenEntry, ...]

    def get(self, name: str) -> AdapterEntry:
        """The adapter registered as ``name``; ``ConfigurationError`` listing the known ones otherwise."""
        for entry in self.adapters:
            if entry.name == name:
                return entry
        known = sorted(entry.name for entry in self.adapters)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigurationError(
            f"no adapter named {name!r}.{hint} Known adapters: {', '.join(known) or '(none installed)'}"
        )


def _distribution(point: EntryPoint) -> tuple[str, str]:
    dist = point.dist
    if dist is None:
        return "unknown", "unknown"
    return dist.metadata["Name"] or dist.name, dist.version


def _load(point: EntryPoint) -> AdapterEntry:
    distribution, version = _distribution(point)
    loaded = point.load()
    if not (isinstance(loaded, type) and issubclass(loaded, Adapter)):
        raise TypeError(f"{point.value} is not a subclass of singlewindow.adapters.Adapter")
    agency = getattr(loaded, "agency", None)
    if not isinstance(agency, str) or not agency:
        raise TypeError(f"{point.value} does not set the class attribute 'agency'")
    return AdapterEntry(point.name, agency, version, distribution, point.value, describe(loaded), loaded)


def discover(group: str = GROUP) -> Discovery:
    """Load every adapter entry point of ``group``; broken ones are logged and listed apart."""
    adapters: list[AdapterEntry] = []
    broken: list[BrokenEntry] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            adapters.append(_load(point))
        except Exception as exc:
            distribution, _ = _distribution(point)
            error = f"{type(exc).__name__}: {exc}"
            log.error("adapter entry point skipped", name=point.name, target=point.value, error=error)
            broken.append(BrokenEntry(point.name, point.value, distribution, error))
    return Discovery(tuple(adapters), tuple(broken))

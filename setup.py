"""The package list, computed: every folder under the four top-level folders is a package of the
``singlewindow`` namespace, its data folders (document specs, code lists, routing, protos, XSDs, samples)
included, so setuptools neither warns that they "would be ignored" nor needs a hand-kept list that goes
stale when a document type is added. Everything else is declared in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# import prefix -> folder: [tool.setuptools] package-dir in pyproject.toml, the one place it is written
PACKAGE_DIR: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
# Data shipped beside the code: package (and, for the message specs, every package below it) -> patterns.
SPEC_FILES = ["*.json", "*.avsc", "*.proto", "*.csv", "*.yaml", "*.xsd", "*.edi", "*.xml"]
DATA = {
    "singlewindow.platform.storage.migrations": ["script.py.mako"],
    "singlewindow.platform.demo.data": ["*.xml"],
    "singlewindow.platform.demo.data.cn.partners": ["*.json"],  # the second country of the demo: CN's data
    "singlewindow.platform.demo.data.cn.routing": ["*.json"],
    "singlewindow.platform.demo.data.crossborder": ["*.json"],  # one KZ->CN truck, a document per use-case step
    "singlewindow.adapters.customs.profiles": ["*.json"],
    "singlewindow.adapters.customs.codesets": ["*.json"],  # EDIFACT code-set profiles of partner administrations
    "singlewindow.platform.web.templates": ["*.html"],  # the portal's pages, catalogues and static files
    "singlewindow.platform.web.static": ["*.css", "*.js"],
    "singlewindow.platform.web.fonts": ["*.ttf", "LICENSE.txt"],  # the decision PDF prints Cyrillic
    "singlewindow.platform.web.locale.ru.LC_MESSAGES": ["*.po"],
    "singlewindow.platform.web.locale.kk.LC_MESSAGES": ["*.po"],
    "singlewindow.platform.web.locale.codelists": ["*.json"],  # ru/kk names of the code lists, by code
    "singlewindow.adapters.phytosanitary.schemas": ["*.xsd"],
    "singlewindow.adapters.phytosanitary.samples": ["*.xml"],
}
# Folders that are neither code nor shipped data (the customs stand-in's samples are for tests and docs).
NOT_SHIPPED = {"singlewindow.adapters.customs.samples"}


def find_packages() -> list[str]:
    """Every folder (but ``__pycache__`` and the ones not shipped) under the four folders, dotted."""
    found = []
    for prefix, folder in PACKAGE_DIR.items():
        base = ROOT / folder
        for sub in sorted([base, *(p for p in base.rglob("*") if p.is_dir())]):
            parts = sub.relative_to(base).parts
            if "__pycache__" in parts or any(part.startswith(".") for part in parts):
                continue
            name = ".".join((prefix, *parts))
            if name not in NOT_SHIPPED:
                found.append(name)
    return found


def package_data(packages: list[str]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {"": ["py.typed"]}
    for name in packages:
        if name == "singlewindow.message_specs" or name.startswith("singlewindow.message_specs."):
            data[name] = SPEC_FILES
        elif name in DATA:
            data[name] = DATA[name]
    return data


if __name__ == "__main__":
    from setuptools import setup

    PACKAGES = find_packages()
    setup(packages=PACKAGES, package_data=package_data(PACKAGES))

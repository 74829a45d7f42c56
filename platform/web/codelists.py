"""The shipped code lists as the form's drop-downs and the HS lookup, named in the page's language.

Countries and currencies take their names from CLDR (Babel) in every language; the other lists' Russian and
Kazakh names are catalogue data by code, one JSON file per code list in ``locale/codelists/``
(``{"codelist": id, "names": {code: {"ru": ..., "kk": ...}}}``), so a name follows the code, not its English
wording; a code without one there falls back to the gettext catalogues, then to English. The HS list holds
chapters and 4-digit headings, so the HS code (6 digits) is typed, with a lookup by code or words instead of a
drop-down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from singlewindow.platform.specs import default_specs_dir, read_json
from singlewindow.platform.web.i18n import Language

NAMES_DIR = Path(__file__).parent / "locale" / "codelists"
HS = "hs"
NO_DROP_DOWN = frozenset({HS})
MAX_HS_MATCHES = 30


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    name: str  # English, as shipped
    level: str = ""  # the HS list: chapter or heading


@dataclass(frozen=True)
class CodeLists:
    specs_dir: Path
    names_dir: Path = NAMES_DIR

    @classmethod
    def shipped(cls) -> CodeLists:
        return cls(default_specs_dir())

    @cached_property
    def entries(self) -> Mapping[str, tuple[Entry, ...]]:
        lists: dict[str, tuple[Entry, ...]] = {}
        for path in sorted((self.specs_dir / "codelists").glob("*.json")):
            content: Any = read_json(path)
            lists[path.stem] = tuple(
                Entry(str(e["code"]), str(e["name"]), str(e.get("level", ""))) for e in content.get("codes", [])
            )
        return lists

    @cached_property
    def translated(self) -> Mapping[str, Mapping[str, Mapping[str, str]]]:
        """Code list id -> code -> language -> name, from ``names_dir``."""
        found: dict[str, Mapping[str, Mapping[str, str]]] = {}
        for path in sorted(self.names_dir.glob("*.json")):
            content: Any = read_json(path)
            found[str(content["codelist"])] = content["names"]
        return found

    def name(self, list_id: str, entry: Entry, language: Language) -> str:
        if list_id == "countries":
            return language.country(entry.code, entry.name)
        if list_id == "currencies":
            return language.currency(entry.code, entry.name)
        by_code = self.translated.get(list_id, {}).get(entry.code, {})
        return by_code.get(language.code) or language.gettext(entry.name)

    def options(self, list_id: str, language: Language) -> list[tuple[str, str]]:
        """(code, "code: name") for a drop-down, in the list's order."""
        return [(e.code, f"{e.code}: {self.name(list_id, e, language)}") for e in self.entries.get(list_id, ())]

    def has_drop_down(self, list_id: str | None) -> bool:
        return list_id is not None and list_id in self.entries and list_id not in NO_DROP_DOWN

    def hs_lookup(self, query: str, language: Language) -> list[tuple[str, str]]:
        """HS chapters and headings whose code starts with ``query`` or whose name (English or translated)
        holds every word of it; at most ``MAX_HS_MATCHES``."""
        text = query.strip().lower()[:100]
        if not text:
            return []
        words = text.split()
        found = []
        for entry in self.entries.get(HS, ()):
            name = self.name(HS, entry, language)
            haystack = f"{entry.name} {name}".lower()
            if entry.code.startswith(text) or all(word in haystack for word in words):
                found.append((entry.code, name))
            if len(found) >= MAX_HS_MATCHES:
                break
        return found

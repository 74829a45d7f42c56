"""The portal's languages: English (the source strings), Russian and Kazakh gettext catalogues.

The ``.po`` files under ``locale/`` are the catalogues; they are compiled in memory when the portal starts
(Babel), so there is no build step and no compiled file to drift from its source. Country and currency names
come from CLDR (Babel's locale data), every other label and code-list name from the catalogues. The language
is the one the visitor chose, else the best of Accept-Language, else English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.core import UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "ru", "kk")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
NATIVE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


def catalogue_path(language: str, part: str = "messages") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{part}.po"


def _compiled(po_path: Path, language: str) -> Translations:
    with po_path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def load_translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language``: ``messages.po`` (the portal) merged with the other page sets'
    ``.po`` files beside it (``officers.po``: the console and the dashboard); English is the source, so it
    translates nothing."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    translations = _compiled(catalogue_path(language), language)
    for part in sorted(catalogue_path(language).parent.glob("*.po")):
        if part.name != "messages.po":
            translations.merge(_compiled(part, language))
    return translations


def negotiate(accept_language: str | None) -> str:
    """The visitor's most preferred language we have (``ru-RU,ru;q=0.9,en;q=0.8`` -> ``ru``)."""
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        wanted.append((-quality + position * 1e-6, tag.strip().lower().split("-")[0]))
    for _, language in sorted(wanted):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Language:
    """One language's translations and CLDR data, built once per process."""

    code: str

    @cached_property
    def translations(self) -> NullTranslations:
        return load_translations(self.code)

    @cached_property
    def locale(self) -> Locale:
        try:
            return Locale.parse(self.code)
        except UnknownLocaleError:  # pragma: no cover - every LANGUAGES entry is in CLDR
            return Locale.parse(DEFAULT_LANGUAGE)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def country(self, code: str, fallback: str) -> str:
        return str(self.locale.territories.get(code, fallback))

    def currency(self, code: str, fallback: str) -> str:
        return str(self.locale.currencies.get(code, fallback))


LANGUAGE_DATA = {code: Language(code) for code in LANGUAGES}

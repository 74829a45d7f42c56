"""The Russian and Kazakh catalogues translate every string of the templates, every field label of every
submittable document type, and the statuses, agencies and roles the pages show; and they load."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import HubSettings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.web.forms.spec import field_spec, labels
from singlewindow.platform.web.i18n import LANGUAGE_DATA, catalogue_path
from singlewindow.platform.web.rendering import TEMPLATES

RECIPIENT_STATES = ("PENDING", "DELIVERED", "OVERDUE", "DELIVERY_FAILED", "ACCEPTED", "ACCEPTED_WITH_CONDITIONS",
                    "INSPECTION_REQUIRED", "QUERY")  # fmt: skip


def template_msgids() -> set[str]:
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(TEMPLATES), method_map=[("**.html", "jinja2")], options_map=options)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def shown_msgids() -> set[str]:
    catalog = Catalog()
    wanted = template_msgids() | {s.value for s in Consolidated} | set(RECIPIENT_STATES) | {r.value for r in Role}
    wanted |= {recipient.id for recipient in load_catalogue().recipients}
    for name in HubSettings().submittable_types:
        schema = catalog.get(name).json_schema
        wanted |= labels(field_spec(schema, schema)) | {catalog.get(name).title}
    return wanted


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_shown_string_is_translated(language: str) -> None:
    """Over every catalogue part of the language (``messages.po`` and the console's ``officers.po``), as the
    portal merges them at start."""
    translated: set[str] = set()
    for part in sorted(catalogue_path(language).parent.glob("*.po")):
        with part.open("rb") as po:
            translated |= {m.id for m in read_po(po, locale=language) if m.id and m.string}
    assert sorted(shown_msgids() - translated) == []


@pytest.mark.parametrize(("language", "text"), [("ru", "Мои подачи"), ("kk", "Менің өтінімдерім")])
def test_the_compiled_catalogue_translates(language: str, text: str) -> None:
    assert LANGUAGE_DATA[language].gettext("My submissions") == text
    assert LANGUAGE_DATA[language].country("KZ", "Kazakhstan") in {"Казахстан", "Қазақстан"}

"""Every code the form's drop-downs and the HS lookup show from the units, package types, border crossing
points, customs offices, transport modes, customs procedures and HS lists has a Russian and a Kazakh name
(``platform/web/locale/codelists``), and the pages use them."""

from __future__ import annotations

import pytest

from singlewindow.platform.web.codelists import CodeLists
from singlewindow.platform.web.i18n import LANGUAGE_DATA

CODELISTS = CodeLists.shipped()
TRANSLATED_LISTS = (
    "units",
    "package-types",
    "border-crossing-points",
    "customs-offices",
    "hs",
    "transport-modes",
    "customs-procedures",
)
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")


@pytest.mark.parametrize("list_id", TRANSLATED_LISTS)
def test_every_code_shown_has_russian_and_kazakh_names(list_id: str) -> None:
    names = CODELISTS.translated[list_id]
    shown = [entry.code for entry in CODELISTS.entries[list_id]]
    assert sorted(set(names) - set(shown)) == []  # no name for a code the list does not have
    missing = [(code, language) for code in shown for language in ("ru", "kk") if not names.get(code, {}).get(language)]
    assert missing == []
    for code in shown:  # a name in the language, not the English copied over
        assert all(CYRILLIC & set(names[code][language].lower()) for language in ("ru", "kk")), code


def test_the_drop_downs_and_the_hs_lookup_use_them() -> None:
    russian, kazakh, english = LANGUAGE_DATA["ru"], LANGUAGE_DATA["kk"], LANGUAGE_DATA["en"]
    assert CODELISTS.options("units", russian)[0] == ("KGM", "KGM: килограмм")
    assert dict(CODELISTS.options("border-crossing-points", kazakh))["KZNZH"] == (
        "KZNZH: Нұр Жолы (Қорғас автомобиль өткізу пункті)"
    )
    assert dict(CODELISTS.options("package-types", english))["BX"] == "BX: Box"
    assert CODELISTS.hs_lookup("живые животные", russian)[0] == ("01", "Живые животные")
    assert CODELISTS.hs_lookup("live animals", russian)[0] == ("01", "Живые животные")  # English words still find

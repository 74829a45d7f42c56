"""Every text of the console and dashboard pages has its Russian and Kazakh translation, and the pages
render in the visitor's language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from singlewindow.platform.web.i18n import catalogue_path

TEMPLATES = Path(__file__).parents[3] / "platform" / "web" / "templates"
PAGES = ("dashboard.html", "console.html", "console_item.html", "console_joint.html", "_joint.html")
MESSAGE = re.compile(r"""_\("((?:[^"\\]|\\.)*)"\)|_\('([^']*)'\)""")


def texts() -> set[str]:
    return {a or b for page in PAGES for a, b in MESSAGE.findall((TEMPLATES / page).read_text(encoding="utf-8"))}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_text_is_translated(language: str) -> None:
    with catalogue_path(language, "officers").open("rb") as po:
        catalogue = read_po(po, locale=language)
    translated = {m.id for m in catalogue if m.id and m.string}
    assert sorted(texts() - translated) == []


async def test_the_dashboard_follows_the_browsers_language(console: Any) -> None:
    await console.sign_in("operator")
    page = await console.portal.get("/dashboard", headers={"accept-language": "kk, ru;q=0.8"})
    assert page.headers["content-language"] == "kk"
    assert "<h1>Тауарларды шығару мерзімдері</h1>" in page.text

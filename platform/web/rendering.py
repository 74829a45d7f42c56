"""Pages from templates: one autoescaping Jinja environment per language, each with its catalogue installed
(``{{ _("...") }}`` and ``{% trans %}``), and the context every page shares (who is signed in, the CSRF
token, the language switch)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from singlewindow.platform.web.i18n import LANGUAGE_DATA, LANGUAGES, NATIVE_NAMES, Language, negotiate
from singlewindow.platform.web.middleware import session_of

TEMPLATES = Path(__file__).parent / "templates"


def _environment(language: Language) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(language.translations, newstyle=True)  # type: ignore[attr-defined]
    return environment


class Pages:
    """Renders the portal's templates in the visitor's language."""

    def __init__(self, shared: Mapping[str, Any] | None = None) -> None:
        self._environments = {code: _environment(LANGUAGE_DATA[code]) for code in LANGUAGES}
        self._shared = dict(shared or {})

    @staticmethod
    def language_of(request: Request) -> Language:
        chosen = session_of(request).language
        code = chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language"))
        return LANGUAGE_DATA[code]

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        language = self.language_of(request)
        session = session_of(request)
        page = self._environments[language.code].get_template(template)
        html = page.render(
            **self._shared,
            **context,
            request=request,
            session=session,
            language=language,
            languages=[(code, NATIVE_NAMES[code]) for code in LANGUAGES],
        )
        return HTMLResponse(html, status_code=status_code, headers={"content-language": language.code})

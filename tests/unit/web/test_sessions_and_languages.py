"""The session cookie opens only with its key and untouched; the language follows Accept-Language."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from singlewindow.platform.web.i18n import negotiate
from singlewindow.platform.web.sessions import Session, SessionSealer


def test_a_sealed_session_opens_with_its_key_only() -> None:
    key = Fernet.generate_key()
    session = Session.anonymous("kk").signed_in_as("nsw_token", "kz-trader", "trader")
    cookie = SessionSealer(key, 3600).seal(session)
    assert "nsw_token" not in cookie  # encrypted, not only signed
    assert SessionSealer(key, 3600).open(cookie) == session
    assert SessionSealer(Fernet.generate_key(), 3600).open(cookie) is None
    assert SessionSealer(key, 3600).open(cookie[:-4] + "AAAA") is None
    assert SessionSealer(key, 3600).open("x" * 5000) is None


def test_signing_in_changes_the_csrf_token() -> None:
    anonymous = Session.anonymous()
    signed = anonymous.signed_in_as("nsw_t", "n", "trader")
    assert signed.csrf != anonymous.csrf and signed.csrf_matches(signed.csrf)
    assert not signed.csrf_matches(anonymous.csrf) and not signed.csrf_matches(None)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("kk", "kk"),
        ("de-DE,kk;q=0.5,ru;q=0.7", "ru"),
        ("fr", "en"),
        (None, "en"),
        ("en;q=bad,kk;q=0.1", "kk"),
    ],
)
def test_language_from_accept_language(header: str | None, language: str) -> None:
    assert negotiate(header) == language

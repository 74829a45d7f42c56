"""The decision PDF is in the visitor's language and its font carries Cyrillic: the embedded font subset maps
glyphs back to the Russian title's letters and to a Kazakh reason's letters (read from the PDF's ToUnicode
map, which fpdf2 writes uncompressed, so no PDF library is needed)."""

from __future__ import annotations

import re

from singlewindow.platform.web.decision_pdf import decision_pdf
from singlewindow.platform.web.i18n import LANGUAGE_DATA

SUBMISSION = {
    "submissionId": "s_0123456789abcdef",
    "version": 1,
    "status": "CLEARED",
    "ucr": "6KZ123456789-TEST",
    "traderReference": "REF-1",
    "documentType": "consignment",
    "recipients": [
        {
            "recipient": "customs",
            "effectiveStatus": "ACCEPTED_WITH_CONDITIONS",
            "decision": {"channel": "GREEN", "conditions": [{"code": "C1", "text": "Үлгі алу қажет"}]},
        }
    ],
}
PROOF = {
    "payload": "NSW1.abc.def",
    "statement": {"submissionId": "s_0123456789abcdef", "issuedAt": "2026-12-07T15:00:00Z", "keyId": "k1"},
}


def _mapped_characters(pdf: bytes) -> set[str]:
    """Every character the PDF's ToUnicode maps name (the ``<glyph> <unicode>`` pairs of its bfchar blocks)."""
    text = pdf.decode("latin-1")
    blocks = re.findall(r"beginbfchar(.*?)endbfchar", text, flags=re.S)
    return {chr(int(code, 16)) for block in blocks for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", block)}


def test_a_russian_pdf_carries_the_russian_title_and_a_kazakh_condition() -> None:
    russian = LANGUAGE_DATA["ru"].gettext
    title = russian("Consolidated decision")
    assert title != "Consolidated decision"
    pdf = decision_pdf(SUBMISSION, PROOF, russian)
    assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf
    characters = _mapped_characters(pdf)
    assert set(title.replace(" ", "")) <= characters
    assert set("Үқі") <= characters  # Kazakh letters of the condition's text


def test_without_a_language_the_labels_are_english() -> None:
    assert "Ð" not in _mapped_characters(decision_pdf(SUBMISSION, PROOF))

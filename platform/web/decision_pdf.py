"""The consolidated decision as a PDF (fpdf2) with the hub's signed status proof as a QR code (segno).

The QR code is drawn as vector squares from segno's matrix, so it stays sharp when printed and needs no image
library. The page is in the visitor's language (the portal's catalogues) and set in DejaVu Sans, shipped in
``fonts/`` with its licence, so Russian and Kazakh labels and values print; a script DejaVu lacks (Chinese
names) prints as empty boxes, while the identifiers an officer compares (submission id, UCR, status code)
are ASCII and the QR code carries the signed statement whatever the language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.resources import as_file, files
from typing import Any

import segno
from fpdf import FPDF

QR_ERROR_LEVEL = "m"  # 15% of the code may be smudged or torn and it still reads
QR_SIZE_MM = 60.0
FONT = "DejaVu"
_FONTS = files("singlewindow.platform.web") / "fonts"


def qr_code(payload: str) -> segno.QRCode:
    return segno.make(payload, error=QR_ERROR_LEVEL, micro=False)


def qr_svg(payload: str, title: str) -> str:
    """Inline SVG markup of the payload's QR code (no script, no style: the portal's CSP allows it)."""
    return str(qr_code(payload).svg_inline(scale=4, title=title, border=4))


def _draw_qr(pdf: FPDF, payload: str, x: float, y: float) -> None:
    matrix = [list(row) for row in qr_code(payload).matrix_iter(scale=1, border=4)]
    module = QR_SIZE_MM / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                pdf.rect(x + column * module, y + row_number * module, module, module, style="F")


def _decision_text(decision: Mapping[str, Any] | None) -> str:
    if not decision:
        return ""
    parts = [str(decision.get("channel") or "")]
    parts += [str(c.get("text", "")) for c in decision.get("conditions", [])]
    parts += [str(r.get("text", "")) for r in decision.get("reasons", [])]
    return "; ".join(part for part in parts if part)


def _with_fonts(pdf: FPDF) -> None:
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        with as_file(_FONTS / name) as path:
            pdf.add_font(FONT, style, str(path))


def decision_pdf(submission: Mapping[str, Any], proof: Mapping[str, Any], gettext: Callable[[str], str] = str) -> bytes:
    """One A4 page in the visitor's language (``gettext`` of the portal's catalogue): the facts, each agency's
    status and decision, the QR code and its payload in words."""
    _ = gettext
    pdf = FPDF(format="A4")
    _with_fonts(pdf)
    pdf.set_title(f"{_('Consolidated decision')} {submission['submissionId']}")
    pdf.set_creator("singlewindow")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 10, f"{_('Consolidated decision')}: {_(str(submission['status']))}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    statement = proof["statement"]
    for label, value in (
        (_("Submission"), f"{submission['submissionId']} ({_('version')} {submission['version']})"),
        (_("UCR"), submission["ucr"]),
        (_("Trader reference"), submission["traderReference"]),
        (_("Document type"), submission["documentType"]),
    ):
        pdf.cell(45, 6, label)
        pdf.cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(45, 6, _("Agency"))
    pdf.cell(0, 6, _("Status"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    for recipient in submission.get("recipients", []):
        pdf.cell(45, 6, _(str(recipient.get("recipient", ""))))
        pdf.cell(45, 6, _(str(recipient.get("effectiveStatus", ""))))
        pdf.multi_cell(0, 6, _decision_text(recipient.get("decision")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, _("Signed status"), new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    _draw_qr(pdf, str(proof["payload"]), pdf.l_margin, top)
    pdf.set_xy(pdf.l_margin + QR_SIZE_MM + 5, top)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(
        0,
        4,
        f"{_('Signed by the single window at')} {statement['issuedAt']} ({statement['keyId']}). "
        f"{_('An officer scans it to check that this is the latest status.')}\n\n{proof['payload']}",
    )
    return bytes(pdf.output())

"""The consolidated decision as a PDF (fpdf2) with the hub's signed status proof as a QR code (segno).

The QR code is drawn as vector squares from segno's matrix, so it stays sharp when printed and needs no image
library. The PDF uses fpdf2's core font (Latin-1): its labels are English, and any character outside Latin-1
in a value (a reason typed in Cyrillic) prints as "?"; the identifiers an officer compares (submission id, UCR,
status) are ASCII, and the QR code carries the signed statement whatever the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import segno
from fpdf import FPDF

QR_ERROR_LEVEL = "m"  # 15% of the code may be smudged or torn and it still reads
QR_SIZE_MM = 60.0


def qr_code(payload: str) -> segno.QRCode:
    return segno.make(payload, error=QR_ERROR_LEVEL, micro=False)


def qr_svg(payload: str, title: str) -> str:
    """Inline SVG markup of the payload's QR code (no script, no style: the portal's CSP allows it)."""
    return str(qr_code(payload).svg_inline(scale=4, title=title, border=4))


def _latin1(text: object) -> str:
    return str(text).encode("latin-1", errors="replace").decode("latin-1")


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


def decision_pdf(submission: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
    """One A4 page: the facts, each agency's status and decision, the QR code and its payload in words."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Consolidated decision {submission['submissionId']}"))
    pdf.set_creator("singlewindow")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"Consolidated decision: {submission['status']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    statement = proof["statement"]
    for label, value in (
        ("Submission", f"{submission['submissionId']} (version {submission['version']})"),
        ("UCR", submission["ucr"]),
        ("Trader reference", submission["traderReference"]),
        ("Document type", submission["documentType"]),
        ("Status sequence", statement["statusSequence"]),
        ("Signed at", f"{statement['issuedAt']} with key {statement['keyId']}"),
    ):
        pdf.cell(45, 6, _latin1(label))
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 6, "Agencies", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    for recipient in submission.get("recipients", []):
        pdf.cell(45, 6, _latin1(recipient.get("recipient", "")))
        pdf.cell(45, 6, _latin1(recipient.get("effectiveStatus", "")))
        pdf.multi_cell(0, 6, _latin1(_decision_text(recipient.get("decision"))), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    top = pdf.get_y()
    _draw_qr(pdf, str(proof["payload"]), pdf.l_margin, top)
    pdf.set_xy(pdf.l_margin + QR_SIZE_MM + 5, top)
    pdf.set_font("helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        "Scan to verify with the national single window (POST /v1/status-proofs/verify or "
        "`nsw status-proof verify`): it says whether the hub signed this status and whether it is still the "
        f"latest.\n\n{proof['payload']}",
    )
    return bytes(pdf.output())

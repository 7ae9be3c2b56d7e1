"""The printable join handout: the join code, the QR code, the link and three plain steps, in
Dutch and English, on one A4 or A5 page.

For people who do not scan a projector from the back of a hall: a sheet on the table, or sent
beforehand. Drawn straight onto a reportlab canvas (no flowables: one page, fixed places), the QR
code as vector squares from segno's matrix, so it prints sharp at any size. Built-in Helvetica
covers the Dutch and English text (Latin-1).
"""

from __future__ import annotations

import io
from typing import Literal

import segno
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.workshops.joincode import display

Size = Literal["A4", "A5"]
PAGES: dict[str, tuple[float, float]] = {"A4": A4, "A5": A5}


def steps(url: str, code: str) -> dict[str, list[str]]:
    """The three steps, in Dutch and English (both on the page: a table has readers of both)."""
    return {
        "nl": [
            f"1. Scan de QR-code met de camera van je telefoon, of ga naar {url}",
            f"2. Vul de code in: {code}",
            "3. Kies je groep, en een naam als je wilt. Dan doe je mee.",
        ],
        "en": [
            f"1. Scan the QR code with your phone's camera, or go to {url}",
            f"2. Enter the code: {code}",
            "3. Choose your group, and a name if you like. Then you take part.",
        ],
    }


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (dark = True), without the quiet zone."""
    qr = segno.make(url, error="m")
    return [[bool(cell) for cell in row] for row in qr.matrix]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def handout_pdf(*, title: str, join_code: str, base_url: str, size: Size) -> bytes:
    """One page: title, the code large, the QR, the link, the steps in Dutch then English."""
    page_w, page_h = PAGES[size]
    scale = page_w / A4[0]  # A5 is A4 scaled by 1/sqrt(2): one layout for both
    margin = 18 * mm * scale
    width = page_w - 2 * margin
    url = f"{base_url.rstrip('/')}/join/{join_code}"
    code = display(join_code)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h))
    canvas.setTitle(f"Meedoen / Join — {title}")
    canvas.setAuthor("Opgave Atelier")
    y = page_h - margin

    def text_block(text: str, font: str, size: float, gap: float) -> None:
        nonlocal y
        canvas.setFont(font, size)
        for line in _wrap(text, font, size, width):
            y -= size * 1.2
            canvas.drawString(margin, y, line)
        y -= gap

    text_block("Doe mee / Take part", "Helvetica", 14 * scale, 2 * mm * scale)
    text_block(title, "Helvetica-Bold", 20 * scale, 6 * mm * scale)

    code_size = 56 * scale
    canvas.setFont("Helvetica-Bold", code_size)
    y -= code_size
    canvas.drawCentredString(page_w / 2, y, code)
    y -= 4 * mm * scale
    canvas.setFont("Helvetica", 11 * scale)
    y -= 11 * scale
    canvas.drawCentredString(page_w / 2, y, "De code / The code")
    y -= 6 * mm * scale

    matrix = qr_matrix(url)
    side = 85 * mm * scale
    cell = side / (len(matrix) + 8)  # four modules of quiet zone on each side
    left = (page_w - side) / 2
    top = y
    canvas.setFillColor(white)
    canvas.rect(left, top - side, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x0 = left + (c + 4) * cell
                y0 = top - (r + 5) * cell
                canvas.rect(x0, y0, cell, cell, stroke=0, fill=1)
    y = top - side - 4 * mm * scale
    canvas.setFont("Helvetica-Bold", 13 * scale)
    y -= 13 * scale
    canvas.drawCentredString(page_w / 2, y, url)
    y -= 8 * mm * scale

    for language, heading in (("nl", "Zo doe je mee"), ("en", "How to take part")):
        text_block(heading, "Helvetica-Bold", 15 * scale, 1 * mm * scale)
        for step in steps(url, code)[language]:
            text_block(step, "Helvetica", 13 * scale, 1.5 * mm * scale)
        y -= 4 * mm * scale
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

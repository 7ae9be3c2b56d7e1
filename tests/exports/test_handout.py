"""The printable join handout, from the console's link: A4 and A5, one page each, with the code,
the link and the three steps in Dutch and English; the QR code holds the join link."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import segno
from pypdf import PdfReader

from app.exports.handout import qr_matrix
from tests.support.server import Facilitator, Server

SIZES = {"A4": (595, 842), "A5": (420, 595)}  # points, rounded


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_the_handout_has_the_code_the_link_and_the_steps(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any], size: str
):
    response = facilitator.http.get(f"/api/workshops/{workshop['id']}/handout.pdf?size={size}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1, "one page: it fits"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == SIZES[size]
    text = " ".join(reader.pages[0].extract_text().split())
    code = workshop["join_code"]
    shown = f"{code[:3]}-{code[3:]}"
    url = f"{server.url}/join/{code}"
    assert shown in text and url in text
    for step in (
        "1. Scan de QR-code",
        f"2. Vul de code in: {shown}",
        "3. Kies je groep",
        "1. Scan the QR code",
        f"2. Enter the code: {shown}",
        "3. Choose your group",
    ):
        assert step in text, step


def test_the_qr_code_holds_the_join_link():
    """No QR decoder in the venv: the matrix drawn is segno's for the link, at level M."""
    url = "https://atelier.example.nl/join/T6MWK5"
    drawn = qr_matrix(url)
    expected = segno.make(url, error="m")
    assert drawn == [[bool(cell) for cell in row] for row in expected.matrix]
    assert expected.error == "M" and len(drawn) == 21 + 4 * (int(expected.version) - 1)


def test_only_the_facilitator_gets_the_handout(server: Server, workshop: dict[str, Any]):
    answer = httpx.get(f"{server.url}/api/workshops/{workshop['id']}/handout.pdf", timeout=10)
    assert answer.status_code == 401
    wrong = httpx.get(
        f"{server.url}/api/workshops/{workshop['id']}/handout.pdf?size=A3", timeout=10
    )
    assert wrong.status_code in (401, 422)

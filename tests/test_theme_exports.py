"""The records' cover (issue 27): the organisation's name and logo above the title of the PDF,
Word, OpenDocument and HTML records when a theme is set, and no cover without one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.exports.cover import cover_of
from app.exports.registry import BY_NAME, FORMATS
from app.exports.summary import Summary, build_summary
from app.theme import load_theme
from tests.workshops.scripted import new_room

THEMES = Path(__file__).parent / "web" / "themes"
DARK = load_theme(THEMES / "dark")  # a PNG logo: the exports show it
LIGHT = load_theme(THEMES / "light")  # an SVG only: the exports show the name alone
TITLE = "Startbijeenkomst Donkerdal"


@pytest.fixture
def summary(engine) -> Summary:
    room = new_room(engine, ["inwoner"], title=TITLE, theme_question="Wat maakt ouderen eenzaam?")
    room.join("Annie", "inwoner")
    made = build_summary(engine, workshop_id=room.workshop_id)
    assert made is not None
    return made


def pictures(fmt: str, body: bytes | str) -> int:
    """How many pictures the file holds (none of these records has a photo)."""
    if fmt == "pdf":
        assert isinstance(body, bytes)
        return sum(len(page.images) for page in PdfReader(io.BytesIO(body)).pages)
    if fmt in ("docx", "odt"):
        assert isinstance(body, bytes)
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return sum(name.endswith(".png") for name in archive.namelist())
    assert isinstance(body, str)
    return body.count("data:image/png;base64,")


def text(fmt: str, body: bytes | str) -> str:
    if fmt == "pdf":
        assert isinstance(body, bytes)
        return PdfReader(io.BytesIO(body)).pages[0].extract_text()
    if fmt in ("docx", "odt"):
        assert isinstance(body, bytes)
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return archive.read("word/document.xml" if fmt == "docx" else "content.xml").decode()
    assert isinstance(body, str)
    return body.partition("<main>")[2]  # the page's own text, not its <title>


@pytest.mark.parametrize("fmt", ["pdf", "docx", "odt", "html"])
def test_a_record_names_the_organisation_above_its_title_with_its_logo(summary: Summary, fmt: str):
    record = BY_NAME[fmt]
    themed = record.render(summary, language="nl", images=None, cover=cover_of(DARK))
    shown = text(fmt, themed)
    assert DARK.name in shown and shown.index(DARK.name) < shown.index(TITLE)
    assert pictures(fmt, themed) == 1
    svg_only = record.render(summary, language="nl", images=None, cover=cover_of(LIGHT))
    assert LIGHT.name in text(fmt, svg_only) and pictures(fmt, svg_only) == 0
    plain = record.render(summary, language="nl", images=None, cover=cover_of(None))
    assert DARK.name not in text(fmt, plain) and pictures(fmt, plain) == 0


def test_only_the_documents_have_a_cover():
    assert {f.name for f in FORMATS if f.cover} == {"pdf", "docx", "odt", "html"}

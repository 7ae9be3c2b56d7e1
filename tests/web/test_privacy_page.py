"""The privacy page: built from the operator's real settings, in Dutch and English, replaceable.

Real server processes (the page reads ``ATELIER_*`` settings at start-up) and one real browser
that reaches the page the way a resident does, from the join page, and checks it with axe-core.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.support.server import Server
from tests.web.pages import phone

CONFIGURED = {
    "ATELIER_PRIVACY_ORGANISATION": "Gemeente Súdwest-Fryslân",
    "ATELIER_PRIVACY_CONTACT": "privacy@sudwestfryslan.example",
    "ATELIER_RETENTION_DAYS": "90",
    "ATELIER_MIN_GROUP_SIZE": "4",
}


def text_of(page: httpx.Response) -> str:
    """The page's words, tags stripped and entities decoded, so assertions read like the page."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def test_built_in_text_states_the_configured_organisation_and_periods(
    make_server: Callable[..., Server],
):
    server = make_server(**CONFIGURED)
    server.start()
    dutch = httpx.get(f"{server.url}/privacy")
    assert dutch.status_code == 200
    assert '<html lang="nl">' in dutch.text, "Dutch is the default"
    words = text_of(dutch)
    assert "Gemeente Súdwest-Fryslân is verantwoordelijk voor je gegevens" in words
    assert "90 dagen nadat de sessie voor het laatst is gebruikt" in words
    assert "minder dan 4 mensen" in words
    assert 'href="mailto:privacy@sudwestfryslan.example"' in dutch.text

    english = httpx.get(f"{server.url}/privacy?lang=en")
    assert '<html lang="en">' in english.text
    words = text_of(english)
    assert "Gemeente Súdwest-Fryslân is responsible for your data" in words
    assert "90 days after the session was last used" in words
    assert "fewer than 4 people" in words


def test_without_settings_the_page_sends_people_to_the_facilitator(server: Server):
    words = text_of(httpx.get(f"{server.url}/privacy?lang=en"))
    assert "Ask the facilitator which organisation that is" in words
    assert "stays until the facilitator deletes the session" in words, "retention 0: kept"
    assert "fewer than 3 people" in words, "k defaults to 3"


def test_operator_text_replaces_the_default_and_cannot_inject_markup(
    make_server: Callable[..., Server], tmp_path: Path
):
    (tmp_path / "privacy.nl.md").write_text(
        "## Privacyverklaring van Waterschap Fryslân\n\n"
        "Lees [onze verklaring](https://waterschap.example/privacy).\n\n"
        "<script>alert('nl')</script>\n\n"
        "[klik](javascript:alert(1))\n",
        encoding="utf-8",
    )
    (tmp_path / "privacy.en.md").write_text(
        "## Privacy statement of Wetterskip Fryslân\n", encoding="utf-8"
    )
    server = make_server(ATELIER_PRIVACY_PAGE=str(tmp_path / "privacy.{lang}.md"), **CONFIGURED)
    server.start()

    dutch = httpx.get(f"{server.url}/privacy")
    assert "<h2>Privacyverklaring van Waterschap Fryslân</h2>" in dutch.text
    assert '<a href="https://waterschap.example/privacy">onze verklaring</a>' in dutch.text
    assert "Wie is verantwoordelijk" not in dutch.text, "the built-in text is replaced"
    assert "<script>alert" not in dutch.text and "&lt;script&gt;" in dutch.text
    assert 'href="javascript:' not in dutch.text, "markdown-it refuses script links"

    english = httpx.get(f"{server.url}/privacy?lang=en")
    assert "<h2>Privacy statement of Wetterskip Fryslân</h2>" in english.text
    assert "Waterschap" not in english.text


def test_a_missing_operator_file_stops_the_server_from_starting(tmp_path: Path):
    with pytest.raises(ValidationError, match="ATELIER_PRIVACY_PAGE"):
        Settings(data_dir=tmp_path, privacy_page=tmp_path / "privacy.{lang}.md")


def test_the_join_form_links_to_the_privacy_page(server: Server, workshop: dict[str, Any]):
    form = httpx.get(f"{server.url}/join/{workshop['join_code']}")
    assert form.status_code == 200
    assert re.search(r'<a href="/privacy">Wat er met je gegevens gebeurt</a>', form.text)


def test_a_resident_finds_the_page_from_the_join_page_in_both_languages(
    chromium: Any, server: Server
):
    resident = phone(chromium, "resident")
    page = resident.page
    page.goto(f"{server.url}/join")
    page.get_by_role("link", name="Wat er met je gegevens gebeurt").click()
    page.wait_for_url(f"{server.url}/privacy")
    assert page.get_by_role("heading", level=1).inner_text() == "Je privacy"
    resident.accessible("privacy page, Dutch")

    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Your privacy", level=1).wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    resident.accessible("privacy page, English")

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    page.get_by_role("heading", name="Your privacy", level=1).wait_for()
    assert not resident.problems, resident.problems
    resident.context.close()

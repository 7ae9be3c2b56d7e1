"""The accessibility statement and the footer that leads to it.

One real server for the module; pages fetched over HTTP the way each role gets them (a resident
without an account, a phone that joined, a signed-in facilitator), and the statement once in a
real Chromium with axe-core.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from app.version import VERSION
from app.web.accessibility import STATEMENT_PATH, TESTED_SIZES
from tests.support.server import Facilitator, Server
from tests.web.pages import phone
from tests.web.test_privacy_page import text_of

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
TESTS = Path(__file__).resolve().parent
FOOTER = re.compile(r'<footer class="site-footer">(.*?)</footer>', re.S)


def join_in(browser: httpx.Client, code: str, name: str, group: str) -> None:
    """Join the room with this client, so that its cookie opens the phone's page."""
    joined = browser.post(
        "/api/join", json={"code": code, "display_name": name, "stakeholder_group": group}
    )
    assert joined.status_code == 201, joined.text


def footer_of(page: httpx.Response) -> str:
    assert page.status_code == 200, (page.url, page.status_code)
    found = FOOTER.findall(page.text)
    assert len(found) == 1, f"{page.url}: one site footer, found {len(found)}"
    return found[0]


def test_the_statement_serves_without_sign_in_in_both_languages(server: Server):
    dutch = httpx.get(f"{server.url}{STATEMENT_PATH}")
    assert dutch.status_code == 200
    assert '<html lang="nl">' in dutch.text
    words = text_of(dutch)
    assert "Toegankelijkheidsverklaring" in words
    assert "WCAG) 2.2 op niveau A en AA" in words and "EN 301 549" in words
    assert "voldoet gedeeltelijk aan de norm" in words
    assert "Zeg het tegen de facilitator van je sessie" in words, "no contact set: the room"

    english = httpx.get(f"{server.url}/accessibility", follow_redirects=True)
    assert english.status_code == 200
    assert english.url.path == STATEMENT_PATH, "one page, one address"
    assert '<html lang="en">' in english.text
    words = text_of(english)
    assert "Accessibility statement" in words and "partly meets the standard" in words
    assert "We have not tested the app with a screen reader" in words


def test_the_sizes_it_names_are_the_sizes_the_browser_tests_use():
    """The statement must say what the tests do: every size it names is set by a browser test."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("*.py"))
    for kind, sizes in TESTED_SIZES.items():
        for width, height in sizes:
            used = re.search(rf"\b{width}\b[^\n]{{0,40}}\b{height}\b", sources)
            assert used, f"{kind} {width}×{height} is named but no browser test uses it"


def test_every_page_footer_links_the_statement_and_only_facilitators_see_the_version(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    version = f"Versie {VERSION}"
    link = f'<a href="{STATEMENT_PATH}">Toegankelijkheid</a>'
    with httpx.Client(base_url=server.url, timeout=10) as resident:
        public = ["/login", "/join", f"/join/{workshop['join_code']}", "/privacy", STATEMENT_PATH]
        for path in public:
            footer = footer_of(resident.get(path))
            assert link in footer, path
            assert "Versie" not in footer, f"{path}: no version without a sign-in"
        join_in(resident, workshop["join_code"], "Annie", "inwoner")
        footer = footer_of(resident.get(f"/w/{workshop['id']}"))
        assert link in footer and "Versie" not in footer, "the phone: the link, no version"

    projector = httpx.get(f"{server.url}/screen/{workshop['id']}")
    assert projector.status_code == 200 and "<footer" not in projector.text, "full screen"

    desk = facilitator.http
    signed_in = [
        "/",
        "/account",
        f"/console/{workshop['id']}",
        f"/console/{workshop['id']}/draaiboek",
        f"/trajectories/{workshop['trajectory_id']}",
    ]
    for path in signed_in:
        footer = footer_of(desk.get(path))
        assert link in footer, path
        assert version in footer, f"{path}: the facilitator's page names the version"
    # The facilitator's own browser joins as a participant: the phone still shows no version.
    join_in(desk, workshop["join_code"], "Fenna", "beleid")
    footer = footer_of(desk.get(f"/w/{workshop['id']}"))
    assert version not in footer, "a room page never names the version"


def test_every_template_with_a_footer_links_the_statement():
    """The site footer is base.html's; a template that replaces it, or draws a footer of its
    own, must link the statement in it too (the phone's "leave" footer sits above the site
    footer, which the test above finds on the phone's page)."""
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert (
        f'href="{STATEMENT_PATH}"' in base.split("{% block footer %}")[1].split("{% endblock %}")[0]
    )
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        if template.name == "base.html":
            continue
        if "{% block footer %}" in text:
            block = text.split("{% block footer %}")[1].split("{% endblock %}")[0]
            assert not block.strip() or f'href="{STATEMENT_PATH}"' in block, template.name
        for own in re.findall(r"<footer\b[^>]*>(.*?)</footer>", text, re.S):
            if template.name == "participant.html":
                continue  # the phone's leave button and language switch; base's footer follows
            assert f'href="{STATEMENT_PATH}"' in own, f"{template.name}: a footer without the link"


def test_the_statement_in_a_browser_passes_axe(chromium: Any, server: Server):
    resident = phone(chromium, "resident")
    try:
        resident.page.goto(f"{server.url}{STATEMENT_PATH}")
        assert resident.page.get_by_role("heading", level=1).inner_text() == (
            "Toegankelijkheidsverklaring"
        )
        resident.accessible("accessibility statement")
        assert not resident.problems, resident.problems
    finally:
        resident.context.close()

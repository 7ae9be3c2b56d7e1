"""An organisation's own look (issue 27) on the pages a room uses, with a light and a dark theme.

One server per theme (``ATELIER_THEME_DIR``, the two test themes in ``tests/web/themes/``), one
load per page in a real Chromium: the join form, the phone, the projector and the console each
show the organisation's name or logo in the theme's colours, pass axe-core's WCAG 2.2 AA checks
(contrast included) and break no rule of the Content-Security-Policy. The draaiboek, the handout
the console prints with the join code and the QR code, carries the name and logo too, and the
record downloaded from the console has them on its cover (with the dark theme's PNG logo).

``ATELIER_SCREENSHOTS=1`` writes docs/screenshots/theme-{light,dark}-{phone,projector}.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from app.theme import load_theme
from app.theme_contrast import parse_colour
from tests.support.server import Facilitator, Server
from tests.web.pages import console, phone, projector

THEMES = Path(__file__).parent / "themes"

BACKGROUND = "getComputedStyle(document.documentElement).backgroundColor"
#: Every image of the organisation's logo on the page has been loaded and drawn.
LOGOS_DRAWN = """() => { const logos = [...document.querySelectorAll('img.org-logo')];
  return logos.length > 0 && logos.every((img) => img.complete && img.naturalWidth > 0); }"""


def rgb(colour: str) -> str:
    red, green, blue = parse_colour(colour)
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.own_server(ATELIER_THEME_DIR=str(THEMES / name)))
        for name in ("light", "dark")
    ],
)
def test_the_room_shows_the_organisations_look_and_stays_accessible(
    name: str, chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    theme = load_theme(THEMES / name)
    page_colour = rgb(theme.tokens["--utrecht-document-background-color"])

    # The style sheet and the logo: the app's own, cached for a year, the logo inert on its own.
    css = httpx.get(f"{server.url}{theme.css_url}")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert theme.logo_url is not None
    logo = httpx.get(f"{server.url}{theme.logo_url}")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == theme.logo.media_type if theme.logo else False
    assert "sandbox" in logo.headers["content-security-policy"]
    stale = httpx.get(f"{server.url}/theme/000000000000/theme.css")
    assert stale.headers["cache-control"] == "no-cache", "an old address is not kept a year"

    # The handout the console prints: the draaiboek, with the join code, the QR and the logo.
    handout = facilitator.http.get(f"{server.url}/console/{workshop['id']}/draaiboek")
    assert handout.status_code == 200
    assert theme.css_url in handout.text and theme.logo_url in handout.text
    assert theme.name in handout.text and "qr.svg" in handout.text
    if theme.raster is not None:  # once (a first export loads the renderers: seconds on CI)
        # The record downloaded from the console has the organisation and its logo on its cover.
        record = facilitator.http.get(f"/api/workshops/{workshop['id']}/export.html")
        assert record.status_code == 200
        cover = record.text.partition('<header class="cover">')[2].partition("</header>")[0]
        assert theme.name in cover and "data:image/png;base64," in cover

    person = phone(chromium, f"{name} phone")
    page = person.page
    page.goto(f"{server.url}/join/{workshop['join_code']}")
    expect(page.locator(".brand")).to_contain_text(theme.name)
    page.wait_for_function(LOGOS_DRAWN)
    assert page.evaluate(BACKGROUND) == page_colour
    person.accessible("the join form")
    page.fill("#display_name", "Annie")
    page.select_option("#stakeholder_group", label="Inwoner")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")
    page.wait_for_function(LOGOS_DRAWN)
    expect(page.locator(".bar .org-logo")).to_have_attribute("alt", theme.name)
    assert page.evaluate(BACKGROUND) == page_colour
    person.accessible("the phone in the lobby")
    person.screenshot(f"theme-{name}-phone.png")

    screen = projector(chromium, server, workshop)
    expect(screen.page.locator(".head .org")).to_contain_text(theme.name)
    expect(screen.page.locator("#view .code")).to_be_visible()
    screen.page.wait_for_function(LOGOS_DRAWN)
    assert screen.page.evaluate(BACKGROUND) == page_colour
    screen.accessible("the projector in the lobby")
    screen.screenshot(f"theme-{name}-projector.png")

    desk = console(chromium, server, facilitator, workshop)
    expect(desk.page.locator(".brand")).to_contain_text(theme.name)
    desk.page.wait_for_function(LOGOS_DRAWN)
    assert desk.page.evaluate(BACKGROUND) == page_colour
    desk.accessible("the console in the lobby")

    for watched in (person, screen, desk):
        assert not watched.problems, watched.problems
        watched.context.close()

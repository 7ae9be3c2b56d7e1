"""Helpers for the browser tests: contexts per screen, axe-core checks, CSP and console errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import axe_playwright_python

from tests.support.server import Facilitator, Server

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Watched:
    """A page whose console errors and CSP violations are collected, to be asserted empty."""

    def __init__(self, context: Any, name: str) -> None:
        self.context = context
        self.name = name
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"{name} console {m.type}: {m.text}")
                if m.type == "error"
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"{name} page error: {e}"))

    def accessible(self, moment: str) -> None:
        """axe-core finds no WCAG 2.x A/AA violation on the page as it is now.

        Every rule runs on every element; only the violations come back whole (``resultTypes``):
        the passes, with a node each for the thousands of elements of a page at size, made the
        run about three times as long in the page and over the DevTools protocol."""
        if not self.page.evaluate("typeof axe !== 'undefined'"):  # once per loaded page
            self.page.evaluate(AXE_SOURCE)  # over the DevTools protocol, not as page script
        found = self.page.evaluate(
            "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})).violations",
            WCAG_TAGS,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in found
        ]
        assert not violations, f"{self.name} at {moment}: {violations}"
        if folder := os.environ.get("ATELIER_LOOK_DIR"):  # to look at each screen axe checked
            slug = "".join(c if c.isalnum() else "-" for c in f"{self.name}-{moment}")[:80]
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{slug}.png"), full_page=True)

    def screenshot(self, name: str, locator: Any = None) -> None:
        """The page (or ``locator``) as the README shows it: written to docs/screenshots only with
        ``ATELIER_SCREENSHOTS=1``, so a test run leaves the working tree as it was."""
        shot = locator or self.page
        if not os.environ.get("ATELIER_SCREENSHOTS"):
            shot.screenshot()  # still drawn: a page that cannot be captured fails here too
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot.screenshot(path=str(SCREENSHOTS / name))


def phone(browser: Any, name: str) -> Watched:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    return Watched(context, name)


def projector(browser: Any, server: Server, workshop: dict[str, Any]) -> Watched:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = Watched(context, "projector")
    screen.page.goto(f"{server.url}/screen/{workshop['id']}#token={workshop['screen_token']}")
    screen.page.wait_for_selector("#status[data-status=connected]")
    return screen


def console(
    browser: Any,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    *,
    touch: bool = False,
) -> Watched:
    """The facilitator's console on a laptop (``touch``: a laptop with a touch screen)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, has_touch=touch)
    context.add_cookies(
        [
            {"name": k, "value": v, "domain": "127.0.0.1", "path": "/"}
            for k, v in facilitator.http.cookies.items()
        ]
    )
    desk = Watched(context, "console")
    desk.page.goto(f"{server.url}/console/{workshop['id']}")
    desk.page.wait_for_selector("#status[data-status=connected]")
    return desk


def join_by_form(person: Watched, server: Server, code: str, name: str, group_label: str) -> None:
    page = person.page
    page.goto(f"{server.url}/join/{code}")
    page.fill("#display_name", name)
    page.select_option("#stakeholder_group", label=group_label)
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")

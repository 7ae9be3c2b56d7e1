"""The console's wrap-up offers every export format of the registry, drawn by its script from the
list the page carries, with the labels in the page's language."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from app.exports.registry import FORMATS
from app.i18n import translations
from tests.support.server import Facilitator, Server
from tests.web.pages import console


def test_the_wrap_up_offers_every_registered_format(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    page.click("#agenda >> text=Afronding")
    links = page.locator("ul.plain.downloads li a[download]")
    dutch = translations("nl").gettext
    expect(links).to_have_text([dutch(f.label) for f in FORMATS])
    hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    assert hrefs == [f.url(workshop["id"]) for f in FORMATS]
    assert "Word" in links.all_inner_texts() and "Kaarten (CSV)" in links.all_inner_texts()
    desk.accessible("afronding, downloads")
    assert not desk.problems
    desk.context.close()

"""A phone that loses its connection keeps what it sends and delivers it once when it returns."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone, projector


def test_offline_phone_posts_and_votes_arrive_once(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    desk.page.click("#agenda button:has-text('Factoren')")
    expect(annie.page.locator("#phase-title")).to_have_text("Factoren")

    # The network goes; the phone says so, and keeps what is posted.
    annie.context.set_offline(True)
    expect(annie.page.locator("#status")).to_have_attribute("data-status", "offline")
    annie.page.fill("#post-text", "Gepost zonder verbinding")
    annie.page.click("#post-form button[type=submit]")
    expect(annie.page.locator("#pending")).to_have_text("1 nog niet verstuurd")
    expect(annie.page.locator("#my-cards")).to_contain_text("Wacht op verzenden")
    annie.context.set_offline(False)
    expect(annie.page.locator("#status")).to_have_attribute(
        "data-status", "connected", timeout=20_000
    )
    expect(annie.page.locator("#pending")).to_be_hidden()
    expect(screen.page.locator(".wall .tile")).to_have_count(1)
    expect(screen.page.locator(".wall")).to_contain_text("Gepost zonder verbinding")

    # A dot given offline arrives once too.
    desk.page.click("#agenda button:has-text('Prioriteren')")
    desk.page.click("text=Stippenstemming openen")
    expect(annie.page.locator("#budget")).to_contain_text("5 van 5 stippen over")
    annie.context.set_offline(True)
    expect(annie.page.locator("#status")).to_have_attribute("data-status", "offline")
    annie.page.click("button[aria-label='Geef een stip aan: Gepost zonder verbinding']")
    expect(annie.page.locator("#pending")).to_have_text("1 nog niet verstuurd")
    annie.context.set_offline(False)
    expect(annie.page.locator("#budget")).to_contain_text("4 van 5 stippen over", timeout=20_000)
    expect(screen.page.locator(".voting")).to_contain_text("1 persoon heeft gestemd")
    desk.page.click("text=Stemming sluiten")
    expect(screen.page.locator(".overview .card-line .dots")).to_have_count(1)
    expect(screen.page.locator(".overview .card-line").first).to_contain_text("1 stip")
    for page in (desk, screen, annie):
        assert not [p for p in page.problems if "ERR_INTERNET_DISCONNECTED" not in p], page.problems
        page.context.close()

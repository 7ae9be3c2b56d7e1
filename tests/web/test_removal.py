"""In the browser: the console takes a participant out; that phone stops, the others go on.

Also what a phone shows of a card the facilitator hid: not its text.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone

HIDDEN = "Die buurman van nummer 12 is een sukkel"


def test_the_facilitator_removes_a_participant_from_the_console(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    annie, bram = phone(chromium, "annie"), phone(chromium, "bram")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    join_by_form(bram, server, workshop["join_code"], "Bram", "Beleid")
    desk.page.click("#agenda button:has-text('Factoren')")
    bram.page.fill("#post-text", HIDDEN)
    bram.page.click("#post-form button[type=submit]")
    expect(annie.page.locator("#room-cards")).to_contain_text(HIDDEN)
    desk.page.locator(".card", has_text=HIDDEN).locator("button", has_text="Verbergen").click()
    expect(annie.page.locator("#room-cards")).not_to_contain_text(HIDDEN)
    expect(bram.page.locator("#my-cards")).to_contain_text("Verborgen door de facilitator")
    assert HIDDEN not in annie.page.content()

    desk.page.on("dialog", lambda dialog: dialog.accept())
    remove = desk.page.get_by_role("button", name="Annie verwijderen uit de workshop")
    desk.accessible("participants listed with a remove button")
    remove.click()
    expect(annie.page.locator("#status")).to_have_text(
        "De facilitator heeft je uit deze workshop gehaald"
    )
    expect(desk.page.locator("#participants")).to_contain_text("Annie")
    expect(desk.page.get_by_role("button", name="Annie verwijderen uit de workshop")).to_have_count(
        0
    )
    expect(bram.page.locator("#status")).to_have_attribute("data-status", "connected")
    # Coming back with the same phone does not get Annie in again: the page sends her to /join.
    annie.page.goto(f"{server.url}/w/{workshop['id']}")
    expect(annie.page).to_have_url(f"{server.url}/join")
    for person in (desk, annie, bram):
        assert not person.problems, person.problems
        person.context.close()

"""In the browser: with the admit step on, phones wait until the console lets them in; the
console lets in one person, then everyone, and takes several people out with one confirmation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone

WAITING = "Je bent er bijna: de begeleider laat je zo binnen"
REMOVED = "De facilitator heeft je uit deze workshop gehaald"


def test_phones_wait_until_the_console_lets_them_in_and_leave_together(
    chromium: Any, server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid in de wijk"})
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": "Wijkavond", "settings": {"admit": True}},
    )
    desk = console(chromium, server, facilitator, workshop)
    annie, bram = phone(chromium, "annie"), phone(chromium, "bram")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    expect(annie.page.locator("#panel-waiting")).to_be_visible()
    expect(annie.page.locator("#panel-waiting")).to_contain_text(WAITING)
    expect(annie.page.locator("#panel-lobby")).to_be_hidden()
    annie.accessible("waiting to be let in")

    waiting = desk.page.locator("#waiting")
    expect(waiting).to_contain_text("Wachten op toelating (1)")
    expect(waiting).to_contain_text("Annie · Inwoner")
    expect(desk.page.locator("#participants")).not_to_contain_text("Annie")
    desk.accessible("someone waits to be let in")
    desk.page.get_by_role("button", name="Annie toelaten").click()
    expect(annie.page.locator("#panel-lobby")).to_be_visible()
    expect(annie.page.locator("#panel-waiting")).to_be_hidden()
    expect(desk.page.locator("#participants")).to_contain_text("Annie · Inwoner · online")
    expect(waiting).to_be_empty()

    join_by_form(bram, server, workshop["join_code"], "Bram", "Beleid")
    expect(bram.page.locator("#panel-waiting")).to_be_visible()
    desk.page.get_by_role("button", name="Iedereen toelaten").click()
    expect(bram.page.locator("#panel-lobby")).to_be_visible()
    expect(waiting).to_be_empty()

    # Several out at once: tick them, one button, one confirmation.
    remove = desk.page.locator("#remove-selected")
    expect(remove).to_be_disabled()
    desk.page.get_by_role("checkbox", name="Annie selecteren").check()
    desk.page.get_by_role("checkbox", name="Bram selecteren").check()
    expect(remove).to_have_text("2 geselecteerde deelnemers verwijderen")
    asked: list[str] = []

    def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    desk.page.on("dialog", confirm)
    remove.click()
    for person in (annie, bram):
        expect(person.page.locator("#status")).to_have_text(REMOVED)
    assert len(asked) == 1 and asked[0].startswith("2 deelnemers uit de workshop halen?")
    expect(desk.page.locator("#participants")).to_contain_text("Annie · Inwoner · vertrokken")
    expect(desk.page.locator("#participants")).to_contain_text("Bram · Beleid · vertrokken")
    expect(remove).to_be_disabled()
    for person in (desk, annie, bram):
        assert not person.problems, person.problems
        person.context.close()

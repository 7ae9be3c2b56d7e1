"""Na afloop meewegen in real Chromium: after the room's last round the console opens a window
until a date; a phone that joins later sees the proposal with the closing date and rates it in
plain Dutch; the console counts who did, never the figures; closed, the phone says so and that the
verslag follows. axe-core finds nothing on the phone or the console. The room (Bram, who rated in
it) and the facilitator's commands are socket clients, to keep the test short."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone


def test_a_phone_rates_in_the_window_and_the_console_sees_only_the_count(
    chromium: Any, server: Server, workshop: dict[str, Any], facilitator: Facilitator, loop: Loop
):
    desk = loop.run(
        RoomClient.connect(server.ws_url, workshop["id"], cookie=facilitator.cookie_header)
    )
    bram_token = join(server, workshop["join_code"], "Bram", "inwoner")["token"]
    bram = loop.run(RoomClient.connect(server.ws_url, workshop["id"], token=bram_token))
    agenda = desk.state["workshop"]["agenda"]  # type: ignore[index]
    loop.run(desk.command("phase.set", index=agenda.index("waarom")))
    made = loop.run(desk.command("proposal.create", kind="waarom", text="Samen tegen eenzaamheid"))
    proposal = made["result"]["proposal_id"]
    round_id = loop.run(desk.command("round.open", kind="waarom"))["result"]["round_id"]
    loop.run(bram.command("rating.give", round_id=round_id, proposal_id=proposal, score=5))
    loop.run(desk.command("round.close", round_id=round_id))
    loop.run(desk.command("phase.set", index=agenda.index("afronding")))

    # The console opens the window (a week ahead, as it suggests).
    desk_page = console(chromium, server, facilitator, workshop)
    section = desk_page.page.locator("#after-window")
    expect(section).to_contain_text("Na afloop meewegen")
    section.get_by_role("button", name="Open het venster").click()
    expect(section.locator("#window-count")).to_have_text("0 mensen gaven na afloop hun oordeel")

    # A phone that was not in the room joins with the code and rates.
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    window = annie.page.locator("#window")
    expect(window).to_contain_text("Je kunt tot")
    expect(window).to_contain_text("Samen tegen eenzaamheid")
    annie.accessible("the after-window, open")
    annie.screenshot("after-window-phone.png")
    window.locator(f"label[for=score-{_wid(desk)}-{proposal}-4]").click()
    window.get_by_role("button", name="Waardering geven").click()
    expect(window.locator(f"[data-mine='{proposal}']")).to_contain_text("Jouw waardering")
    expect(window.locator("[data-figures]")).to_be_hidden()

    # The console: how many, not the figures.
    expect(section.locator("#window-count")).to_have_text("1 persoon gaf na afloop een oordeel")
    expect(section).not_to_contain_text("%")
    desk_page.page.set_viewport_size({"width": 1280, "height": 900})
    desk_page.accessible("the after-window, one rating")
    desk_page.screenshot("after-window-console.png", section)

    section.get_by_role("button", name="Sluit het venster nu").click()
    expect(window).to_contain_text("is gesloten op")
    expect(window).to_contain_text("verslag")
    annie.accessible("the after-window, closed")
    for page in (desk_page, annie):
        assert not page.problems, page.problems
        page.context.close()
    loop.run(bram.close())
    loop.run(desk.close())


def _wid(desk: RoomClient) -> int:
    """The open window's round id, as the facilitator's socket knows it."""
    rounds = desk.state["rounds"].values()  # type: ignore[index]
    return next(r["id"] for r in rounds if r.get("after_round_id") and r["is_open"])

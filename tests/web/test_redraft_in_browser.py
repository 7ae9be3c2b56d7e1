"""Redraft and rank in real Chromium: the console lets the room rank, a Dutch phone orders the
versions by keyboard (no dragging), the projector counts the orders and shows the choice; axe-core
finds nothing on any of the three. Bram is a socket client, to keep the test short."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone, projector


def test_a_phone_ranks_by_keyboard_and_the_projector_shows_the_count_and_the_choice(
    chromium: Any, server: Server, workshop: dict[str, Any], facilitator: Facilitator, loop: Loop
):
    desk = loop.run(
        RoomClient.connect(server.ws_url, workshop["id"], cookie=facilitator.cookie_header)
    )
    bram_token = join(server, workshop["join_code"], "Bram", "inwoner")["token"]
    bram = loop.run(RoomClient.connect(server.ws_url, workshop["id"], token=bram_token))
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    screen = projector(chromium, server, workshop)
    agenda = desk.state["workshop"]["agenda"]  # type: ignore[index]
    loop.run(desk.command("phase.set", index=agenda.index("waarom")))
    made = loop.run(desk.command("proposal.create", kind="waarom", text="Eenzaamheid aanpakken"))
    proposal = made["result"]["proposal_id"]
    round_id = loop.run(desk.command("round.open", kind="waarom"))["result"]["round_id"]
    loop.run(
        bram.command(
            "rating.give", round_id=round_id, proposal_id=proposal, score=1, reason="Te vaag"
        )
    )
    loop.run(desk.command("round.close", round_id=round_id))
    redraft = loop.run(desk.command("redraft.open", proposal_id=proposal))["result"]["redraft_id"]
    texts = ["Ontmoeten in de buurt", "Samen eten op zondag", "Een maatje voor wie alleen is"]
    ids = [
        loop.run(desk.command("variant.create", redraft_id=redraft, text=t, answers=[0]))["result"][
            "variant_id"
        ]
        for t in texts
    ]

    # The console: the versions with the objection they answer; it lets the room rank.
    desk_page = console(chromium, server, facilitator, workshop)
    expect(desk_page.page.locator("#redraft-waarom")).to_contain_text("Voorstel #")
    expect(desk_page.page.locator("#redraft-waarom .variants")).to_contain_text(
        "antwoord op bezwaar 1"
    )
    desk_page.accessible("console, versions written")
    desk_page.page.get_by_role("button", name="Laat de zaal de volgorde bepalen").click()

    # The phone: move the third version to the top with the keyboard, then give the order.
    page = annie.page
    ranking = page.locator("#redraft .ranking > li")
    expect(ranking).to_have_count(3)
    annie.accessible("phone, ranking")
    page.get_by_role("button", name=f"Omhoog: {texts[2]}").focus()
    page.keyboard.press("Enter")
    expect(ranking.nth(1)).to_contain_text(texts[2])
    page.keyboard.press("Enter")  # the focus stayed on the button that moves it
    expect(ranking.first).to_contain_text(texts[2])
    page.keyboard.press("Enter")  # at the top: nothing moves
    expect(page.locator("#redraft .ranking > li:first-child .place")).to_have_text("1")
    expect(ranking.first).to_contain_text(texts[2])
    page.get_by_role("button", name="Mijn volgorde geven").click()
    expect(page.locator("#ranking-sent")).to_have_text("Je volgorde is binnen.")
    expect(screen.page.locator("#view")).to_contain_text("1 persoon heeft een volgorde gegeven")
    expect(screen.page.locator("#view")).to_contain_text(texts[1])
    screen.accessible("projector, ranking under way")

    # Bram ranks; the console closes the ranking; Schulze: 2 rankings, the third version wins
    # over both head to head (each 2:0 or 1:1 at worst), as the phone and projector then say.
    loop.run(bram.command("ranking.give", redraft_id=redraft, order=[ids[2], ids[1], ids[0]]))
    desk_page.page.get_by_role("button", name="Volgorde afsluiten").click()
    expect(screen.page.locator("#view")).to_contain_text("De zaal koos versie 3")
    expect(page.locator("#redraft")).to_contain_text("De zaal koos een nieuwe versie")
    expect(page.locator("#redraft .statement")).to_have_text(texts[2])
    screen.accessible("projector, version chosen")
    annie.accessible("phone, version chosen")
    for watched in (annie, screen, desk_page):
        assert not watched.problems, watched.problems
    loop.run(desk.close())
    loop.run(bram.close())

""" "Volg het scherm" in a real Chromium: a phone that joined with "Ik ben er niet bij in de zaal"
follows what the projector shows, live, as the facilitator moves the room on and steers the
screen; it pages the wall for a phone (390 px, no sideways scrolling), and takes part on the same
page. The console counts the people from elsewhere per group. axe-core on every screen.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.realtime.helpers import facilitator_client, join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console, phone

FACTORS = [f"Factor nummer {n}: te weinig plekken om elkaar te ontmoeten" for n in range(10)]


def no_sideways_scroll(person: Watched, moment: str) -> None:
    wide = person.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"{person.name} at {moment}: {wide} px wide"


def test_a_phone_from_elsewhere_follows_the_screen_and_takes_part(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    code = workshop["join_code"]
    others = [join(server, code, f"Inwoner {n}", "inwoner") for n in range(2)]
    away = phone(chromium, "phone from elsewhere")
    page = away.page
    page.goto(f"{server.url}/join/{code}")
    page.fill("#display_name", "Noor")
    page.select_option("#stakeholder_group", label="Inwoner")
    page.check("#remote")
    away.accessible("the join form")
    no_sideways_scroll(away, "the join form")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")

    # Someone from elsewhere gets "Volg het scherm" first: the lobby, as the screen shows it.
    expect(page.locator("#mode-follow")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow")).to_be_visible()
    expect(page.locator("#follow-now")).to_contain_text("Het scherm toont: ")
    expect(page.locator("#follow-view")).to_contain_text("De sessie begint zo.")
    expect(page.locator("#panel-lobby")).to_be_hidden()
    away.accessible("following the lobby")
    no_sideways_scroll(away, "the lobby")

    # The console counts them per group (3 inwoners: k is met), never who.
    desk = console(chromium, server, facilitator, workshop)
    expect(desk.page.locator("#from-elsewhere")).to_have_text("Van elders: Inwoner 1")
    desk.accessible("counting who is from elsewhere")
    desk.page.set_viewport_size({"width": 1280, "height": 900})
    desk.screenshot("console-from-elsewhere.png", desk.page.locator("#presence"))

    fac = loop.run(facilitator_client(server, workshop, facilitator.cookie_header))
    other = loop.run(
        RoomClient.connect(server.ws_url, workshop["id"], token=others[0]["token"], name="other")
    )
    agenda = fac.state["workshop"]["agenda"]  # type: ignore[index]
    loop.run(fac.command("phase.set", index=agenda.index("factoren"), open_items="close"))
    expect(page.locator("#follow-now")).to_have_text("Het scherm toont: Factoren")
    ids = [
        loop.run(other.command("card.post", kind="factor", text=text))["result"]["card_id"]
        for text in FACTORS
    ]
    # Ten cards: eight on the first page, two on the next, in one column.
    expect(page.locator("#follow-view .tile")).to_have_count(8)
    expect(page.locator("#follow-page")).to_have_text("Pagina 1 van 2")
    away.accessible("following the factors")
    no_sideways_scroll(away, "the factors")
    page.click("#follow-next")
    expect(page.locator("#follow-view .tile")).to_have_count(2)
    expect(page.locator("#follow-page")).to_have_text("Pagina 2 van 2")

    # The facilitator puts one card large on the screen and in the spotlight: the phone follows.
    loop.run(fac.command("screen.view", focus={"kind": "card", "id": ids[3]}))
    expect(page.locator("#follow-now")).to_have_text("Het scherm toont één onderdeel groot")
    expect(page.locator("#follow-view .tile")).to_have_text(FACTORS[3])
    loop.run(fac.command("card.spotlight", card_id=ids[5]))
    expect(page.locator("#follow-spotlight")).to_contain_text(FACTORS[5])
    away.accessible("a card in focus and one in the spotlight")
    no_sideways_scroll(away, "the focus")
    loop.run(fac.command("card.spotlight", card_id=None))
    loop.run(fac.command("screen.view"))
    expect(page.locator("#follow-spotlight")).to_be_empty()

    # "Who gets heard?" and the check-out question take the screen: the phone shows them too.
    loop.run(fac.command("screen.view", heard=True))
    expect(page.locator("#follow-view .heard")).to_be_visible()
    away.accessible("who gets heard")
    no_sideways_scroll(away, "who gets heard")
    loop.run(fac.command("screen.view"))
    loop.run(fac.command("checkout.open"))
    expect(page.locator("#follow-now")).to_have_text("Het scherm toont: Voelde je je gehoord?")
    expect(page.locator("#check-out")).to_contain_text("Voelde je je gehoord?")  # to answer
    away.accessible("the check-out question")
    loop.run(fac.command("checkout.close"))

    # The why: the proposals as the screen shows them; then taking part on the same page.
    loop.run(fac.command("phase.set", index=agenda.index("waarom"), open_items="close"))
    loop.run(other.command("proposal.create", kind="waarom", text="Samen minder alleen."))
    expect(page.locator("#follow-view .proposal")).to_contain_text("Samen minder alleen.")
    expect(page.locator("#follow-now")).to_have_text("Het scherm toont: Waarom")
    away.accessible("following the why")
    no_sideways_scroll(away, "the why")
    away.screenshot("phone-follow-the-screen.png")
    page.click("#mode-take-part")
    expect(page.locator("#panel-proposals")).to_be_visible()
    expect(page.locator("#follow")).to_be_hidden()
    page.click("#mode-follow")
    expect(page.locator("#follow")).to_be_visible()

    # Someone in the room starts on "Meedoen", with the screen one tap away.
    here = phone(chromium, "phone in the room")
    here.page.goto(f"{server.url}/join/{code}")
    here.page.select_option("#stakeholder_group", label="Inwoner")
    here.page.click("form button[type=submit]")
    here.page.wait_for_selector("#status[data-status=connected]")
    expect(here.page.locator("#mode-take-part")).to_have_attribute("aria-pressed", "true")
    expect(here.page.locator("#panel-proposals")).to_be_visible()
    expect(desk.page.locator("#from-elsewhere")).to_have_text("Van elders: Inwoner 1")

    for client in (fac, other):
        loop.run(client.close())
    for watched in (away, here, desk):
        assert not watched.problems, watched.problems
        watched.context.close()

"""A whole workshop in one real browser: the console, the projector and three phones.

Every step is done through the pages as people would, and each screen is checked after each
step, with axe-core run on every page in every phase (after live updates have arrived).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console, join_by_form, phone, projector

pytestmark = pytest.mark.slow


def next_phase(desk: Watched, name: str, screens: list[Watched]) -> None:
    desk.page.click("#next")
    expect(desk.page.locator("#agenda li.current")).to_contain_text(name)
    for screen in screens:
        expect(screen.page.locator("#phase-title")).to_have_text(name)


def check_all(screens: list[Watched], moment: str) -> None:
    for screen in screens:
        screen.accessible(moment)


def test_a_whole_workshop_in_the_browser(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    annie, bram, chantal = (phone(chromium, name) for name in ("annie", "bram", "chantal"))
    phones = [annie, bram, chantal]
    everyone = [desk, screen, *phones]

    # Lobby: three phones join by the form; the projector shows the code, QR and who joined.
    code = workshop["join_code"]
    expect(screen.page.locator(".code")).to_have_text(f"{code[:3]}-{code[3:]}")
    assert screen.page.eval_on_selector("img.qr", "img => img.complete && img.naturalWidth > 0")
    join_by_form(annie, server, code, "Annie", "Inwoner")
    join_by_form(bram, server, code, "Bram", "Ervaringsdeskundige")
    join_by_form(chantal, server, code, "Chantal", "Ketenpartner")
    expect(screen.page.locator(".join .count")).to_have_text("3 aangemeld")
    expect(screen.page.locator(".rep")).to_contain_text("Ontbreekt: Beleid")
    expect(desk.page.locator("#participants")).to_contain_text("Chantal · Ketenpartner · online")
    expect(annie.page.locator("#me")).to_contain_text("Inwoner, Annie")
    check_all(everyone, "lobby")

    # Beelden: a described image (photos have their own test).
    next_phase(desk, "Beelden", [screen, *phones])
    annie.page.fill("#post-text", "Een leeg bankje bij de bushalte")
    annie.page.click("#post-form button[type=submit]")
    expect(annie.page.locator("#my-cards")).to_contain_text("Ontvangen")
    expect(screen.page.locator(".wall")).to_contain_text("Een leeg bankje bij de bushalte")
    desk.page.fill("#minutes", "5")
    desk.page.click("text=Timer starten")
    expect(annie.page.locator("#timer")).to_contain_text("Eindigt om")
    expect(annie.page.locator("#timer")).to_contain_text("nog 5 min")
    expect(screen.page.locator("#timer")).to_contain_text("5 min · tot")
    check_all(everyone, "beelden")

    # Factoren: two phones post; everyone sees them without reload.
    next_phase(desk, "Factoren", [screen, *phones])
    bram.page.fill("#post-text", "Het buurthuis is sinds 2023 dicht")
    bram.page.click("#post-form button[type=submit]")
    chantal.page.fill("#post-text", "Geen bus op zondag")
    chantal.page.click("#post-form button[type=submit]")
    expect(screen.page.locator(".wall")).to_contain_text("Geen bus op zondag")
    assert screen.page.evaluate("document.documentElement.scrollHeight <= innerHeight"), (
        "no scrolling"
    )
    expect(annie.page.locator("#room-cards")).to_contain_text("Het buurthuis is sinds 2023 dicht")
    expect(desk.page.locator("#controls")).to_contain_text("Geen bus op zondag")
    check_all(everyone, "factoren")

    # Consequenties, tagged and linked to a factor.
    next_phase(desk, "Consequenties", [screen, *phones])
    annie.page.fill("#post-text", "Dagen zonder één gesprek")
    annie.page.check("#world-leef")
    annie.page.click("#link-choose summary")  # the factoren to link: a searchable picker
    annie.page.fill("#link-search", "buurthuis")
    annie.page.locator("#link-cards li:visible label").first.click()
    annie.page.click("#post-form button[type=submit]")
    expect(screen.page.locator(".wall")).to_contain_text("Dagen zonder één gesprek")
    expect(screen.page.locator(".wall")).to_contain_text("door: Het buurthuis is sinds 2023 dicht")
    check_all(everyone, "consequenties")

    # Clusteren on the board (tests/web/test_board.py has the rest): select, new cluster, rename.
    next_phase(desk, "Clusteren", [screen, *phones])
    desk.page.locator("#board .board-tile", has_text="Het buurthuis").click()
    desk.page.locator("#board .board-tile", has_text="Dagen zonder").click()
    desk.page.click("#board-new")
    desk.page.locator("#board .board-title", has_text="Het buurthuis").click()
    desk.page.keyboard.press("Control+A")
    desk.page.keyboard.type("Ontmoeten")
    desk.page.keyboard.press("Enter")
    expect(screen.page.locator(".clusters")).to_contain_text("Ontmoeten")
    desk.page.locator("#board .board-tile", has_text="Geen bus op zondag").click()
    desk.page.select_option("#board-move-to", label="Ontmoeten")
    desk.page.click("#board-move-go")
    expect(screen.page.locator(".clusters")).to_contain_text("Geen bus op zondag")
    desk.page.locator("#board button.board-tag", has_text="Angel").first.click()
    expect(screen.page.locator(".clusters .tag-angel")).to_have_text("Angel")
    expect(annie.page.locator("#clusters")).to_contain_text("Ontmoeten")
    desk.screenshot("console-clusteren.png")
    check_all(everyone, "clusteren")

    # Prioriteren: dots with a visible budget; results hidden until the vote closes.
    next_phase(desk, "Prioriteren", [screen, *phones])
    desk.page.fill("#budget", "2")
    desk.page.click("text=Stippenstemming openen")
    expect(annie.page.locator("#budget")).to_contain_text("2 van 2 stippen over")
    for person in phones:
        person.page.click("button[aria-label='Geef een stip aan: Ontmoeten']")
    expect(annie.page.locator("#budget")).to_contain_text("1 van 2 stippen over")
    bram.page.click("#targets summary:has-text('Losse kaarten')")  # folded beside the clusters
    bram.page.click("button[aria-label='Geef een stip aan: Een leeg bankje bij de bushalte']")
    expect(bram.page.locator("#budget")).to_contain_text("0 van 2 stippen over")
    expect(screen.page.locator(".voting")).to_contain_text("3 mensen hebben gestemd")
    assert "Ontmoeten" not in screen.page.locator(".voting").inner_text(), "secret until closed"
    annie.screenshot("phone-prioriteren.png")
    check_all(everyone, "vote open")
    desk.page.click("text=Stemming sluiten")
    # The overview ranks the clusters by their dots once the vote closed.
    expect(screen.page.locator(".overview .cluster-title").first).to_contain_text("Ontmoeten")
    expect(screen.page.locator(".overview .cluster-title").first).to_contain_text("3 stippen")
    check_all(everyone, "vote closed")

    # Waarom: a proposal from a phone, a round that does not converge, adoption with a reason.
    next_phase(desk, "Waarom", [screen, *phones])
    chantal.page.click("#propose summary")
    chantal.page.fill("#proposal-text", "Niemand in de wijk hoeft alleen te zijn.")
    chantal.page.click("#proposal-form button[type=submit]")
    expect(desk.page.locator(".proposals")).to_contain_text("Niemand in de wijk")
    desk.page.click("text=Instemmingsronde openen")
    for person, score in ((annie, "5"), (bram, "4")):
        person.page.locator(f".rating input[value='{score}']").check()
        person.page.click(".rating button[type=submit]")
        expect(person.page.locator(".rating .ok")).to_contain_text("Jouw waardering")
    chantal.page.locator(".rating input[value='1']").check()
    chantal.page.click(".rating button[type=submit]")
    expect(chantal.page.locator(".rating .error")).to_contain_text("bezwaar")
    chantal.page.fill(".rating textarea", "Het zegt niets over vervoer")
    chantal.page.click(".rating button[type=submit]")
    # Revealed at close (the default): while the room rates it sees who rated, not the meter.
    expect(screen.page.locator(".round-head")).to_contain_text("3 van de 3")
    expect(screen.page.locator(".meter")).to_have_count(0)
    assert screen.page.evaluate("document.documentElement.scrollHeight <= innerHeight"), (
        "no scrolling"
    )
    check_all(everyone, "waarom round")
    desk.page.click("text=Ronde 1 sluiten")
    expect(screen.page.locator(".objections")).to_contain_text("Het zegt niets over vervoer")
    expect(screen.page.locator(".meter")).to_contain_text("Nog niet")
    screen.screenshot("projector-waarom.png")
    proposal = desk.page.locator(".proposal", has_text="Niemand in de wijk")
    proposal.locator("summary", has_text="Aannemen").click()
    expect(proposal).to_contain_text("niet geconvergeerd")
    proposal.locator("button", has_text="Aannemen als waarom").click()
    reason = proposal.locator("textarea[id^=adopt-reason]")
    assert reason.evaluate("el => el.matches(':invalid')"), "a reason is required before adopting"
    expect(desk.page.locator(".proposal.status-adopted")).to_have_count(0)
    reason.fill("De tijd is op; we nemen vervoer mee in de opgave.")
    proposal.locator("button", has_text="Aannemen als waarom").click()
    expect(desk.page.locator(".proposal.status-adopted")).to_contain_text(
        "Aangenomen zonder convergentie"
    )

    # Opgave: statement and scope from a phone, a converging round, adoption.
    next_phase(desk, "Opgave", [screen, *phones])
    bram.page.click("#propose summary")
    bram.page.fill("#proposal-text", "Ontmoeting en vervoer in Oost regelen, samen met inwoners.")
    bram.page.fill("#in-scope", "ontmoetingsplekken\nvervoer op zondag")
    bram.page.fill("#out-scope", "zorgindicaties")
    bram.page.fill("#themes", "ontmoeten")
    bram.page.click("#proposal-form button[type=submit]")
    expect(screen.page.locator(".proposals")).to_contain_text("vervoer op zondag")
    desk.page.click("text=Instemmingsronde openen")
    for person in phones:
        person.page.locator(".rating input[value='5']").check()
        person.page.click(".rating button[type=submit]")
    expect(screen.page.locator(".round-head")).to_contain_text("3 van de 3")
    desk.page.click("text=Ronde 1 sluiten")
    expect(screen.page.locator(".meter")).to_contain_text("Geconvergeerd")
    proposal = desk.page.locator(".proposal", has_text="Ontmoeting en vervoer")
    proposal.locator("summary", has_text="Aannemen").click()
    proposal.locator("button", has_text="Aannemen als opgave").click()
    expect(proposal).to_contain_text("aangenomen")
    check_all(everyone, "opgave adopted")

    # Afronding: save the vertrekpunt; every screen shows the result.
    next_phase(desk, "Afronding", [screen, *phones])
    desk.page.click("text=Opslaan als vertrekpunt")
    expect(desk.page.locator("#controls")).to_contain_text("Opgeslagen als vertrekpunt")
    expect(screen.page.locator(".result")).to_contain_text("Ontmoeting en vervoer in Oost")
    expect(annie.page.locator("#result")).to_contain_text(
        "Niemand in de wijk hoeft alleen te zijn."
    )
    check_all(everyone, "afronding")
    desk.page.click("text=Traject openen")
    expect(desk.page.locator("#current-title ~ p.statement").first).to_have_text(
        "Niemand in de wijk hoeft alleen te zijn."
    )
    expect(desk.page.locator("main")).to_contain_text("vervoer op zondag")
    desk.accessible("trajectory page")

    for page in everyone:
        assert not page.problems, page.problems
    for page in everyone:
        page.context.close()


def test_the_english_interface_has_no_dutch_left(
    chromium: Any, server: Server, workshop: dict[str, Any]
):
    person = phone(chromium, "english")
    person.page.goto(f"{server.url}/join/{workshop['join_code']}?lang=en")
    expect(person.page.locator("html")).to_have_attribute("lang", "en")
    expect(person.page.locator("label[for=stakeholder_group]")).to_have_text("I take part as")
    person.page.select_option("#stakeholder_group", label="Resident")
    person.page.click("form button[type=submit]")
    person.page.wait_for_selector("#status[data-status=connected]")
    expect(person.page.locator("#status")).to_have_text("Connected")
    expect(person.page.locator("#phase-title")).to_have_text("Lobby")
    text = person.page.locator("body").inner_text()
    for dutch in ("Verbonden", "Welkom", "Sessie verlaten", "Meedoen"):
        assert dutch not in text
    assert re.search(r"Leave workshop", text)
    person.accessible("english lobby")
    person.context.close()

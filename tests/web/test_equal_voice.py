"""In the browser: equal voice. The console lists who has not shared yet (names) and the projector
only the count per group; a phone that has shared nothing gets a gentle nudge after the
workshop's minutes (its own clock, run forward), and closes it; the check-out question appears
on every phone, the answers are counted on the projector, and once closed the figures per group
stand on the projector and the console. axe-core finds nothing on the new screens."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone, projector


def test_not_yet_shared_the_nudge_and_the_check_out_question(
    chromium: Any, server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Eenzaamheid in de wijk"})
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": "Wijkavond", "settings": {"nudge_minutes": 1}},
    )
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    phones = [phone(chromium, name) for name in ("annie", "bram", "chantal")]
    for person in phones:
        person.page.clock.install()  # the nudge's minute is run forward, not waited for
    for person, name in zip(phones, ("Annie", "Bram", "Chantal"), strict=True):
        join_by_form(person, server, workshop["join_code"], name, "Inwoner")
    annie, bram, chantal = phones
    desk.page.click("#next")  # beelden: the groups are counted from now on
    annie.page.fill("#post-text", "Een leeg bankje bij de bushalte")
    annie.page.click("#post-form button[type=submit]")
    expect(desk.page.locator("#not-yet")).to_contain_text("Nog niets gedeeld: Inwoner 2")
    expect(desk.page.locator("#not-yet .not-yet-names")).to_have_text("Bram, Chantal (Inwoner)")
    expect(screen.page.locator("#representation")).to_contain_text("Nog niets gedeeld: Inwoner 2")
    expect(screen.page.locator("#representation")).not_to_contain_text("Bram")

    # A minute on: Bram (nothing shared) is asked gently; Annie, who shared, is not.
    for person in phones:
        person.page.clock.run_for(61_000)
    nudge = bram.page.locator("#nudge")
    expect(nudge).to_contain_text("Wil je ook iets delen?")
    bram.accessible("the nudge")
    expect(annie.page.locator("#nudge")).to_be_empty()
    bram.page.get_by_role("button", name="Nu niet").click()
    expect(nudge).to_be_empty()

    # The check-out is a closing question: the console offers it from the waarom on.
    expect(desk.page.locator("#check-out-open")).to_have_count(0)
    for step in ("Factoren", "Consequenties", "Clusteren", "Prioriteren", "Waarom"):
        desk.page.click("#next")
        expect(desk.page.locator("#agenda [aria-current=step]")).to_contain_text(step)
    desk.page.get_by_role("button", name="Stel de check-outvraag").click()
    expect(screen.page.locator("#view")).to_contain_text("Voelde je je gehoord?")
    for person, score in zip(phones, (5, 4, 3), strict=True):
        question = person.page.locator("#check-out")
        expect(question).to_contain_text("Voelde je je gehoord?")
        person.page.locator(f"#check-out-{score}").click()
        expect(question).to_contain_text(f"Jouw antwoord: {score}.")
        expect(person.page.locator(f"#check-out-{score}")).to_have_attribute("aria-pressed", "true")
    chantal.accessible("the check-out question, answered")
    expect(screen.page.locator("#view")).to_contain_text("3 antwoorden tot nu toe")
    screen.accessible("the check-out question is open")
    expect(desk.page.locator("#check-out")).to_contain_text("3 antwoorden tot nu toe")
    desk.page.get_by_role("button", name="Sluit de check-outvraag").click()

    # Closed: 5, 4 and 3 from three inwoners — the group and everyone average 4,0.
    aside = screen.page.locator("#projector-check-out")
    expect(aside).to_contain_text("Inwoner gemiddeld 4,0 (3)")
    expect(aside).to_contain_text("Iedereen gemiddeld 4,0 (3)")
    table = desk.page.locator("#console-check-out")
    expect(table.locator("tbody tr").first).to_contain_text("Inwoner")
    expect(table).to_contain_text("4,0")
    expect(annie.page.locator("#check-out")).to_contain_text("Bedankt voor je antwoord")
    desk.accessible("the check-out figures")
    screen.accessible("the check-out figures")
    for person in (desk, screen, *phones):
        assert not person.problems, person.problems
        person.context.close()

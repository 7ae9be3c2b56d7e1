"""The phone for everyone, in a real Chromium phone page in Dutch, phase by phase.

One phone (Annie, anonymous, partner organisation) in the browser; the facilitator and a second
participant (Bram) are real ``websockets`` clients, so each step is one command and the test
stays short. In every phase: no English left on the page, tap targets of at least 44 px measured
from the DOM, and axe-core without violations. Along the way: the theme question folds away, the
timer shows a 24-hour Dutch clock, plurals are right for 1 and 2, the glossary opens by keyboard,
a merge is told to the author, a suggestion can be sent and the rating form shows the whole opgave.
Every wait is bounded (Playwright's expectations, the socket helpers' timeouts).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import expect

from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, phone

T = TypeVar("T")

#: English words that must not appear on the Dutch phone (none of them is also a Dutch word).
ENGLISH = re.compile(
    r"\b(the|and|you|your|yours|with|anonymously|card|cards|dots?|send|round|objections?|agree|"
    r"left|search|waiting|received|connected|results?|people|person|rated|theme|suggest|suggestions?|"
    r"combined|mean|what|which|belongs?|nothing|matches)\b",
    re.IGNORECASE,
)
TAP_TARGETS = (
    "button, a[href], summary, select, textarea, input:not([type=radio]):not([type=checkbox])"
)


class Room:
    """The facilitator and Bram as socket clients, driven from the test's (sync) thread: their
    asyncio loop runs in its own thread, away from Playwright's."""

    def __init__(self, server: Server, workshop: dict[str, Any], facilitator: Facilitator) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.desk = self.run(
            RoomClient.connect(
                server.ws_url, workshop["id"], cookie=facilitator.cookie_header, name="desk"
            )
        )
        bram = join(server, workshop["join_code"], "Bram", "inwoner")
        self.bram = self.run(
            RoomClient.connect(server.ws_url, workshop["id"], token=bram["token"], name="bram")
        )

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def facilitator(self, type_: str, **fields: Any) -> dict[str, Any]:
        return self.run(self.desk.command(type_, **fields))

    def participant(self, type_: str, **fields: Any) -> dict[str, Any]:
        return self.run(self.bram.command(type_, **fields))

    def phase(self, name: str) -> None:
        agenda = self.desk.state["workshop"]["agenda"]  # type: ignore[index]
        self.facilitator("phase.set", index=agenda.index(name), open_items="close")

    def close(self) -> None:
        for client in (self.desk, self.bram):
            self.run(client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def room(server: Server, workshop: dict[str, Any], facilitator: Facilitator) -> Iterator[Room]:
    room = Room(server, workshop, facilitator)
    yield room
    room.close()


def no_english(person: Watched, moment: str) -> None:
    """The visible text and the accessible labels of the page hold no English word."""
    texts: list[str] = person.page.evaluate(
        """() => [document.body.innerText,
          ...[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label')),
          ...[...document.querySelectorAll('input[type=search], textarea')].map((e) => e.placeholder || '')]"""
    )
    found = sorted({m.group(0) for text in texts for m in ENGLISH.finditer(text)})
    assert not found, f"English on the Dutch phone at {moment}: {found}"


def tap_targets_fit(person: Watched, moment: str) -> None:
    """Everything one taps is at least 44 px high and wide enough; a check box or radio keeps
    its size next to a long label, and its label row is a 44 px target."""
    small: list[str] = person.page.evaluate(
        """(selector) => {
          const out = [];
          const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
          for (const e of document.querySelectorAll(selector)) {
            if (!shown(e) || e.closest('.visually-hidden, .skip')) continue;
            const r = e.getBoundingClientRect();
            if (r.height < 44 || r.width < 44) out.push(`${e.tagName} ${e.className} “${e.textContent.trim().slice(0, 30)}” ${Math.round(r.width)}×${Math.round(r.height)}`);
          }
          for (const e of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
            if (!shown(e)) continue;
            const r = e.getBoundingClientRect();
            const label = e.labels[0];
            const lr = label ? label.getBoundingClientRect() : {height: 0};
            if (r.width < 20 || r.height < 20 || lr.height < 44) out.push(`${e.id} ${Math.round(r.width)}×${Math.round(r.height)}, label ${Math.round(lr.height)} high`);
          }
          return out;
        }""",
        TAP_TARGETS,
    )
    assert not small, f"tap targets under 44 px at {moment}: {small}"


def check(person: Watched, moment: str) -> None:
    no_english(person, moment)
    tap_targets_fit(person, moment)
    person.accessible(moment)


def test_the_phone_in_dutch_phase_by_phase(
    chromium: Any, server: Server, workshop: dict[str, Any], room: Room
):
    annie = phone(chromium, "annie")
    page = annie.page

    # Lobby: anonymous, as a partner organisation; "anoniem", not "anonymously".
    page.goto(f"{server.url}/join/{workshop['join_code']}")
    expect(page.locator(".glossary-details summary")).to_have_text("Wat is een ketenpartner?")
    check(annie, "join page")
    page.check("#anonymous")
    page.select_option("#stakeholder_group", label="Ketenpartner")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")
    expect(page.locator("#me")).to_contain_text("Je doet mee als Ketenpartner, anoniem.")
    assert page.eval_on_selector("#question-box", "d => d.open"), "open on the first view"
    check(annie, "lobby")
    page.reload()
    page.wait_for_selector("#status[data-status=connected]")
    assert not page.eval_on_selector("#question-box", "d => d.open"), "folded after the first view"
    page.click("#question-box summary")
    expect(page.locator("#question")).to_be_visible()

    # The clock is Dutch and 24-hour, whatever the hour.
    assert (
        page.evaluate(
            "async () => (await import('/static/js/timer.js')).clockTime(new Date(2026, 0, 5, 21, 5))"
        )
        == "21:05"
    )
    room.phase("beelden")
    room.facilitator("timer.start", seconds=300)
    expect(page.locator("#timer")).to_have_text(
        re.compile(r"^Eindigt om \d{2}:\d{2} \(nog 5 min\)$")
    )
    check(annie, "beelden")

    # Factoren: the method word's help opens and closes by keyboard.
    room.phase("factoren")
    expect(page.locator("#phase-title")).to_have_text("Factoren")
    page.fill("#post-text", "Op zondag rijdt er geen bus")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#my-cards")).to_contain_text("Ontvangen")
    room.participant("card.post", kind="factor", text="Geen bus op zondag")
    room.participant(
        "card.post",
        kind="factor",
        text="Het buurthuis is dicht sinds de gemeente in 2023 besloot te bezuinigen op "
        "welzijnswerk, ontmoetingsplekken en de vrijwilligers die daar al jaren zaten",
    )
    toggle = page.locator("#phase-help .glossary-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#phase-help .glossary-note")).to_have_text(
        "Iets wat het thema veroorzaakt of beïnvloedt."
    )
    expect(toggle).to_have_attribute("aria-label", "Wat betekent „Factor”?")
    check(annie, "factoren, help open")
    annie.screenshot("phone-board.png")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#phase-help .glossary-note")).to_be_hidden()

    # Consequenties: long labels keep their radio/check box; help for leefwereld by keyboard.
    room.phase("consequenties")
    expect(page.locator("#factor-links")).to_contain_text("Het buurthuis is dicht")
    world = page.locator("#world-field .glossary-toggle").first
    world.focus()
    page.keyboard.press("Space")
    expect(page.locator("#world-field .glossary-note").first).to_contain_text("dagelijks leven")
    check(annie, "consequenties")

    # Clusteren: a merge is told on the author's phone, both ways; a suggestion can be sent.
    room.phase("clusteren")
    expect(page.locator("#clusters")).to_contain_text("Nog geen clusters")
    expect(page.locator("#suggest")).to_be_hidden()  # the setting is off: no suggestion form
    settings = dict(room.desk.state["workshop"]["settings"])  # type: ignore[index]
    room.facilitator("workshop.configure", settings={**settings, "participants_cluster": True})
    expect(page.locator("#suggest")).to_be_visible()
    cards = {c["text"]: c["id"] for c in room.desk.state["cards"].values()}  # type: ignore[index]
    mine, bus = cards["Op zondag rijdt er geen bus"], cards["Geen bus op zondag"]
    room.facilitator("card.merge", card_id=bus, into_id=mine)
    notice = page.locator("#notices .notice")
    expect(notice).to_have_text(
        re.compile("Een kaart die erop lijkt is samengevoegd met jouw kaart")
    )
    expect(notice).to_contain_text("“Geen bus op zondag”")
    room.facilitator("card.unmerge", card_id=bus)
    expect(notice).to_have_count(0)
    room.facilitator("card.merge", card_id=mine, into_id=bus)
    expect(notice).to_contain_text(
        "Jouw kaart “Op zondag rijdt er geen bus” is samengevoegd met een kaart die erop lijkt"
    )
    room.facilitator("cluster.create", title="Vervoer", card_ids=[bus])
    expect(page.locator("#clusters")).to_contain_text("Vervoer")
    page.fill("#suggest-card-search", "buurthuis")
    expect(page.locator("#suggest-card-list li:visible")).to_have_count(1)
    page.locator("#suggest-card-list li:visible label").click()
    page.fill("#suggest-target-search", "vervoer")
    page.locator("#suggest-target-list li:visible label", has_text="Thema: Vervoer").click()
    check(annie, "clusteren")
    page.click("#suggest button[type=submit]")
    expect(page.locator("#suggest-sent")).to_have_text("Verstuurd naar de facilitator. Dank je!")
    room.run(
        room.desk.wait_for(
            lambda m: m["type"] == "event" and m["event"]["type"] == "suggestion.made"
        )
    )
    suggestions = room.desk.state["suggestions"]  # type: ignore[index]
    assert [(s["target_kind"], s["count"]) for s in suggestions.values()] == [("cluster", 1)]
    notice.get_by_role("button", name="Begrepen").click()
    expect(notice).to_have_count(0)

    # Prioriteren: plurals for 1 and 2 ("1 van 1 stip over", "2 stippen").
    room.phase("prioriteren")
    cluster_id = next(iter(room.desk.state["clusters"]))  # type: ignore[index]
    room.facilitator("vote.open", budget=1)
    expect(page.locator("#budget")).to_have_text("1 van 1 stip over")
    page.click("button[aria-label='Geef een stip aan: Vervoer']")
    expect(page.locator("#budget")).to_have_text("0 van 1 stip over")
    expect(page.locator(".target .count[aria-label='1 stip']")).to_have_count(1)
    check(annie, "prioriteren")
    room.participant("vote.cast", target_type="cluster", target_id=int(cluster_id))
    room.facilitator("vote.close")
    expect(page.locator("#vote-results")).to_contain_text("Vervoer — 2 stippen")

    # Opgave: the rating form shows the whole proposal; at_close keeps the figures back.
    room.phase("opgave")
    room.facilitator(
        "proposal.create",
        kind="opgave",
        text="Samen zorgen dat ouderen in Grou elkaar weer ontmoeten",
        in_scope=["Vervoer op zondag"],
        out_of_scope=["Zorg aan huis"],
        core_themes=["Ontmoetingsplekken"],
    )
    room.facilitator("round.open", kind="opgave", reveal="at_close")
    form = page.locator(".rating")
    for text in (
        "Samen zorgen dat ouderen",
        "Vervoer op zondag",
        "Zorg aan huis",
        "Ontmoetingsplekken",
    ):
        expect(form).to_contain_text(text)
    expect(form.locator("h4", has_text="Kernthema's")).to_have_count(1)
    expect(page.locator("#round-status")).to_have_text(
        "Tot nu toe gaven 0 mensen een waardering. De uitslag zie je als de ronde dicht is."
    )
    round_id = next(r["id"] for r in room.desk.state["rounds"].values() if r["is_open"])  # type: ignore[index]
    proposal_id = next(iter(room.desk.state["proposals"].values()))["id"]  # type: ignore[index]
    room.participant(
        "rating.give", round_id=round_id, proposal_id=proposal_id, score=1, reason="Te vaag"
    )
    expect(page.locator("#round-status")).to_contain_text(
        "Tot nu toe gaf 1 persoon een waardering."
    )
    assert page.locator(".rating .figures").first.is_hidden(), "no live figures at_close"
    form.locator("input[value='5']").check()
    form.locator("button[type=submit]").click()
    expect(form.locator(".ok")).to_contain_text("Jouw waardering")
    check(annie, "opgave, round open")
    room.facilitator("round.close", round_id=round_id)
    expect(page.locator("#proposals .figures")).to_contain_text("1 bezwaar")
    expect(page.locator("#proposals .figures")).to_contain_text("2 mensen gaven een waardering")
    plurals = page.evaluate(
        """async () => { const {tn} = await import('/static/js/i18n.js');
           return [1, 2].map((n) => tn('%(n)s objection', '%(n)s objections', n)); }"""
    )
    assert plurals == ["1 bezwaar", "2 bezwaren"]
    check(annie, "opgave, round closed")

    # A round revealed live shows the room's figures on the phone while it is open.
    second = room.facilitator("round.open", kind="opgave", reveal="live")["result"]["round_id"]
    expect(page.locator("#round-status")).to_have_text("Tot nu toe gaven 0 mensen een waardering.")
    room.participant("rating.give", round_id=second, proposal_id=proposal_id, score=4)
    expect(page.locator(".rating .figures")).to_have_text(
        "100% eens · 0 bezwaren · 1 persoon gaf een waardering"
    )
    room.facilitator("round.close", round_id=second)

    # Afronding: the adopted opgave, whole.
    room.facilitator("proposal.adopt", proposal_id=proposal_id, reason="Goed genoeg om te starten")
    room.phase("afronding")
    expect(page.locator("#result")).to_contain_text("Ontmoetingsplekken")
    check(annie, "afronding")
    assert not annie.problems, annie.problems

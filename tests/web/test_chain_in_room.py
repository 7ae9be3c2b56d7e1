"""The chain and the table in the live room, in a real browser (issue 9).

A room of thirty (29 ``websockets`` phones and one Chromium phone) with 120 cards in 8 clusters:
the phone searches and picks two clusters and a card for its waarom, the projector shows what the
waarom grew from, the phone and then the console amend it with its citations chosen already. A
second trajectory saves twice (the newer workshop first, so the older one is saved but not
current) and a reframing workshop starts from the saved vertrekpunt: lobby, projector and the
"zoals het nu is" proposal. A third room checks "Aan tafel": groups, drijfveren with the consent
given on the join form, who gets heard (on the console and, on request, on the projector), and the
agenda with its minutes, edited by keyboard. axe-core runs on the phone's form with the picker
open and on the console's Aan tafel panel. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import started_with_facilitator
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console, phone, projector
from tests.web.test_phone import no_english, tap_targets_fit
from tests.web.test_projector_at_size import OVERFLOW, SETTLE

GROUPS = ["inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid", "bestuur"]
CLUSTERS = [
    "Vervoer",
    "Ontmoeten",
    "Mantelzorg",
    "Digitaal loket",
    "Wonen",
    "Geldzorgen",
    "Gezondheid",
    "Vrijwilligers",
]
WORDS = ["bus", "zondag", "buurthuis", "bankje", "plein", "markt", "koffie", "trap", "lift"]


@pytest.fixture
def server(make_server: Any) -> Server:
    """A server that lets the test's sockets send quickly (it drives whole rooms)."""
    return started_with_facilitator(
        make_server, ATELIER_FRAMES_PER_SECOND="500", ATELIER_FRAMES_BURST="500"
    )


class Room:
    """The facilitator's socket and the phones' sockets, driven from the test's thread."""

    def __init__(self, loop: Loop, server: Server, workshop: dict[str, Any]) -> None:
        self.loop = loop
        self.server = server
        self.workshop = workshop
        self.fac: RoomClient
        self.people: list[RoomClient] = []

    @classmethod
    def open(
        cls,
        loop: Loop,
        server: Server,
        facilitator: Facilitator,
        workshop: dict[str, Any],
        people: list[tuple[str, str, dict[str, Any]]],
    ) -> Room:
        room = cls(loop, server, workshop)

        async def connect() -> None:
            room.fac = await RoomClient.connect(
                server.ws_url, workshop["id"], cookie=facilitator.cookie_header, name="fac"
            )
            for n, (name, group, extra) in enumerate(people):
                joined = join(server, workshop["join_code"], name, group, **extra)
                room.people.append(
                    await RoomClient.connect(
                        server.ws_url, workshop["id"], token=joined["token"], name=f"p{n}"
                    )
                )

        loop.run(connect(), timeout=90)
        return room

    def do(self, type_: str, **fields: Any) -> dict[str, Any]:
        return self.loop.run(self.fac.command(type_, **fields))

    def phase(self, name: str) -> None:
        agenda = self.state["workshop"]["agenda"]
        self.do("phase.set", index=agenda.index(name), open_items="close")

    def each(self, commands: list[tuple[RoomClient, str, dict[str, Any]]]) -> None:
        async def all_of() -> None:
            await asyncio.gather(*(c.command(t, **f) for c, t, f in commands))

        self.loop.run(all_of(), timeout=90)

    def wait(self, predicate: Any) -> None:
        """Until the facilitator's state satisfies ``predicate`` (events arrive asynchronously)."""
        self.loop.run(self.fac.wait_for(lambda _m: predicate(self.state), timeout=15), timeout=20)

    @property
    def state(self) -> dict[str, Any]:
        assert self.fac.state is not None
        return self.fac.state

    def card_id(self, text: str) -> int:
        return next(c["id"] for c in self.state["cards"].values() if c["text"] == text)

    def cluster_id(self, title: str) -> int:
        return next(c["id"] for c in self.state["clusters"].values() if c["title"] == title)

    def proposals(self, kind: str) -> list[dict[str, Any]]:
        return sorted(
            (p for p in self.state["proposals"].values() if p["kind"] == kind),
            key=lambda p: p["id"],
        )

    def close(self) -> None:
        async def close_all() -> None:
            for client in (self.fac, *self.people):
                await client.close()

        self.loop.run(close_all(), timeout=30)


def trajectory_with_workshop(
    facilitator: Facilitator, expected: list[str], title: str, **extra: Any
) -> dict[str, Any]:
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Eenzaamheid onder ouderen", "expected_groups": expected}
    )
    return facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": title, "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?", **extra},
    )


def join_with_form(person: Watched, server: Server, code: str, group: str, **form: str) -> None:
    """The join form as a person fills it in: name, group, drijfveer and the two consents."""
    page = person.page
    page.goto(f"{server.url}/join/{code}")
    page.fill("#display_name", form.get("name", "Annie"))
    page.select_option("#stakeholder_group", label=group)
    if set(form) - {"name"}:  # the rest is folded under "Meer over jou", one tap away
        page.click("details#join-more summary")
    if "drijfveer" in form:
        page.fill("#drijfveer", form["drijfveer"])
    if "contribution" in form:
        page.check(f"#c-{form['contribution']}")
    for field in ("drijfveer_use", "contribution_use"):
        if field in form:
            page.check(f"#{field}-{form[field]}")
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")


def card_text(kind: str, n: int) -> str:
    return f"{kind.capitalize()} {n}: " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(3))


def test_a_phone_cites_clusters_and_a_card_and_the_console_amends_with_them(
    chromium: Any, server: Server, facilitator: Facilitator, loop: Loop
):
    workshop = trajectory_with_workshop(facilitator, GROUPS, "Grote zaal")
    people = [(f"Deelnemer {n}", GROUPS[n % 6], {}) for n in range(29)]
    room = Room.open(loop, server, facilitator, workshop, people)
    annie = phone(chromium, "annie")
    join_with_form(
        annie,
        server,
        workshop["join_code"],
        "Inwoner",
        drijfveer="Ik woon zelf alleen",
        drijfveer_use="record",
    )
    room.wait(lambda s: len(s["participants"]) == 30)
    me = next(p for p in room.state["participants"].values() if p["display_name"] == "Annie")
    assert (me["drijfveer_use"], me["contribution_use"]) == ("record", "facilitator")

    # 120 cards from 29 phones, then 8 clusters of 14; one card hidden, one merged.
    room.phase("beelden")
    phones = room.people
    room.each(
        [
            (phones[n % 29], "card.post", {"kind": "beeld", "text": card_text("beeld", n)})
            for n in range(20)
        ]
    )
    room.phase("factoren")
    room.each(
        [
            (phones[n % 29], "card.post", {"kind": "factor", "text": card_text("factor", n)})
            for n in range(58)
        ]
    )
    room.each(
        [
            (phones[0], "card.post", {"kind": "factor", "text": text})
            for text in ("Verborgen kaart", "Dubbele kaart")
        ]
    )
    room.phase("consequenties")
    room.each(
        [
            (
                phones[n % 29],
                "card.post",
                {"kind": "consequentie", "text": card_text("gevolg", n), "world": "leefwereld"},
            )
            for n in range(40)
        ]
    )
    room.phase("clusteren")
    cards = sorted(c["id"] for c in room.state["cards"].values())
    assert len(cards) == 120
    for n, title in enumerate(CLUSTERS):
        room.do("cluster.create", title=title, card_ids=cards[n * 14 : n * 14 + 14])
    room.do("cluster.tag", cluster_id=room.cluster_id("Vervoer"), tags=["angel"])
    room.do("card.hide", card_id=room.card_id("Verborgen kaart"), hidden=True)
    room.do(
        "card.merge",
        card_id=room.card_id("Dubbele kaart"),
        into_id=room.card_id("Factor 1: zondag buurthuis bankje"),
    )
    room.phase("waarom")
    screen = projector(chromium, server, workshop)

    # The phone: search and pick two clusters and a card; hidden and merged cards are not offered.
    page = annie.page
    expect(page.locator("#phase-title")).to_have_text("Waarom")
    page.click("#propose summary")
    page.click("#cite-choose summary")
    expect(page.locator("#cite-count")).to_have_text("126 om uit te kiezen")  # 8 + 118 cards
    page.fill("#cite-search", "vervoer")
    expect(page.locator("#cite-clusters li:visible")).to_have_count(1)
    expect(page.locator("#cite-clusters li:visible")).to_contain_text("Angel · 14 kaarten")
    page.locator("#cite-clusters li:visible label").click()
    page.fill("#cite-search", "ontmoeten")
    page.locator("#cite-clusters li:visible label").click()
    page.fill("#cite-search", "Verborgen")
    expect(page.locator("#cite-cards li:visible")).to_have_count(0)
    page.fill("#cite-search", "Dubbele")
    expect(page.locator("#cite-cards li:visible")).to_have_count(0)
    page.fill("#cite-search", "gevolg 7:")
    expect(page.locator("#cite-cards li:visible")).to_have_count(1)
    page.locator("#cite-cards li:visible label").click()
    chips = page.locator("#cite-chips button")
    expect(chips).to_have_count(3)
    expect(chips.nth(0)).to_have_accessible_name("Weghalen: Cluster: Vervoer")
    chips.nth(2).click()  # taken out, and chosen again
    expect(chips).to_have_count(2)
    page.locator("#cite-cards li:visible label").click()
    expect(chips).to_have_count(3)
    page.fill("#proposal-text", "Niemand in de wijk hoeft er alleen voor te staan.")
    no_english(annie, "proposal form, picker open")
    tap_targets_fit(annie, "proposal form, picker open")
    annie.accessible("proposal form, picker open")
    page.click("#proposal-submit")
    expect(page.locator("#proposals .cites")).to_have_text(
        "Groeit uit: Vervoer; Ontmoeten · 1 kaart"
    )
    room.wait(lambda s: any(p["kind"] == "waarom" for p in s["proposals"].values()))
    first = room.proposals("waarom")[0]
    vervoer, ontmoeten = room.cluster_id("Vervoer"), room.cluster_id("Ontmoeten")
    gevolg = room.card_id(card_text("gevolg", 7))
    assert first["cited_cluster_ids"] == [vervoer, ontmoeten]
    assert first["cited_card_ids"] == [gevolg]

    # The projector shows it under the proposal, legible and inside the screen.
    cites = screen.page.locator(".proposals .cites")
    expect(cites).to_have_text("Groeit uit: Vervoer; Ontmoeten · 1 kaart")
    screen.page.evaluate(SETTLE)
    assert not screen.page.evaluate(OVERFLOW)

    # The phone amends its own proposal: the citations come along, one is taken out.
    page.locator(
        f"#proposals li[data-proposal-id='{first['id']}'] button", has_text="Aanpassen"
    ).click()
    expect(page.locator("#propose-summary")).to_have_text("Je voorstel aanpassen")
    expect(chips).to_have_count(3)
    page.get_by_role("button", name=f"Weghalen: Kaart: {card_text('gevolg', 7)}").click()
    page.fill("#proposal-text", "Niemand in de wijk staat er alleen voor.")
    page.click("#proposal-submit")
    room.wait(lambda s: len(room.proposals("waarom")) == 2)
    second = room.proposals("waarom")[1]
    assert (second["amends_id"], second["cited_cluster_ids"], second["cited_card_ids"]) == (
        first["id"],
        [vervoer, ontmoeten],
        [],
    )
    expect(cites).to_have_text("Groeit uit: Vervoer; Ontmoeten")

    # The console: the list shows the citations; amending starts from them.
    desk = console(chromium, server, facilitator, workshop)
    row = desk.page.locator(f".proposal[data-proposal-id='{second['id']}']")
    expect(row.locator(".cites")).to_have_text("Groeit uit: Vervoer; Ontmoeten")
    row.locator("summary", has_text="Aanpassen").click()
    amend_chips = desk.page.locator(f"#cite-amend-{second['id']}-chips button")
    expect(amend_chips).to_have_count(2)
    amend_chips.nth(1).click()
    desk.page.click(f"#cite-amend-{second['id']}-choose summary")
    desk.page.fill(f"#cite-amend-{second['id']}-search", "Verborgen")  # the console may cite it
    desk.page.locator(f"#cite-amend-{second['id']}-cards li:visible label").click()
    row.locator("button", has_text="Aanpassing opslaan").click()
    room.wait(lambda s: len(room.proposals("waarom")) == 3)
    third = room.proposals("waarom")[2]
    assert (third["cited_cluster_ids"], third["cited_card_ids"]) == (
        [vervoer],
        [room.card_id("Verborgen kaart")],
    )
    expect(cites).to_have_text("Groeit uit: Vervoer · 1 kaart")
    expect(page.locator("#proposals .cites").last).to_have_text("Groeit uit: Vervoer · 1 kaart")
    for person in (annie, screen, desk):
        assert not person.problems, person.problems
        person.context.close()
    room.close()


def test_saving_twice_and_a_reframing_that_starts_from_the_vertrekpunt(
    chromium: Any, server: Server, facilitator: Facilitator, loop: Loop
):
    older = trajectory_with_workshop(
        facilitator, ["inwoner", "beleid", "ketenpartner"], "Eerste sessie"
    )
    trajectory_id = older["trajectory_id"]
    newer = facilitator.post(
        f"/api/trajectories/{trajectory_id}/workshops", {"title": "Tweede sessie"}
    )
    people = [(f"Inwoner {n}", "inwoner", {}) for n in range(3)]
    rooms = [Room.open(loop, server, facilitator, w, people) for w in (newer, older)]
    for room, waarom in zip(
        rooms, ("Samen tegen eenzaamheid in Oost", "Een oudere waarom"), strict=True
    ):
        room.phase("waarom")
        proposal = room.do("proposal.create", kind="waarom", text=waarom)
        room.do("proposal.adopt", proposal_id=proposal["result"]["proposal_id"], reason="Getest")
        room.phase("opgave")
        proposal = room.do(
            "proposal.create",
            kind="opgave",
            text="Ontmoeten dichtbij huis",
            in_scope=["vervoer op zondag"],
            out_of_scope=["zorgindicaties"],
            core_themes=["ontmoeten"],
        )
        room.do("proposal.adopt", proposal_id=proposal["result"]["proposal_id"], reason="Getest")
        room.phase("afronding")

    # The newer workshop saves first: saved and current; the button is gone.
    desk = console(chromium, server, facilitator, newer)
    desk.page.get_by_role("button", name="Opslaan als vertrekpunt").click()
    saved = desk.page.locator("#saved-state")
    expect(saved).to_contain_text("Vertrekpunt opgeslagen")
    expect(saved).to_contain_text("Opgeslagen als vertrekpunt van het traject.")
    expect(desk.page.locator("#save-vertrekpunt")).to_have_count(0)
    # The older one saves after it: saved, but not current, with the way to change that.
    desk.page.goto(f"{server.url}/console/{older['id']}")
    desk.page.get_by_role("button", name="Opslaan als vertrekpunt").click()
    expect(saved).to_contain_text(
        "Opgeslagen, maar niet het huidige vertrekpunt: een nieuwere workshop heeft er al een"
    )
    link = saved.get_by_role("link", name="Maak het huidig op de trajectpagina.")
    expect(link).to_have_attribute("href", f"/trajectories/{trajectory_id}")
    desk.accessible("afronding, saved but not current")
    with pytest.raises(Exception, match="already_saved"):
        rooms[1].do("vertrekpunt.save")
    said = desk.page.evaluate(
        """async () => (await import('/static/js/errors.js'))
             .errorText({code: 'already_saved', message: 'x'})"""
    )
    assert said.startswith("Het vertrekpunt van deze workshop is al opgeslagen.")

    # A reframing workshop starts from the current vertrekpunt (the newer one's).
    reframe = facilitator.post(
        f"/api/trajectories/{trajectory_id}/workshops",
        {"title": "Herijking", "preset": "herijking"},
    )
    desk.page.goto(f"{server.url}/console/{reframe['id']}")
    start = desk.page.locator("#controls .starting-point")
    expect(start).to_contain_text("Samen tegen eenzaamheid in Oost")
    expect(start).to_contain_text("Vastgesteld in Tweede sessie")
    check = desk.page.locator("#lobby-check")
    expect(check).to_contain_text("Nooit aanwezig: Beleid, Ketenpartner")
    expect(check).to_contain_text("Wie missen we nog aan tafel? Domineren de usual suspects?")
    desk.accessible("reframing lobby")
    annie = phone(chromium, "annie")
    join_with_form(annie, server, reframe["join_code"], "Beleid")
    lobby = annie.page.locator("#starting-point")
    for text in (
        "Het huidige vertrekpunt",
        "Vastgesteld in Tweede sessie",
        "Samen tegen eenzaamheid in Oost",
        "Ontmoeten dichtbij huis",
        "vervoer op zondag",
        "zorgindicaties",
        "ontmoeten",
    ):
        expect(lobby).to_contain_text(text)
    annie.accessible("reframing lobby")
    screen = projector(chromium, server, reframe)
    wall = screen.page.locator(".lobby .starting-point")
    expect(wall).to_contain_text("Samen tegen eenzaamheid in Oost")
    expect(wall).to_contain_text("Vastgesteld in Tweede sessie")
    screen.page.evaluate(SETTLE)
    assert not screen.page.evaluate(OVERFLOW)
    screen.accessible("reframing lobby")

    # Its waarom phase starts with the starting point's waarom, "zoals het nu is", everywhere.
    desk.page.click("#agenda button:has-text('Waarom')")
    expect(annie.page.locator("#proposals .seeded")).to_have_text("Zoals het nu is")
    expect(annie.page.locator("#proposals")).to_contain_text("Samen tegen eenzaamheid in Oost")
    expect(screen.page.locator(".proposals .marker.seeded")).to_have_text("Zoals het nu is")
    expect(desk.page.locator("#controls .proposal .seeded")).to_contain_text("Zoals het nu is")
    for person in (desk, annie, screen):
        assert not person.problems, person.problems
        person.context.close()
    for room in rooms:
        room.close()


def test_at_the_table_who_gets_heard_and_the_agenda_with_minutes(
    chromium: Any, server: Server, facilitator: Facilitator, loop: Loop
):
    workshop = trajectory_with_workshop(
        facilitator, ["inwoner", "beleid", "ketenpartner", "bestuur"], "Sessie"
    )
    consent = {"drijfveer_use": "record", "contribution_use": "record"}
    people = [
        *(
            (
                f"Inwoner {n}",
                "inwoner",
                {"drijfveer": f"Ik woon hier al {40 + n} jaar", **(consent if n < 2 else {})},
            )
            for n in range(6)
        ),
        *(
            (
                f"Beleid {n}",
                "beleid",
                {"drijfveer": "Het is mijn werk", "contribution": "ondersteunen"},
            )
            for n in range(3)
        ),
        ("Keten 0", "ketenpartner", {}),
        ("Keten 1", "ketenpartner", {}),
        ("Uitvoering 0", "uitvoering", {}),
    ]
    room = Room.open(loop, server, facilitator, workshop, people)
    annie = phone(chromium, "annie")
    join_with_form(
        annie,
        server,
        workshop["join_code"],
        "Inwoner",
        name="Annie",
        drijfveer="Mijn moeder woont alleen",
        contribution="aan_tafel",
        drijfveer_use="record",
        contribution_use="record",
    )
    room.wait(lambda s: len(s["participants"]) == 13)
    me = next(p for p in room.state["participants"].values() if p["display_name"] == "Annie")
    assert (me["drijfveer_use"], me["contribution_use"]) == ("record", "record")
    room.phase("factoren")
    room.each(
        [
            (room.people[n % 6], "card.post", {"kind": "factor", "text": f"Factor {n}"})
            for n in range(12)
        ]
    )
    room.each(
        [
            (room.people[9 + n], "card.post", {"kind": "factor", "text": f"Keten {n}"})
            for n in range(3)
        ]
    )

    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    page = desk.page
    page.click("#at-table summary")
    groups = page.locator("#at-table-groups")
    expect(groups).to_contain_text("Inwoner: 7 mensen")
    expect(groups).to_contain_text("Bestuur: 0 mensen — niet aanwezig")
    drijfveren = page.locator("#at-table-drijfveren")
    expect(drijfveren.locator("li.record")).to_have_count(3)  # two by socket, Annie by the form
    expect(drijfveren.locator("li", has_text="Mijn moeder woont alleen")).to_contain_text(
        "(✓ mag in het verslag)"
    )
    expect(drijfveren.locator("li", has_text="Het is mijn werk").first).to_contain_text(
        "(alleen voor jou)"
    )
    contributions = page.locator("#at-table-contributions")
    expect(contributions).to_contain_text("Anderen ondersteunen: 3 mensen")
    expect(contributions).to_contain_text(
        "Een volwaardige plek aan tafel: 1 persoon (1 mag in het verslag)"
    )
    figures = page.locator("#at-table-figures")
    beleid = figures.locator("tr", has_text="Beleid")
    expect(beleid).to_contain_text("te weinig aan het woord: luisterde vooral")
    expect(beleid).to_contain_text("23% (3)")  # 3 of 13 people
    expect(figures.locator("tr", has_text="Inwoner")).to_contain_text("80% (12)")  # 12 of 15 cards
    expect(figures.locator("tr", has_text="Overige groepen")).to_contain_text("20% (3)")
    expect(page.locator("#at-table-trajectory")).to_contain_text("Wie missen we nog aan tafel?")
    desk.accessible("aan tafel open")

    # On the projector, on request, and back.
    page.get_by_role("button", name="Toon op scherm").click()
    heard = screen.page.locator(".heard")
    expect(heard.locator("h2")).to_have_text("Wie komt aan het woord?")
    expect(heard.locator("tr", has_text="Beleid")).to_contain_text("Luisterde vooral")
    expect(heard.locator("tr", has_text="Beleid")).to_contain_text("23%")
    expect(heard.locator(".prompt")).to_have_text(
        "Wie missen we nog aan tafel? Domineren de usual suspects?"
    )
    screen.page.evaluate(SETTLE)
    assert not screen.page.evaluate(OVERFLOW)
    screen.accessible("who gets heard")
    expect(page.locator("#screen-status")).to_contain_text(
        "Het scherm toont wie er aan het woord komt"
    )
    page.locator("#at-table-show").click()  # now "Terug"
    expect(heard).to_have_count(0)
    expect(screen.page.locator(".wall")).to_contain_text("Factor 3")

    # The agenda with minutes: move a step by keyboard, repeat one, set minutes, save.
    expect(page.locator("#agenda-total")).to_have_text("Gepland: 2 uur")
    expect(page.locator("#agenda li").nth(1)).to_contain_text("15 min")
    page.get_by_role("button", name="Agenda bewerken").click()
    dialog = page.locator("#agenda-dialog")
    expect(dialog).to_be_visible()
    up = dialog.locator("li[data-index='3'] button[data-action='up']")  # consequenties
    expect(up).to_have_accessible_name("Omhoog stap 4, Consequenties")
    up.focus()
    page.keyboard.press("Enter")
    expect(dialog.locator("li").nth(2)).to_contain_text("Consequenties")
    assert page.evaluate(
        "() => document.activeElement.dataset.action === 'up' && document.activeElement.closest('li').dataset.index === '2'"
    ), "focus stays on the moved step's button"
    dialog.locator("li", has_text="Waarom").get_by_role("button", name="Herhalen").click()
    dialog.locator("#agenda-min-0").fill("7")
    expect(dialog.locator("#agenda-dialog-total")).to_have_text("Totaal: 2 u 12 min")
    desk.accessible("agenda editor")
    dialog.get_by_role("button", name="Agenda opslaan").click()
    expect(dialog).to_be_hidden()
    room.wait(lambda s: len(s["workshop"]["agenda"]) == 10)
    w = room.state["workshop"]
    assert w["agenda"] == [
        "lobby",
        "beelden",
        "consequenties",
        "factoren",
        "clusteren",
        "prioriteren",
        "waarom",
        "waarom",
        "opgave",
        "afronding",
    ]
    assert w["phase_minutes"] == [7, 15, 15, 15, 15, 10, 15, 15, 15, 10]
    assert w["phase"] == "factoren"
    expect(page.locator("#agenda-total")).to_have_text("Gepland: 2 u 12 min")
    expect(page.locator("#agenda li").first).to_contain_text("7 min")
    for person in (desk, annie, screen):
        assert not person.problems, person.problems
        person.context.close()
    room.close()

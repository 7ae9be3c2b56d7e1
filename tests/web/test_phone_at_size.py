"""The room at real size (issue 23), as the people in it meet it: 40 phones (two Chromium phones at
360×740, 38 ``websockets`` clients), 200 realistic Dutch cards (tests/support/realistic_cards.py)
and 15 clusters, seeded over the server's socket, not typed; the console at 1440×900 and the
projector at 1920×1080, 1280×720 and 1024×768 in the same room.

- In every phase the phone's page is at most three screens tall (document height, printed);
- the dot vote is grouped by cluster, the loose cards folded under "Losse kaarten";
- a phase change scrolls to the top, puts focus on the phase heading and says it (aria-live);
- a consequentie links its factoren with a searchable picker, most alike and newest first, and the
  form stays one screen tall at 100 factoren;
- replaced proposals keep 4.5:1 contrast; the room's texts hyphenate as Dutch (lang, hyphens) on
  the phone and the projector;
- axe-core finds nothing on these screens, looked at after each phase's live updates; on the
  projector nothing is clipped or off the screen at any of its sizes, and the console stays at
  most two screens tall while a hundred cards come in and while clustering.

Problems are collected and asserted at the end of a test, so a run on older code still prints
every height it measured. Every wait is bounded (Playwright's expectations, the socket helpers).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import FACILITATOR_PASSWORD
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.databases import MigratedTemplate
from tests.support.loop import Loop
from tests.support.realistic_cards import BEELDEN, CONSEQUENTIES, FACTOREN
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console
from tests.web.test_projector_at_size import OVERFLOW, SIZES, settle

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 360, 740
SCREENS = 3  # "at most about three screens tall"
GROUPS = ["inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid", "bestuur"]
CLUSTERS = [
    "Vervoer en bereikbaarheid",
    "Ontmoetingsplekken in de wijk",
    "Digitale drempels",
    "Mantelzorg en overbelasting",
    "Gezondheid en zorg",
    "Geld en armoede",
    "Wonen en woonomgeving",
    "Verlies en rouw",
    "Vrijwilligers en verenigingen",
    "Samenwerking tussen organisaties",
    "Signaleren achter de voordeur",
    "Beleid en financiering",
    "Schaamte en hulp vragen",
    "Jong en oud",
    "Veiligheid",
]
WHY = "Zodat niemand in Grou ongezien alleen thuis zit en iedereen ergens welkom is"
PHASE_NAMES = {
    "lobby": "Lobby",
    "beelden": "Beelden",
    "factoren": "Factoren",
    "consequenties": "Consequenties",
    "clusteren": "Clusteren",
    "prioriteren": "Prioriteren",
    "waarom": "Waarom",
    "opgave": "Opgave",
    "afronding": "Afronding",
}


@pytest.fixture(scope="module")
def busy(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[Server]:
    """One server for the module that lets a facilitator's socket send quickly (a test drives a
    whole room from it); each test has its own facilitator and workshop."""
    folder = tmp_path_factory.mktemp("busy")
    with migrated_template.copy(folder) as url:
        server = Server(
            data_dir=folder,
            database_url=url,
            ATELIER_FRAMES_PER_SECOND="500",
            ATELIER_FRAMES_BURST="500",
            # The console's duplicate check asks the model about every card (about 9 s of a core
            # for 200 cards): not what is measured here, and on a loaded machine it can time out.
            ATELIER_SUGGESTIONS="false",
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


class Room:
    """A facilitator's socket and the phones' sockets, driven from the test's thread."""

    def __init__(self, loop: Loop, server: Server, phones: int, groups: list[str] = GROUPS):
        self.loop = loop
        self.server = server
        email = server.add_facilitator(name="Fenna", password=FACILITATOR_PASSWORD)
        self.http = Facilitator(server, email=email, password=FACILITATOR_PASSWORD)
        trajectory = self.http.post(
            "/api/trajectories", {"theme": "Eenzaamheid onder ouderen", "expected_groups": groups}
        )
        self.workshop = self.http.post(
            f"/api/trajectories/{trajectory['id']}/workshops",
            {"title": "Grote zaal", "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?"},
        )
        self.people: list[RoomClient] = []

        async def connect() -> None:
            self.fac = await RoomClient.connect(
                server.ws_url, self.workshop["id"], cookie=self.http.cookie_header, name="fac"
            )
            for n in range(phones):
                joined = join(server, self.workshop["join_code"], f"Deelnemer {n}", GROUPS[n % 6])
                self.people.append(
                    await RoomClient.connect(
                        server.ws_url, self.workshop["id"], token=joined["token"], name=f"p{n}"
                    )
                )

        loop.run(connect(), timeout=120)

    def do(self, type_: str, **fields: Any) -> dict[str, Any]:
        return self.loop.run(self.fac.command(type_, **fields))

    def phase(self, name: str) -> None:
        agenda = self.state["workshop"]["agenda"]
        self.do("phase.set", index=agenda.index(name), open_items="close")

    def each(self, commands: list[tuple[RoomClient, str, dict[str, Any]]]) -> None:
        async def all_of() -> None:
            await asyncio.gather(*(c.command(t, **f) for c, t, f in commands))

        self.loop.run(all_of(), timeout=120)

    @property
    def state(self) -> dict[str, Any]:
        assert self.fac.state is not None
        return self.fac.state

    def cards(self, kind: str) -> list[dict[str, Any]]:
        return sorted(
            (c for c in self.state["cards"].values() if c["kind"] == kind), key=lambda c: c["id"]
        )

    def post(self, kind: str, texts: list[str], **fields: Any) -> None:
        people = self.people
        self.each(
            [
                (people[n % len(people)], "card.post", {"kind": kind, "text": text, **fields})
                for n, text in enumerate(texts)
            ]
        )

    def close(self) -> None:
        async def close_all() -> None:
            for client in [self.fac, *self.people]:
                await client.close()

        self.loop.run(close_all())
        self.http.close()


def small_phone(chromium: Any, server: Server, room: Room, name: str = "Annie") -> Watched:
    """A 360×740 phone, joined through the server's join API (the join form is another test's)."""
    context = chromium.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    phone = Watched(context, name.lower())
    response = context.request.post(
        f"{server.url}/api/join",
        data={
            "code": room.workshop["join_code"],
            "display_name": name,
            "stakeholder_group": "inwoner",
        },
    )
    assert response.ok, response.text()
    phone.page.goto(f"{server.url}/w/{room.workshop['id']}")
    phone.page.wait_for_selector("#status[data-status=connected]")
    return phone


SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def height(phone: Watched) -> int:
    phone.page.evaluate(SETTLE)
    return int(phone.page.evaluate("document.documentElement.scrollHeight"))


def seed(room: Room) -> None:
    """200 cards in their phases (10 beelden, 95 factoren, 95 consequenties linked to factoren)."""
    room.phase("beelden")
    room.post("beeld", BEELDEN)
    room.phase("factoren")
    room.post("factor", FACTOREN)


def seed_consequenties(room: Room) -> None:
    factors = [c["id"] for c in room.cards("factor")]
    room.each(
        [
            (
                room.people[n % len(room.people)],
                "card.post",
                {
                    "kind": "consequentie",
                    "text": text,
                    "world": "leefwereld" if n % 3 else "systeemwereld",
                    "factor_ids": factors[n % 90 : n % 90 + n % 3],
                },
            )
            for n, text in enumerate(CONSEQUENTIES)
        ]
    )


def cluster(room: Room) -> None:
    """15 clusters of 3 to 17 cards (150 in all); 50 cards stay loose."""
    ids = [c["id"] for kind in ("beeld", "factor", "consequentie") for c in room.cards(kind)]
    ids = ids[::2] + ids[1::2]  # mix the kinds
    start = 0
    for n, title in enumerate(CLUSTERS):
        size = 3 + (n * 7) % 15
        if n == len(CLUSTERS) - 1:
            size = 150 - start
        result = room.do("cluster.create", title=title, card_ids=ids[start : start + size])
        start += size
        if n % 4 == 0:
            room.do(
                "cluster.tag",
                cluster_id=result["result"]["cluster_id"],
                tags=[["angel", "kiem", "hefboom"][n % 3]],
            )


README_PHASES = ("consequenties", "prioriteren", "opgave")


def test_the_room_of_forty_phones_and_200_cards_in_every_phase(chromium: Any, busy: Server) -> None:
    """The whole room at once, through every phase: two Chromium phones and 38 sockets, the
    console at 1440×900 and the projector at its three sizes, each looked at after the phase's
    live updates (the cards the room posted, the clusters, the votes, the rounds)."""
    loop = Loop()
    room = Room(loop, busy, phones=38)
    annie = small_phone(chromium, busy, room)
    bram = small_phone(chromium, busy, room, "Bram")
    desk = console(chromium, busy, room.http, room.workshop)
    desk.page.set_viewport_size({"width": 1440, "height": 900})
    screen = Watched(chromium.new_context(viewport={"width": 1920, "height": 1080}), "projector")
    screen.page.goto(
        f"{busy.url}/screen/{room.workshop['id']}#token={room.workshop['screen_token']}"
    )
    screen.page.wait_for_selector("#status[data-status=connected]")
    page = annie.page
    problems: list[str] = []
    heights: dict[str, int] = {}
    consoles: dict[str, int] = {}

    def look(who: Watched, moment: str) -> None:
        try:
            who.accessible(moment)
        except AssertionError as failure:
            problems.append(str(failure))

    def measure(phase: str) -> None:
        heights[phase] = height(annie)
        if phase in README_PHASES:  # the README's phone, one screen as a resident meets it
            annie.screenshot(f"phone-200-{phase}.png")
        if os.environ.get("ATELIER_PHONE_SHOTS"):  # a look at the page measured, for a person
            page.screenshot(path=f"{os.environ['ATELIER_PHONE_SHOTS']}/{phase}.png", full_page=True)
        for who, px in (("Annie", heights[phase]), ("Bram", height(bram))):
            if px > SCREENS * HEIGHT:
                problems.append(f"{phase}: {who}'s phone {px} px tall (> {SCREENS} × {HEIGHT})")
        look(annie, phase)
        look(bram, phase)
        consoles[phase] = height(desk)
        if os.environ.get("ATELIER_PHONE_SHOTS"):
            desk.page.screenshot(
                path=f"{os.environ['ATELIER_PHONE_SHOTS']}/console-{phase}.png", full_page=True
            )
        if phase in ("factoren", "consequenties", "clusteren") and consoles[phase] > 2 * 900:
            problems.append(f"{phase}: the console {consoles[phase]} px tall (> 2 × 900)")
        look(desk, f"the console in {phase}")
        for width, tall in SIZES:  # the projector: nothing clipped or off the screen, axe
            screen.page.set_viewport_size({"width": width, "height": tall})
            settle(screen)
            where = f"the projector in {phase} at {width}×{tall}"
            clipped = screen.page.evaluate(OVERFLOW)
            if clipped:
                problems.append(f"{where}: {clipped[:3]}")
            look(screen, where)

    def change(phase: str, then: Any = None) -> None:
        """Move on from the bottom of the page, with focus down there: the phone goes to the
        top, focus goes to the new phase's heading, and the live region says it."""
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.locator("#leave").focus()
        was = page.evaluate("scrollY")
        room.phase(phase)
        if then:
            then()
        name = PHASE_NAMES[phase]
        expect(page.locator("#phase-title")).to_have_text(name)
        try:
            expect(page.locator("#announcer")).to_have_text(f"Nu: {name}", timeout=5_000)
        except AssertionError:
            problems.append(f"{phase}: not announced")
        page.evaluate(SETTLE)
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused != "phase-title":
            problems.append(f"{phase}: focus on {focused!r}, not the phase heading")
        if was > 0 and page.evaluate("scrollY") != 0:
            problems.append(f"{phase}: kept its scroll position ({was} px)")

    try:
        measure("lobby")
        own = RoomClient.connect  # Annie's own cards, posted from a socket with her token
        token = next(c["value"] for c in annie.context.cookies() if "participant" in c["name"])
        mine = loop.run(own(busy.ws_url, room.workshop["id"], token=token, name="annie-socket"))
        change("beelden")
        room.post("beeld", BEELDEN)
        expect(page.locator("#room-cards li.card")).to_have_count(len(BEELDEN))
        measure("beelden")
        change("factoren")
        room.post("factor", FACTOREN)
        loop.run(mine.command("card.post", kind="factor", text="Mijn buurvrouw komt nooit buiten"))
        expect(page.locator("#room-cards li.card")).to_have_count(len(FACTOREN))
        measure("factoren")
        # The console merges two factoren from the one form above its list, then takes it back.
        gone, into = (c["id"] for c in room.cards("factor")[:2])
        desk.page.locator("#merge-card").select_option(str(gone))
        desk.page.locator("#merge-into").select_option(str(into))
        desk.page.locator("#merge-form button[type=submit]").click()
        loop.run(
            room.fac.wait_for(
                lambda _m: room.state["cards"][str(gone)]["merged_into_id"] == into, timeout=15
            ),
            20,
        )
        room.do("card.unmerge", card_id=gone)
        change("consequenties")
        seed_consequenties(room)
        expect(page.locator("#room-cards li.card")).to_have_count(len(CONSEQUENTIES))
        measure("consequenties")
        change("clusteren")
        cluster(room)
        expect(page.locator("#clusters h2")).to_have_count(len(CLUSTERS))
        measure("clusteren")
        change("prioriteren", then=lambda: room.do("vote.open", budget=5))
        expect(page.locator("#budget")).to_have_text("5 van 5 stippen over")
        measure("prioriteren")
        # Grouped: the clusters, then the loose cards folded under "Losse kaarten".
        shown = page.locator("#targets .target:visible")
        if shown.count() != len(CLUSTERS):
            problems.append(f"prioriteren: {shown.count()} targets in view, not {len(CLUSTERS)}")
        loose = page.locator("#targets details summary", has_text="Losse kaarten")
        if loose.count() != 1:
            problems.append("prioriteren: no 'Losse kaarten' fold")
        else:
            loose.click()
            give = page.locator("#targets .loose-targets button[aria-label^='Geef een stip']")
            give.first.click()
            expect(page.locator("#budget")).to_have_text("4 van 5 stippen over")
            annie.accessible("prioriteren, loose cards open")
        change("waarom")
        for n in range(4):
            room.do("proposal.create", kind="waarom", text=f"{WHY} ({n + 1})")
        expect(page.locator("#proposals li.proposal")).to_have_count(4)
        measure("waarom")
        change("opgave")
        created = room.do(
            "proposal.create",
            kind="opgave",
            text="Samen met bewoners, huisartsen en het wijkteam zorgen dat ouderen elkaar weer "
            "ontmoeten, dicht bij huis",
            in_scope=["Ontmoetingsplekken", "Vervoer op zondag"],
            out_of_scope=["Zorg aan huis"],
            core_themes=["Ontmoeten", "Bereikbaarheid"],
        )
        opened = room.do("round.open", kind="opgave", reveal="at_close")
        expect(page.locator(".rating")).to_have_count(1)
        measure("opgave")
        room.do("round.close", round_id=opened["result"]["round_id"])
        room.do("proposal.adopt", proposal_id=created["result"]["proposal_id"], reason="Goed")
        change("afronding")
        expect(page.locator("#result")).to_contain_text("ontmoeten")
        measure("afronding")
        loop.run(mine.close())
    finally:
        print(
            "\ndocument height, 40 phones, 200 cards, 15 clusters: phone (360×740), console (1440×900)"
        )
        for phase, px in heights.items():
            print(
                f"  {phase:14} {px:6} px  ({px / HEIGHT:.1f} screens)"
                f"   console {consoles.get(phase, 0):6} px"
            )
        room.close()
        loop.stop()
    assert not problems, problems
    for who in (annie, bram, desk, screen):
        assert not who.problems, who.problems


#: The contrast of an element's text against the ground it is drawn on, as the eye gets it:
#: colours with their alpha and every ancestor's opacity blended onto the first opaque background.
CONTRAST = """(el) => {
  const rgba = (s) => (s.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number).concat([1]).slice(0, 4);
  let opacity = 1, ground = null;
  for (let e = el; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    opacity *= Number(style.opacity);
    const bg = rgba(style.backgroundColor);
    if (!ground && bg[3] > 0.99) ground = bg;
  }
  ground = ground || [255, 255, 255, 1];
  const fg = rgba(getComputedStyle(el).color);
  const a = fg[3] * opacity;
  const seen = [0, 1, 2].map((i) => fg[i] * a + ground[i] * (1 - a));
  const lum = (c) => { const v = c.map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const [l1, l2] = [lum(seen), lum(ground)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}"""


def test_a_consequentie_links_factoren_from_a_short_form(chromium: Any, busy: Server) -> None:
    """100 factoren: the consequentie form (picker open) stays one screen tall, the factoren most
    like the text come first, then the newest; replaced proposals keep 4.5:1; texts hyphenate."""
    loop = Loop()
    room = Room(loop, busy, phones=10)
    annie = small_phone(chromium, busy, room)
    page = annie.page
    problems: list[str] = []
    try:
        room.phase("factoren")
        room.post("factor", FACTOREN[:95])
        room.post("factor", [f"{text} (ook in de kernen)" for text in FACTOREN[:5]])
        room.phase("consequenties")
        expect(page.locator("#phase-title")).to_have_text("Consequenties")
        form_height = page.evaluate("document.getElementById('post-form').offsetHeight")
        page.fill("#post-text", "Nu het buurthuis dicht is, is er geen koffieochtend")
        page.click("#link-choose summary")
        expect(page.locator("#link-cards li")).to_have_count(100)
        expect(page.locator("#link-count")).to_have_text("100 om uit te kiezen")
        open_height = page.evaluate("document.getElementById('post-form').offsetHeight")
        print(
            f"\nconsequentie form at 100 factoren: {form_height} px, picker open {open_height} px"
        )
        for name, px in (("closed", form_height), ("open", open_height)):
            if px > HEIGHT:
                problems.append(f"the form is {px} px tall with the picker {name} (> {HEIGHT})")
        # Most alike first: the factor about the closed buurthuis (shares "buurthuis").
        first = page.locator("#link-cards li").first
        expect(first).to_contain_text("buurthuis is sinds 2023 dicht")
        expect(first).to_contain_text("lijkt op je tekst")
        # Then the newest: with no text, the five posted last lead.
        page.fill("#post-text", "")
        page.dispatch_event("#post-text", "input")
        expect(page.locator("#link-cards li").first).to_contain_text("(ook in de kernen)")
        page.fill("#link-search", "regiotaxi")
        expect(page.locator("#link-cards li:visible")).to_have_count(2)
        page.locator("#link-cards li:visible label").first.click()
        expect(page.locator("#link-chips li")).to_have_count(1)
        annie.accessible("consequenties, factor picker open")
        page.fill("#post-text", "Mensen missen hun afspraak in het ziekenhuis")
        page.check("#world-sys")
        page.click("#post-form button[type=submit]")
        expect(page.locator("#my-cards")).to_contain_text("door: De regiotaxi moet je een dag")
        expect(page.locator("#link-chips li")).to_have_count(0)

        # Replaced proposals: 4.5:1 at least; the room's texts hyphenate as Dutch.
        room.phase("waarom")
        made = room.do("proposal.create", kind="waarom", text="Zodat ouderen elkaar weer zien")
        room.do(
            "proposal.amend",
            proposal_id=made["result"]["proposal_id"],
            text="Zodat ouderen in elke kern elkaar weer ontmoeten, ook op zondag",
        )
        replaced = page.locator("#proposals .status-superseded")
        expect(replaced).to_have_count(1)
        page.evaluate(SETTLE)
        for part in (".statement", ".meta"):
            # In one step in the page: a live update may redraw the list between two steps.
            ratio = page.evaluate(
                f"() => ({CONTRAST})(document.querySelector('#proposals .status-superseded {part}'))"
            )
            if ratio < 4.5:
                problems.append(f"replaced proposal {part}: contrast {ratio:.2f}:1 (< 4.5:1)")
        annie.accessible("waarom, a replaced proposal")
        statement = page.locator("#proposals .statement").first
        style = statement.evaluate("e => [getComputedStyle(e).hyphens, e.closest('[lang]').lang]")
        if style != ["auto", "nl"]:
            problems.append(f"phone: a proposal's text hyphenates as {style}, not ['auto', 'nl']")
        screen = Watched(chromium.new_context(viewport={"width": 1024, "height": 768}), "screen")
        screen.page.goto(
            f"{busy.url}/screen/{room.workshop['id']}?lang=en#token={room.workshop['screen_token']}"
        )
        screen.page.wait_for_selector("#status[data-status=connected]")
        wall = screen.page.locator("#view")
        expect(wall).to_contain_text("elkaar weer ontmoeten")
        style = wall.evaluate("e => [getComputedStyle(e).hyphens, e.closest('[lang]').lang]")
        if style != ["auto", "nl"]:
            problems.append(f"projector (English page): the wall hyphenates as {style}")
        screen.context.close()
    finally:
        room.close()
        loop.stop()
    assert not problems, problems
    assert not annie.problems, annie.problems

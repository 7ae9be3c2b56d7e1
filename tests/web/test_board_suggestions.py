"""Suggestions from the model on the console's board, in a real Chromium against a real server.

Sixty cards arrive from ``websockets`` phones; the facilitator asks for suggested clusters, edits
one's name, takes a card out of it and takes it over (an ordinary ``cluster.create`` in the log,
undoable), ignores another, and follows a mark on a possible duplicate into the merge dialog.
Without the model (here: switched off), the button says why and how to enable it. With three
clusters started by hand, each loose card shows its suggested cluster: one tap (or Enter) places
it, "Plaats alle zekere" places every sure one in one command, and one undo takes that batch back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.conftest import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, started_with_facilitator
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import AXE_SOURCE, WCAG_TAGS, Watched, console
from tests.web.test_board import PEOPLE, Room

#: Two animation frames: what the page drew for the last event is on the screen.
SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"

CARDS: dict[str, list[str]] = {
    "ontmoeting": [
        "Ouderen zitten de hele dag alleen thuis",
        "Er is geen plek in de wijk om elkaar te ontmoeten",
        "Sinds het buurthuis dicht is, zie ik mijn buren nooit meer",
        "Na het overlijden van mijn man spreek ik dagen niemand",
        "Mensen durven niet aan te bellen bij de buren",
        "De koffieochtend in de kerk was het enige contact dat ik had",
        "Eenzaamheid onder ouderen wordt niet gezien",
        "Kinderen wonen ver weg en komen zelden op bezoek",
        "Nieuwe bewoners kennen niemand in de straat",
        "Er zijn te weinig vrijwilligers die bij ouderen langsgaan",
        "Ouderen voelen zich overbodig sinds hun pensioen",
        "Een praatje bij de supermarkt is voor sommigen het enige gesprek van de week",
        "Mantelzorgers raken zelf geïsoleerd",
        "Wie slecht hoort, haakt af bij verjaardagen",
        "Ouderen in het verzorgingshuis krijgen weinig bezoek",
    ],
    "geld": [
        "Aan het eind van de maand is er geen geld meer voor boodschappen",
        "De energierekening is zo hoog dat we de verwarming uit laten",
        "Schulden stapelen zich op door boetes en incassokosten",
        "Mensen schamen zich om naar de voedselbank te gaan",
        "Toeslagen terugbetalen brengt gezinnen in de problemen",
        "Een kapotte wasmachine is meteen een financiële ramp",
        "Kinderen kunnen niet mee op schoolreisje omdat het te duur is",
        "Regelingen voor minima zijn moeilijk te vinden en aan te vragen",
        "Werkende armen verdienen te weinig om rond te komen",
        "De huur slokt de helft van het inkomen op",
        "Geen geld voor de contributie van de sportclub",
        "Budgetcoaching heeft een wachtlijst",
        "Wie schulden heeft, durft de post niet meer open te maken",
        "Een tandarts is te duur zonder aanvullende verzekering",
        "Gezinnen lenen geld bij familie om de rekeningen te betalen",
    ],
    "jeugdzorg": [
        "Wachtlijsten in de jeugdzorg zijn maanden lang",
        "Ouders weten niet bij welk loket ze moeten zijn voor hulp aan hun kind",
        "Jongeren moeten hun verhaal steeds opnieuw vertellen aan een nieuwe hulpverlener",
        "De jeugdzorgaanbieder stopt omdat de gemeente te weinig betaalt",
        "Pleeggezinnen zijn moeilijk te vinden",
        "Een kind met autisme zit thuis omdat er geen passende school is",
        "Wijkteams hebben te veel dossiers per medewerker",
        "Hulp voor jongeren stopt abrupt als ze achttien worden",
        "Scholen signaleren problemen maar kunnen niet doorverwijzen",
        "Ouders voelen zich niet gehoord door de jeugdbescherming",
        "Jeugdhulpverleners wisselen vaak van baan",
        "Gezinnen met meerdere hulpverleners hebben geen overzicht meer",
        "Zorg voor jongeren met psychische klachten komt te laat",
        "Kinderen worden ver van huis geplaatst",
        "Jongeren in de jeugdzorg hebben geen vaste mentor",
    ],
    "vervoer": [
        "Zonder auto kom je niet bij het ziekenhuis in de stad",
        "De buslijn naar de markt is opgeheven",
        "De bushalte is te ver lopen met een rollator",
        "Regiotaxi moet je een dag van tevoren bellen",
        "Fietspaden naar de school zijn gevaarlijk in het donker",
        "Het treinstation is niet toegankelijk voor rolstoelen",
        "Jongeren kunnen na tienen niet meer thuiskomen met het openbaar vervoer",
        "Een taxi naar de huisarts is te duur",
        "Op zondag rijdt er helemaal geen bus",
        "Het dorp heeft geen pinautomaat meer en de bus naar de stad is duur",
        "Ouderen durven niet meer te fietsen in het drukke verkeer",
        "Vrijwilligers die ouderen rijden zijn er te weinig",
        "Parkeren bij het gezondheidscentrum is onmogelijk",
        "De bus naar het dorp rijdt maar twee keer per dag",
        "Er gaat maar twee keer per dag een bus naar ons dorp",  # the paraphrase: a duplicate
    ],
}
TWINS = (CARDS["vervoer"][-2], CARDS["vervoer"][-1])
NAME = "Bereikbaarheid van het dorp"


def open_room(
    loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> Room:
    """Six phones post the sixty cards as factors, then the room moves on to Clusteren."""

    async def setup() -> Room:
        desk = await facilitator_client(server, workshop, facilitator.cookie_header)
        people = []
        for name, group in PEOPLE:
            joined = join(server, workshop["join_code"], name, group)
            people.append(
                await RoomClient.connect(
                    server.ws_url, workshop["id"], token=joined["token"], name=name
                )
            )
        await goto(desk, "factoren")
        texts = [text for lines in CARDS.values() for text in lines]
        for index, text in enumerate(texts):
            await people[index % len(people)].command("card.post", kind="factor", text=text)
        await goto(desk, "clusteren")
        await people[0].until_seq(desk.last_seq)
        return Room(loop, desk, people)

    return loop.run(setup(), timeout=60)


def expect_clean(desk: Watched) -> None:
    assert not desk.problems, desk.problems


def accessible_panel(desk: Watched, moment: str) -> None:
    """axe-core finds no WCAG 2.x A/AA violation in the suggestions panel and the duplicate marks
    (the rest of the board has its own test; a whole-page run of sixty tiles is slow here)."""
    desk.page.evaluate(AXE_SOURCE)
    result = desk.page.evaluate(
        """tags => axe.run({include: [["#board-suggest"], [".board-dup"]]},
                           {runOnly: {type: "tag", values: tags}})""",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not violations, f"{moment}: {violations}"


def test_suggested_clusters_taken_over_edited_and_ignored_and_a_duplicate_marked(
    chromium: Any,
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
) -> None:
    room = open_room(loop, server, facilitator, workshop)
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    expect(page.locator("#board .board-tile")).to_have_count(60)
    cards = room.cards()

    # On load, the possible duplicate is marked on the newer card of the pair.
    older, newer = cards[TWINS[0]]["id"], cards[TWINS[1]]["id"]
    mark = page.locator(f"#board-card-{newer} + .board-dup")
    # The first check loads the model and embeds all 60 cards; on a loaded machine (the model's
    # thread runs behind the room) that can take longer than a live update.
    expect(mark).to_contain_text("Mogelijk dubbel met: “" + TWINS[0][:30], timeout=90_000)
    merge = page.locator(f"#board-dup-merge-{newer}-{older}")
    expect(merge).to_have_text(re.compile("^Samenvoegen"))
    merge.click()
    dialog = page.locator("#board-merge-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(TWINS[0])
    expect(dialog).to_contain_text(TWINS[1])
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()

    # Ask the model. The explanation says what happens to the texts; a status line speaks.
    panel = page.locator("#board-suggest")
    expect(panel).to_contain_text("geen tekst de server uit")
    run = page.locator("#board-suggest-run")
    expect(run).to_have_text("Stel clusters voor")
    expect(page.locator("#board-suggest-status")).to_have_attribute("aria-live", "polite")
    run.click()
    items = page.locator(".board-suggest-item")
    expect(items.first).to_be_visible(timeout=30_000)
    expect(page.locator("#board-suggest-status")).to_contain_text("voorgesteld")
    count = items.count()
    assert count >= 2, count
    # Each suggestion lists its most central cards first, marked "kern".
    for item in items.all():
        expect(
            item.locator(".board-suggest-card").first.locator(".board-suggest-core")
        ).to_have_text("kern")
    accessible_panel(desk, "the suggested clusters and a duplicate mark")

    # The first suggestion: a new name, one card taken out, then taken over.
    first = items.first
    first.locator("input").fill(NAME)
    drops = first.locator("button[data-drop]")
    before = drops.count()
    assert before >= 2, before
    removed = int(drops.first.get_attribute("data-drop") or 0)
    drops.first.click()
    expect(drops).to_have_count(before - 1)
    expect(drops.first).to_be_focused()  # the next card's button, not the page's top
    kept = sorted(int(d.get_attribute("data-drop") or 0) for d in drops.all())
    core = [
        int(card.locator("button[data-drop]").get_attribute("data-drop") or 0)
        for card in first.locator(".board-suggest-card").all()
        if card.locator(".board-suggest-core").count()
    ]
    first.locator("button", has_text="Overnemen").click()
    expect(items).to_have_count(count - 1)

    clusters = room.clusters
    room.until(lambda: any(c["title"] == NAME for c in clusters().values()))
    made = next(cid for cid, c in clusters().items() if c["title"] == NAME)
    room.until(
        lambda: sorted(c["id"] for c in room.cards().values() if c["cluster_id"] == made) == kept
    )
    assert room.observer.state is not None
    assert room.observer.state["cards"][str(removed)]["cluster_id"] is None
    # In the log as an ordinary board step: the console's socket got cluster.created, then its cards.
    events = [m["event"] for m in room.facilitator.messages if m["type"] == "event"]
    created = [e for e in events if e["type"] == "cluster.created"]
    assert [e["cluster"]["title"] for e in created] == [NAME]
    assert room.facilitator.state is not None
    assert room.facilitator.state["clusters"][str(made)]["title"] == NAME
    # The core cards go with it: the board marks them, the projector's overview shows them first.
    assert room.facilitator.state["clusters"][str(made)]["core_card_ids"] == core
    assert core and removed not in core
    expect(page.locator("#board-undo-what")).to_have_text(re.compile(NAME))

    # Ignore the next one: it goes, nothing is sent, the focus moves on.
    ignored = items.first
    ignored_ids = [
        int(d.get_attribute("data-drop") or 0) for d in ignored.locator("button[data-drop]").all()
    ]
    ignored.locator("button", has_text="Negeren").click()
    expect(items).to_have_count(count - 2)
    state = room.observer.state
    assert ignored_ids and all(state["cards"][str(i)]["cluster_id"] is None for i in ignored_ids)
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("board-suggest-"), focused  # the next suggestion, or the button
    assert len(clusters()) == 1

    # The board's undo takes the accepted suggestion back like any other step.
    page.locator("#board-undo").click()
    room.until(lambda: made not in clusters())
    room.until(lambda: all(state["cards"][str(i)]["cluster_id"] is None for i in kept))

    # "Geen dubbel" dismisses the mark (for this browser session).
    page.locator(f"#board-dup-not-{newer}-{older}").click()
    expect(page.locator(f"#board-dup-merge-{newer}-{older}")).to_have_count(0)
    expect(page.locator(f"#board-card-{newer}")).to_be_focused()
    page.reload()
    page.wait_for_selector("#status[data-status=connected]")
    expect(page.locator("#board .board-tile")).to_have_count(60)
    expect(page.locator("#board-suggest")).to_have_attribute("data-pairs", re.compile(r"^[1-9]"))
    expect(page.locator(f"#board-card-{older}, #board-card-{newer}")).to_have_count(2)
    expect(page.locator(f"#board-dup-merge-{newer}-{older}")).to_have_count(0)
    # From the top: axe counts a button scrolled under the sticky toolbar as too small a target.
    page.evaluate("window.scrollTo(0, 0)")
    accessible_panel(desk, "after taking over, ignoring and dismissing")
    expect_clean(desk)
    room.close()


def test_without_the_model_the_button_explains_how_to_enable_it(
    chromium: Any, loop: Loop, make_server: Callable[..., Server]
) -> None:
    server = started_with_facilitator(make_server, ATELIER_SUGGESTIONS="false")
    facilitator = Facilitator(server, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
    trajectory = facilitator.post("/api/trajectories", {"theme": "Armoede in de wijk"})
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Start"}
    )

    async def to_clustering() -> None:
        desk = await facilitator_client(server, workshop, facilitator.cookie_header)
        await goto(desk, "clusteren")
        await desk.close()

    loop.run(to_clustering(), timeout=30)
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    run = page.locator("#board-suggest-run")
    expect(run).to_be_disabled()
    why = page.locator("#board-suggest-why")
    expect(why).to_be_visible()
    expect(why).to_have_text(
        re.compile("^Suggesties staan uit op deze server.*ATELIER_SUGGESTIONS=true")
    )
    expect(run).to_have_attribute("aria-describedby", re.compile("board-suggest-why"))
    accessible_panel(desk, "the panel without the model")
    expect_clean(desk)
    facilitator.close()


SEEDED = {"ontmoeting": "Alleen thuis", "geld": "Geldzorgen", "vervoer": "Bus en vervoer"}


def seeded_room(
    loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> tuple[Room, dict[str, int]]:
    """Three phones post eight cards of each of three themes and three of a fourth; in Clusteren
    the facilitator starts a cluster per theme with its first three cards."""

    async def setup() -> tuple[Room, dict[str, int]]:
        desk = await facilitator_client(server, workshop, facilitator.cookie_header)
        people = []
        for name, group in PEOPLE[:3]:
            joined = join(server, workshop["join_code"], name, group)
            people.append(
                await RoomClient.connect(
                    server.ws_url, workshop["id"], token=joined["token"], name=name
                )
            )
        await goto(desk, "factoren")
        texts = [*(t for theme in SEEDED for t in CARDS[theme][:8]), *CARDS["jeugdzorg"][:3]]
        ids = {}
        for index, text in enumerate(texts):
            ack = await people[index % 3].command("card.post", kind="factor", text=text)
            ids[text] = ack["result"]["card_id"]
        await goto(desk, "clusteren")
        clusters = {}
        for theme, title in SEEDED.items():
            made = await desk.command(
                "cluster.create", title=title, card_ids=[ids[t] for t in CARDS[theme][:3]]
            )
            clusters[title] = made["result"]["cluster_id"]
        await people[0].until_seq(desk.last_seq)
        return Room(loop, desk, people), clusters

    return loop.run(setup(), timeout=60)


def test_loose_cards_placed_with_one_tap_and_all_sure_ones_in_one_undoable_step(
    chromium: Any,
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
) -> None:
    room, clusters = seeded_room(loop, server, facilitator, workshop)
    titles = {cid: title for title, cid in clusters.items()}
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    expect(page.locator("#board-pool .board-tile")).to_have_count(18)
    expect(page.locator("#board-suggest")).to_have_attribute("data-placements", re.compile("."))
    buttons = page.locator("#board-pool .board-place")
    expect(buttons.first).to_be_visible()
    assert buttons.count() >= 3, buttons.count()
    expect(page.locator("#board-place-info")).to_contain_text("Het model stelt een cluster voor")

    # axe-core on the whole board, with the placement buttons shown (from the top: a button
    # scrolled under the sticky toolbar would count as too small a target).
    page.evaluate("window.scrollTo(0, 0)")
    desk.page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """tags => axe.run({include: [["#board"]]}, {runOnly: {type: "tag", values: tags}})""",
        WCAG_TAGS,
    )
    assert not [v["id"] for v in result["violations"]], result["violations"]

    def shown(button: Any) -> tuple[int, int]:
        return int(button.get_attribute("data-place")), int(button.get_attribute("data-place-to"))

    def cluster_of(card_id: int) -> int | None:
        state = room.observer.state
        assert state is not None
        return state["cards"][str(card_id)]["cluster_id"]

    # One tap: "→ <the facilitator's title>", named "Plaats in <title>" for a screen reader.
    first = buttons.first
    card, target = shown(first)
    expect(first).to_have_text("→ " + titles[target])
    expect(first).to_have_attribute("aria-label", re.compile("^Plaats in " + titles[target]))
    # Pressed while the room moves another card: the pool waits for the release, so the press
    # still clicks (docs/client.md, "the rule for a press").
    other, other_target = shown(buttons.last)
    first.hover()
    page.mouse.down()
    loop.run(room.facilitator.command("cluster.move", card_ids=[other], cluster_id=other_target))
    expect(page.locator(f"#board-clusters-body #board-card-{other}")).to_be_visible()
    page.evaluate(SETTLE)
    page.mouse.up()
    room.until(lambda: cluster_of(card) == target)
    expect(page.locator(f"#board-pool #board-card-{other}")).to_have_count(0)
    expect(page.locator(f"#board-place-{card}")).to_have_count(0)
    # The keyboard: the next card's button has the focus; Enter places that one too.
    focused = page.locator("#board-pool .board-place:focus")
    expect(focused).to_have_count(1)
    second, second_target = shown(focused)
    page.keyboard.press("Enter")
    room.until(lambda: cluster_of(second) == second_target)
    by_hand = {card: target, second: second_target}

    # "Plaats alle zekere": every sure placement, in one command.
    expect(page.locator(f"#board-place-{second}")).to_have_count(0)
    sure = dict(shown(b) for b in page.locator("#board-pool .board-place.is-sure").all())
    assert sure, "no sure placement among these cards: the step below would prove nothing"
    loose_before = [
        int(i) for i, c in room.observer.state["cards"].items() if c["cluster_id"] is None
    ]
    seq = room.facilitator.last_seq
    page.locator("#board-place-sure").click()
    room.until(lambda: all(cluster_of(i) == c for i, c in sure.items()))
    assert all(cluster_of(i) is None for i in loose_before if i not in sure)
    acks = [
        m
        for m in room.facilitator.messages
        if m["type"] == "event" and m["event"]["type"] == "card.updated" and m["seq"] > seq
    ]
    assert sorted(m["event"]["card"]["id"] for m in acks) == sorted(sure)
    expect(page.locator("#board-undo-what")).to_contain_text(str(len(sure)))

    # One undo takes the whole batch back to the pool; the cards placed by hand stay.
    page.locator("#board-undo").click()
    room.until(lambda: all(cluster_of(i) is None for i in sure))
    assert all(cluster_of(i) == c for i, c in {**by_hand, other: other_target}.items())
    expect(page.locator("#board-pool .board-tile")).to_have_count(15)
    expect_clean(desk)
    room.close()

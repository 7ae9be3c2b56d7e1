"""The clustering board on the console, in a real Chromium against a real server.

Thirty (or forty) cards are posted by ``websockets`` clients; the facilitator clusters them on the
board by mouse (real pointer drags) and by keyboard only, and a participant's socket checks what
the room got. Each test counts the facilitator's actions: the issue asks that clustering 30 cards
into 5 clusters takes well under one action per card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.realtime import helpers
from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console

pytestmark = pytest.mark.slow

T = TypeVar("T")

THEMES: dict[str, list[str]] = {
    "bus": [
        "Geen bus op zondag",
        "De bus naar het dorp rijdt maar twee keer per dag",
        "Buslijn 12 is opgeheven",
        "De bushalte is te ver lopen met een rollator",
        "Ouderen durven de bus niet meer in sinds de ov-chipkaart",
        "Met de bus naar het ziekenhuis kost een halve dag",
        "De buschauffeur wacht niet tot je zit",
        "Busvervoer op afroep moet je een dag vooraf bellen",
    ],
    "buurthuis": [
        "Het buurthuis is sinds 2023 dicht",
        "In het buurthuis was elke dinsdag koffie",
        "Vrijwilligers van het buurthuis zijn gestopt",
        "Het buurthuis heeft geen lift",
        "Zonder buurthuis zie je je buren niet meer",
        "Het nieuwe buurthuis ligt aan de rand van de wijk",
        "Activiteiten in het buurthuis zijn vooral voor jongeren",
        "De huur van het buurthuis is te hoog geworden",
    ],
    "geld": [
        "Weinig geld voor een uitje",
        "Een taxi is te duur als je weinig geld hebt",
        "Schaamte over geldzorgen houdt mensen thuis",
        "Geld voor de sportclub is er niet meer",
        "Het pensioen is laag en alles kost meer geld",
        "Gemeente bezuinigt op geld voor welzijn",
        "Geen geld voor een nieuwe telefoon",
        "Regelingen voor geld zijn moeilijk te vinden",
    ],
    "mantelzorg": [
        "Mantelzorg kost alle tijd van de partner",
        "Mantelzorgers raken zelf geïsoleerd",
        "Er is geen vervanging voor mantelzorg in de vakantie",
        "Mantelzorg wordt niet gezien door de gemeente",
        "Jonge mantelzorgers combineren zorg met school",
        "Mantelzorg valt weg als kinderen ver weg wonen",
        "Respijtzorg voor mantelzorg heeft een wachtlijst",
        "Mantelzorgers weten niet waar ze hulp vinden",
    ],
    "digitaal": [
        "Alles gaat digitaal en dat lukt niet",
        "Digitaal afspraken maken bij de huisarts is lastig",
        "Bankzaken alleen nog digitaal",
        "Kleinkinderen bellen alleen nog digitaal met video",
        "Digitaal formulier voor de regeling is te ingewikkeld",
        "Cursus digitaal vaardig is vol",
        "Het digitaal loket van de gemeente is niet te volgen",
        "Wie niet digitaal is, mist de nieuwsbrief",
    ],
}
PEOPLE = [*helpers.PEOPLE, ("Frits", "uitvoering")]


class Room:
    """The facilitator's and the participants' sockets, and the cards they posted, by text."""

    def __init__(self, loop: Loop, facilitator: RoomClient, people: list[RoomClient]) -> None:
        self.loop = loop
        self.facilitator = facilitator
        self.people = people
        self.observer = people[0]

    def cards(self) -> dict[str, dict[str, Any]]:
        assert self.observer.state is not None
        return {c["text"]: c for c in self.observer.state["cards"].values()}

    def clusters(self) -> dict[int, dict[str, Any]]:
        assert self.observer.state is not None
        return {int(k): v for k, v in self.observer.state["clusters"].items()}

    def until(self, check: Callable[[], object], timeout: float = 15) -> None:
        """Wait until the observer's state (built from the events it got) passes ``check``."""
        self.loop.run(
            self.observer.wait_for(lambda _m: bool(check()), timeout=timeout), timeout + 5
        )

    def grouped(self) -> list[set[str]]:
        """The cards' texts per cluster, as the room sees them."""
        groups: dict[int, set[str]] = {}
        for text, card in self.cards().items():
            if card["cluster_id"] is not None and card["merged_into_id"] is None:
                groups.setdefault(card["cluster_id"], set()).add(text)
        return sorted(groups.values(), key=lambda g: sorted(g))

    def close(self) -> None:
        for client in [self.facilitator, *self.people]:
            self.loop.run(client.close())


def open_room(
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    per_theme: int,
    *,
    participants_cluster: bool = False,
) -> Room:
    """Six named participants post ``per_theme`` cards per theme (factors and consequences,
    mixed), then the room moves on to Clusteren."""

    async def setup() -> Room:
        desk = await facilitator_client(server, workshop, facilitator.cookie_header)
        if participants_cluster:
            settings = {**desk.state["workshop"]["settings"], "participants_cluster": True}  # type: ignore[index]
            await desk.command("workshop.configure", settings=settings)
        people = await participant_clients(server, workshop, PEOPLE)
        texts = [(theme, text) for theme, lines in THEMES.items() for text in lines[:per_theme]]
        for phase, kind in (("factoren", "factor"), ("consequenties", "consequentie")):
            await goto(desk, phase)
            for index, (_theme, text) in enumerate(texts):
                if (index % 2 == 0) != (kind == "factor"):
                    continue
                extra = {"world": "leefwereld"} if kind == "consequentie" else {}
                await people[index % len(people)].command(
                    "card.post", kind=kind, text=text, **extra
                )
        await goto(desk, "clusteren")
        await people[0].until_seq(desk.last_seq)
        return Room(loop, desk, people)

    return loop.run(setup(), timeout=60)


class Actions:
    """The facilitator's hands: every click, fill, key press and drag counts as one action."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0
        self.typed = 0  # characters

    def done(self) -> None:
        self.count += 1

    def click(self, target: Locator, **options: Any) -> None:
        target.click(**options)
        self.done()

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.typed += len(text)
        self.done()

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.done()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)
        self.done()

    def drag(self, source: Locator, target: Locator, lands: str) -> None:
        """A real pointer drag: press, move in steps, release over the target (both in view). As
        a hand does, it looks whether the ghost says ``lands`` (where the drop goes) before
        letting go, and moves onto the target again when a live update shifted the board."""
        self.page.evaluate("document.getElementById('board').scrollIntoView()")
        start = laid_out(source)
        x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + 10, y + 10, steps=3)
        for _ in range(3):
            end = laid_out(target)
            self.page.mouse.move(
                end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40), steps=10
            )
            try:
                expect(self.page.locator(".board-ghost")).to_contain_text(lands, timeout=3_000)
                break
            except AssertionError:
                continue
        self.page.mouse.up()
        self.done()


def laid_out(locator: Locator) -> dict[str, float]:
    """Where ``locator`` is on screen, asked again while the board redraws it (on a busy machine
    a live update can replace the element between finding it and measuring it)."""
    for _ in range(40):
        found = locator.bounding_box()
        if found:
            return found
        locator.page.wait_for_timeout(25)
    raise AssertionError(f"{locator} is not on the screen")


def in_view(locator: Locator) -> None:
    """Scroll ``locator`` into view, asked again when the board redrew it meanwhile (Playwright
    gives up on an element detached mid-scroll)."""
    for attempt in range(20):
        try:
            locator.scroll_into_view_if_needed(timeout=2_000)
            return
        except PlaywrightError:
            if attempt == 19:
                raise
            locator.page.wait_for_timeout(25)


def tile(page: Page, text: str) -> Locator:
    return page.locator("#board .board-tile", has_text=text)


def cluster_box(page: Page, title: str) -> Locator:
    return page.locator("#board .board-cluster").filter(
        has=page.locator(".board-cluster-title", has_text=title)
    )


def expect_clean(desk: Watched) -> None:
    assert not desk.problems, desk.problems


def test_thirty_cards_into_five_clusters_by_mouse(
    chromium: Any,
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
) -> None:
    room = open_room(loop, server, facilitator, workshop, 6, participants_cluster=True)
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    expect(page.locator("#board .board-tile")).to_have_count(30)
    # The whole board in view, with room for the clusters it grows while we work.
    tall = page.evaluate("document.getElementById('board').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": 1366, "height": max(2600, int(tall) + 1200)})
    hands = Actions(page)
    search = page.locator("#board-filter")

    # Four themes by search: type the word, "Select all shown", "New cluster from selection".
    for word in ("bus", "buurthuis", "geld", "mantelzorg"):
        hands.fill(search, word)
        hands.click(page.locator("#board-select-shown"))
        hands.click(page.locator("#board-new"))
        expect(cluster_box(page, word.capitalize()).locator(".board-tile")).to_have_count(6)

    # The fifth by dragging: one card onto "new cluster" makes a cluster of it (a card dropped on
    # another card does nothing); then the other five, selected by a click and a shift-click,
    # dragged onto it together.
    hands.fill(search, "")
    digitaal = THEMES["digitaal"][:6]
    pool = page.locator("#board .board-pool .board-tile")
    page.evaluate("document.getElementById('board').scrollIntoView()")
    hands.drag(tile(page, digitaal[1]), tile(page, digitaal[0]), "er gebeurt niets")
    expect(page.locator("#board-note")).to_contain_text("staan daar al")
    expect(pool).to_have_count(6)
    expect(page.locator("#board .board-cluster")).to_have_count(4)
    hands.count -= 1  # the test's own check, not the facilitator's work
    hands.drag(tile(page, digitaal[0]), page.locator("#board-new-zone"), "→ Een nieuw cluster")
    fifth = cluster_box(page, digitaal[0])
    expect(fifth.locator(".board-tile")).to_have_count(1)
    expect(pool).to_have_count(5)
    hands.click(pool.first)
    hands.click(pool.last, modifiers=["Shift"])
    expect(page.locator("#board-selection")).to_have_text("5 kaarten geselecteerd")
    hands.drag(pool.first, fifth, f"→ {digitaal[0][:40]}")
    expect(fifth.locator(".board-tile")).to_have_count(6)
    actions = hands.count
    print(f"\nclustering 30 cards into 5 clusters by mouse: {actions} actions")
    assert actions <= 18, actions  # well under one per card

    # The room got it: five clusters of six, by theme.
    expected = sorted((set(lines[:6]) for lines in THEMES.values()), key=lambda g: sorted(g))
    room.until(lambda: room.grouped() == expected)
    expect(page.locator("#board .board-pool .board-tile")).to_have_count(0)

    # Inline rename: click the title, type, Enter. Escape cancels.
    page.locator(f"#board .board-title:has-text('{digitaal[0]}')").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Digitaal")
    page.keyboard.press("Enter")
    expect(cluster_box(page, "Digitaal")).to_have_count(1)
    room.until(lambda: "Digitaal" in {c["title"] for c in room.clusters().values()})
    page.locator("#board .board-title:has-text('Digitaal')").click()
    page.keyboard.type("weg ermee")
    page.keyboard.press("Escape")
    expect(page.locator("#board .board-title:has-text('Digitaal')")).to_be_focused()

    # A tag, with its meaning one tap away.
    bus = cluster_box(page, "Bus")
    bus.locator("button.board-tag", has_text="Angel").click()
    expect(bus.locator("button.board-tag", has_text="Angel")).to_have_attribute(
        "aria-pressed", "true"
    )
    room.until(lambda: any(c["tags"] == ["angel"] for c in room.clusters().values()))
    page.locator(".board-legend .glossary-toggle[data-term=angel]").click()
    expect(page.locator("#board-help-angel")).to_be_visible()

    # Drag one card out to the pool and undo it (the button, then Ctrl+Z for the tag).
    card = THEMES["geld"][0]
    page.locator("#board-filter").fill("")
    hands.drag(tile(page, card), page.locator("#board .board-pool"), "→ Niet in een cluster")
    room.until(lambda: room.cards()[card]["cluster_id"] is None)
    page.locator("#board-undo").click()
    room.until(lambda: room.cards()[card]["cluster_id"] is not None)
    expect(cluster_box(page, "Geld").locator(".board-tile")).to_have_count(6)
    page.locator("#board-title").click()  # focus out of any field: Ctrl+Z is the board's
    page.keyboard.press("Control+z")
    room.until(lambda: all(c["tags"] == [] for c in room.clusters().values()))

    # Merge two duplicates: the dialog shows both texts and their authors; undo separates them.
    first, second = THEMES["bus"][0], THEMES["bus"][2]  # both factors
    tile(page, first).click()
    tile(page, second).click()
    page.locator("#board-merge").click()
    dialog = page.locator("#board-merge-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(first)
    expect(dialog).to_contain_text(second)
    expect(dialog).to_contain_text("door Annie")  # posted by the first participant
    desk.accessible("the merge dialog")
    dialog.locator("button[value=merge]").click()
    room.until(lambda: room.cards()[second]["merged_into_id"] == room.cards()[first]["id"])
    expect(tile(page, second)).to_have_count(0)
    page.locator("#board-undo").click()
    room.until(lambda: room.cards()[second]["merged_into_id"] is None)
    expect(tile(page, second)).to_have_count(1)

    # A phone suggests a card belongs with a cluster; the console accepts it.
    loose = THEMES["digitaal"][6 - 1]
    hands.drag(tile(page, loose), page.locator("#board .board-pool"), "→ Niet in een cluster")
    room.until(lambda: room.cards()[loose]["cluster_id"] is None)
    target = next(cid for cid, c in room.clusters().items() if c["title"] == "Digitaal")
    phone = room.people[3]
    card_id = room.cards()[loose]["id"]
    suggestion = loop.run(
        phone.command("suggestion.make", card_id=card_id, target={"kind": "cluster", "id": target})
    )
    assert suggestion["result"]["suggestion_id"]
    inbox = page.locator("#board-inbox")
    expect(inbox).to_contain_text(loose)
    expect(inbox).to_contain_text("(1 telefoon)")
    desk.accessible("board with suggestions and a selection")
    inbox.locator("button", has_text="Accepteren").click()
    room.until(lambda: room.cards()[loose]["cluster_id"] == target)
    expect(inbox).to_be_empty()
    expect(cluster_box(page, "Digitaal").locator(".board-tile")).to_have_count(6)
    desk.accessible("board after live updates")
    expect_clean(desk)
    room.close()


def test_forty_cards_into_five_clusters_by_keyboard_only(
    chromium: Any,
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
) -> None:
    room = open_room(loop, server, facilitator, workshop, 8)
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    expect(page.locator("#board .board-tile")).to_have_count(40)
    keys = Actions(page)

    # Start at the search box (Tab from the page's top reaches it; we skip the walk there).
    page.locator("#board-filter").focus()
    for word in ("bus", "buurthuis", "geld", "mantelzorg"):
        keys.press("Control+A")
        keys.type(word)
        keys.press("Enter")  # selects all shown
        keys.press("Tab")  # "Select all shown"
        keys.press("Tab")  # "New cluster from selection"
        keys.press("Enter")
        expect(cluster_box(page, word.capitalize()).locator(".board-tile")).to_have_count(8)
        keys.press("Shift+Tab")
        keys.press("Shift+Tab")
        expect(page.locator("#board-filter")).to_be_focused()
    keys.press("Control+A")
    keys.type("digitaal")
    keys.press("Enter")
    # The single-pointer alternative to a drag: "Move selection to" a new cluster.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#board-move-to")).to_be_focused()
    keys.count += 3
    options = page.locator("#board-move-to option")
    new_index = [o.get_attribute("value") for o in options.all()].index("new")
    for _ in range(new_index):
        keys.press("ArrowDown")
    expect(page.locator("#board-move-to")).to_have_value("new")
    keys.press("Tab")
    keys.press("Enter")
    expect(cluster_box(page, "Digitaal").locator(".board-tile")).to_have_count(8)
    print(f"\nclustering 40 cards into 5 clusters by keyboard: {keys.count} key presses")
    expected = sorted((set(lines) for lines in THEMES.values()), key=lambda g: sorted(g))
    room.until(lambda: room.grouped() == expected)

    # One card by keyboard: Tab to its tile, Space selects, "m" jumps to "Move selection to".
    page.locator("#board-filter").focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    card = THEMES["bus"][7]
    target = page.locator(f"#board-card-{room.cards()[card]['id']}")
    target.focus()
    page.keyboard.press("Space")
    expect(target).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("m")
    expect(page.locator("#board-move-to")).to_be_focused()
    page.keyboard.press("End")  # the last option: "Not in a cluster"
    expect(page.locator("#board-move-to")).to_have_value("pool")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    room.until(lambda: room.cards()[card]["cluster_id"] is None)
    expect(page.locator("#board .board-pool .board-tile")).to_have_count(1)

    # Escape clears a selection; Ctrl+Z undoes the last steps, one by one.
    target = page.locator(f"#board-card-{room.cards()[card]['id']}")
    target.focus()
    page.keyboard.press("Space")
    expect(page.locator("#board-selection")).to_have_text("1 kaart geselecteerd")
    page.keyboard.press("Escape")
    expect(page.locator("#board-selection")).to_have_text("0 kaarten geselecteerd")
    page.keyboard.press("Control+z")
    room.until(lambda: room.cards()[card]["cluster_id"] is not None)
    page.keyboard.press("Control+z")
    room.until(lambda: all(room.cards()[t]["cluster_id"] is None for t in THEMES["digitaal"]))
    expect(page.locator("#board .board-cluster")).to_have_count(4)

    # Rename by keyboard: the title is a button; Enter opens the field, Enter saves.
    title = page.locator("#board .board-title", has_text="Geld")
    title.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("Geldzorgen")
    page.keyboard.press("Enter")
    room.until(lambda: "Geldzorgen" in {c["title"] for c in room.clusters().values()})
    expect(page.locator("#board .board-title", has_text="Geldzorgen")).to_be_focused()

    # Redo the fifth cluster for the screenshot: about forty cards in five clusters.
    page.locator("#board-filter").fill("digitaal")
    page.locator("#board-select-shown").click()
    page.locator("#board-new").click()
    page.locator("#board-filter").fill("")
    expect(page.locator("#board .board-cluster")).to_have_count(5)
    cluster_box(page, "Bus").locator("button.board-tag", has_text="Angel").click()
    cluster_box(page, "Mantelzorg").locator("button.board-tag", has_text="Hefboom").click()
    cluster_box(page, "Buurthuis").locator("button.board-tag", has_text="Kiem").click()
    expect(page.locator("#board button.board-tag[aria-pressed=true]")).to_have_count(3)
    page.locator("#board").screenshot()  # drawn (the README's board is test_board_at_size's)
    desk.accessible("board, keyboard")
    expect_clean(desk)
    room.close()


def touch_drag(page: Page, source: Locator, target: Locator) -> None:
    """A finger on ``source`` (a tile's grip), moved in steps and lifted over ``target``: touch
    events through the DevTools protocol, as a touch screen sends them."""
    in_view(source)  # within its list, as a finger's swipe would
    cdp = page.context.new_cdp_session(page)
    start, end = laid_out(source), laid_out(target)
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 40)

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for step in range(1, 13):
        touch("touchMove", x0 + (x1 - x0) * step / 12, y0 + (y1 - y0) * step / 12)
    page.wait_for_timeout(100)
    touch("touchEnd", x1, y1)
    cdp.detach()


def test_a_finger_drags_by_the_grip_and_taps_to_select(
    chromium: Any,
    loop: Loop,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
) -> None:
    """On a touch screen a tile moves by its grip (⠿); a tap on its text selects it, and a swipe
    over the text leaves the card where it is (the board scrolls instead)."""
    room = open_room(loop, server, facilitator, workshop, 2)
    bus = [room.cards()[text]["id"] for text in THEMES["bus"][:1]]
    loop.run(room.facilitator.command("cluster.create", title="Bus", card_ids=bus))
    desk = console(chromium, server, facilitator, workshop, touch=True)
    page = desk.page
    expect(cluster_box(page, "Bus")).to_have_count(1)
    page.evaluate("document.getElementById('board').scrollIntoView()")

    second = THEMES["bus"][1]
    grip = tile(page, second).locator(".board-grip")
    touch_drag(page, grip, cluster_box(page, "Bus"))
    room.until(lambda: room.cards()[second]["cluster_id"] is not None)
    expect(cluster_box(page, "Bus").locator(".board-tile")).to_have_count(2)

    loose = THEMES["geld"][0]
    touch_drag(page, tile(page, loose).locator(".board-text"), cluster_box(page, "Bus"))
    page.wait_for_timeout(300)
    assert room.cards()[loose]["cluster_id"] is None  # a swipe over the text is not a drag

    in_view(tile(page, loose))
    text = laid_out(tile(page, loose).locator(".board-text"))
    page.touchscreen.tap(text["x"] + 10, text["y"] + text["height"] / 2)
    expect(tile(page, loose)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#board-selection")).to_have_text("1 kaart geselecteerd")
    expect_clean(desk)
    room.close()

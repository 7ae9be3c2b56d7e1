"""The clustering board at real size: 200 realistic Dutch cards on a laptop, in a real Chromium.

The cards (tests/support/board_cards.py) are posted by ``websockets`` clients; the clustering goes
through the board, counted as tests/web/test_board.py counts (a click, a fill, a key press, a
typed string and a drag are one action each). The issue's goals: at most 0.5 actions per card by
mouse and 1.2 key presses per card by keyboard into about ten clusters, the console page never
taller than twice its viewport, and live updates that never drop a drag, a selection, the focus
or a list's scroll position.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.support.board_cards import CARDS, THEMES
from tests.support.client import Rejected, RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console
from tests.web.test_board import PEOPLE, Actions

pytestmark = pytest.mark.slow

THEME_OF = {text: theme for theme, text in CARDS}


class Room:
    def __init__(self, loop: Loop, desk: RoomClient, people: list[RoomClient]) -> None:
        self.loop, self.desk, self.people = loop, desk, people

    def state(self) -> dict[str, Any]:
        assert self.desk.state is not None
        return self.desk.state

    def cards(self) -> dict[str, dict[str, Any]]:
        return {c["text"]: c for c in self.state()["cards"].values()}

    def until(self, check: Any, timeout: float = 15) -> None:
        self.loop.run(self.desk.wait_for(lambda _m: bool(check()), timeout=timeout), timeout + 5)

    def close(self) -> None:
        for client in [self.desk, *self.people]:
            self.loop.run(client.close())


def open_room(
    loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> Room:
    """Six participants post the 200 cards (factors and consequences), then Clusteren; phones may
    suggest where cards belong."""

    async def setup() -> Room:
        desk = await facilitator_client(server, workshop, facilitator.cookie_header)
        settings = {**desk.state["workshop"]["settings"], "participants_cluster": True}  # type: ignore[index]
        await desk.command("workshop.configure", settings=settings)
        people = await participant_clients(server, workshop, PEOPLE)
        for phase, kind in (("factoren", "factor"), ("consequenties", "consequentie")):
            await goto(desk, phase)
            mine = [
                text
                for index, (_t, text) in enumerate(CARDS)
                if (index % 2 == 0) == (kind == "factor")
            ]
            extra = {"world": "leefwereld"} if kind == "consequentie" else {}

            async def post(
                person: RoomClient, texts: list[str], kind: str, extra: dict[str, str]
            ) -> None:
                for text in texts:
                    while True:  # a phone that posts this fast is told to slow down
                        try:
                            await person.command("card.post", kind=kind, text=text, **extra)
                            break
                        except Rejected as refused:
                            assert "rate_limited" in str(refused), refused
                            await asyncio.sleep(0.3)

            await asyncio.gather(
                *(post(p, mine[i :: len(people)], kind, extra) for i, p in enumerate(people))
            )
        await goto(desk, "clusteren")
        return Room(loop, desk, people)

    return loop.run(setup(), timeout=120)


class Hands(Actions):
    """The facilitator's actions, counted as tests/web/test_board.py counts them; and the console
    page's height after each."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.tallest = 0

    def done(self) -> None:
        super().done()
        self.tallest = max(
            self.tallest, self.page.evaluate("document.documentElement.scrollHeight")
        )

    def drag_onto_cluster(self, source: Locator, target: Locator, title: str) -> float:
        """A real pointer drag onto the cluster ``title``; when it is out of its list's view, the
        pointer waits at the list's edge until auto-scroll brings it in. As a hand does, it looks
        whether the ghost names the cluster before letting go, and moves on to it again when a live
        update shifted the board under it. Returns the seconds the pointer waited at the edge."""
        # The wheel over the pool, not counted. Found by id in the same task: a handle to the
        # tile could be one the board has just redrawn (detached, in no list).
        self.page.evaluate(
            "id => { const el = document.getElementById(id), a = el.closest('.board-scroll'),"
            " r = el.getBoundingClientRect(), b = a.getBoundingClientRect();"
            " if (r.top < b.top || r.bottom > b.bottom) a.scrollTop += r.top - b.top - 20; }",
            source.get_attribute("id"),
        )
        start = box(source)
        x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + 12, y + 12, steps=3)
        waited = 0.0
        ghost = self.page.locator(".board-ghost")
        for _ in range(3):
            waited += self.reach(target)
            try:
                expect(ghost).to_contain_text(f"→ {title}", timeout=3_000)
                break
            except AssertionError:
                continue
        self.page.mouse.up()
        self.done()
        return waited

    def reach(self, target: Locator) -> float:
        """Bring the pointer (dragging) over ``target`` in the clusters' column: first to the
        column's edge until auto-scroll brings the target in view, then onto it."""
        calm = 80  # px from the list's edges: outside the band where it scrolls along
        column = self.page.locator("#board-clusters-body")
        began, waited = time.monotonic(), 0.0
        while True:
            area, end = box(column), box(target)
            low, high = area["y"] + calm, area["y"] + area["height"] - calm
            top, bottom = max(end["y"], low), min(end["y"] + end["height"], high)
            if bottom - top >= 16 or time.monotonic() - began > 20:
                break
            edge = area["y"] + area["height"] - 6 if end["y"] > area["y"] else area["y"] + 6
            self.page.mouse.move(area["x"] + area["width"] / 2, edge, steps=2)
            self.page.wait_for_timeout(30)
            waited = time.monotonic() - began
        self.page.mouse.move(area["x"] + area["width"] / 2, (low + high) / 2, steps=2)  # stop
        end = box(target)
        top, bottom = max(end["y"], low), min(end["y"] + end["height"], high)
        self.page.mouse.move(end["x"] + end["width"] / 2, (top + bottom) / 2, steps=3)
        return waited


def box(locator: Locator) -> dict[str, float]:
    """Where ``locator`` is; asked again when the board redrew it between finding and measuring."""
    for _ in range(20):
        found = locator.bounding_box()
        if found:
            return found
        locator.page.wait_for_timeout(25)
    assert found, locator
    return found


def selected_texts(page: Page) -> list[tuple[int, str]]:
    """(card id, text) of each selected tile, in the board's order."""
    return page.eval_on_selector_all(
        "#board-lists .board-tile[aria-pressed=true]",
        "els => els.map(e => [Number(e.dataset.cardId), e.querySelector('.board-text').textContent])",
    )


def title_for(theme_query: str) -> str:
    first = theme_query.split(",")[0].strip()
    return first[0].upper() + first[1:]


def cluster_box(page: Page, title: str) -> Locator:
    return page.locator("#board .board-cluster").filter(
        has=page.locator(".board-title", has_text=title)
    )


def show_board(desk: Watched, width: int, height: int) -> Page:
    page = desk.page
    page.set_viewport_size({"width": width, "height": height})
    expect(page.locator("#board .board-tile")).to_have_count(200)
    assert page.evaluate("scrollY") == 0  # the whole board is in view as the page opens
    return page


def check_fit(page: Page) -> None:
    """The board is one screen: pool and clusters side by side, every list within the window."""
    inner = page.evaluate("innerHeight")
    board, pool, side = (box(page.locator(s)) for s in ("#board", "#board-pool", ".board-side"))
    assert board["height"] <= inner, (board, inner)
    assert pool["x"] + pool["width"] <= side["x"], "pool and clusters side by side"
    for part in (pool, side):
        assert part["y"] >= 0 and part["y"] + part["height"] <= inner + 1, (part, inner)
        assert part["height"] >= 220, part


def grouped_by_theme(room: Room) -> bool:
    """Every card in a cluster, and each cluster holds one theme's cards only."""
    themes: dict[int, set[str]] = {}
    for text, card in room.cards().items():
        if card["merged_into_id"] is not None or card["hidden"]:
            continue
        if card["cluster_id"] is None:
            return False
        themes.setdefault(card["cluster_id"], set()).add(THEME_OF[text])
    return len(themes) == len(THEMES) and all(len(t) == 1 for t in themes.values())


@pytest.mark.own_server(ATELIER_SUGGESTIONS="false")  # the model's checks time out under CI load
def test_two_hundred_cards_by_mouse_on_a_laptop(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    room = open_room(loop, server, facilitator, workshop)
    desk = console(chromium, server, facilitator, workshop)
    page = show_board(desk, 1280, 800)
    check_fit(page)
    page = show_board(desk, 1440, 900)
    check_fit(page)
    expect(page.locator("#board")).to_have_class("board is-compact")
    hands = Hands(page)
    search = page.locator("#board-filter")

    # A drop outside the pool, a cluster or "new cluster" does nothing.
    first = page.locator("#board-pool .board-tile").first
    start = box(first)
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 30, steps=3)
    page.mouse.move(200, box(page.locator("#board-title"))["y"] + 5, steps=5)
    expect(page.locator(".board-ghost")).to_contain_text("er gebeurt niets")
    page.mouse.up()
    expect(page.locator("#board-note")).to_contain_text("niets verplaatst")
    expect(page.locator("#board-clusters-body .board-cluster")).to_have_count(0)

    # Each theme: type what it is about, "Select all shown" (the loose cards), click off the
    # cards of other themes the search caught, "New cluster from selection".
    made: dict[str, str] = {}
    for theme in THEMES:
        hands.fill(search, theme.query)
        hands.click(page.locator("#board-select-shown"))
        for card_id, text in selected_texts(page):
            if THEME_OF[text] != theme.title:
                hands.click(page.locator(f"#board-card-{card_id}"))
        hands.click(page.locator("#board-new"))
        made[theme.title] = title_for(theme.query)
        expect(cluster_box(page, made[theme.title])).to_have_count(1)
    hands.fill(search, "")
    by_search = hands.count
    page.evaluate("scrollTo(0, 0)")
    desk.screenshot("console-board.png")  # the README's: ten clusters, the rest still loose

    # What is left in the pool goes by hand: a drag onto its cluster, auto-scrolling the
    # clusters' column when the cluster is out of its view.
    expect(page.locator("#board-pool .board-tile")).not_to_have_count(200)
    waited = 0.0
    for text, card in room.cards().items():
        if card["cluster_id"] is None:
            tile = page.locator(f"#board-card-{card['id']}")
            title = made[THEME_OF[text]]
            waited += hands.drag_onto_cluster(tile, cluster_box(page, title), title)
            expect(page.locator(f"#board-pool #board-card-{card['id']}")).to_have_count(0)
    room.until(lambda: grouped_by_theme(room))
    per_card = hands.count / len(CARDS)
    print(
        f"\n200 cards into {len(THEMES)} clusters by mouse: {hands.count} actions"
        f" ({by_search} by search, {hands.count - by_search} by drag), {per_card:.2f} per card,"
        f" {hands.typed} characters typed; page at most {hands.tallest} px tall (viewport 900);"
        f" {waited:.1f} s waiting on auto-scroll"
    )
    assert per_card <= 0.5, hands.count
    page.evaluate("scrollTo(0, 0)")
    check_fit(page)
    assert hands.tallest <= 2 * 900, hands.tallest

    # Auto-scroll keeps going: held near the clusters column's bottom edge, the list scrolls on by
    # itself (its speed, well over 1000 px/s on a quiet machine, is printed, not asserted: under a
    # loaded CI the frames come late, and a timed assertion measures the machine, not the board).
    body = page.locator("#board-clusters-body")
    body.evaluate("el => { el.scrollTop = 0; }")
    tile = page.locator("#board-clusters-body .board-tile").first
    start = box(tile)
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 30, steps=3)
    area = box(body)
    page.mouse.move(area["x"] + 50, area["y"] + area["height"] - 4, steps=3)
    before, began = body.evaluate("el => el.scrollTop"), time.monotonic()
    bottom = body.evaluate("el => el.scrollHeight - el.clientHeight")
    goal = min(before + 400, bottom - 2)
    page.wait_for_function(
        "([el, goal]) => el.scrollTop >= goal", arg=[body.element_handle(), goal], timeout=10_000
    )
    after, took = body.evaluate("el => el.scrollTop"), time.monotonic() - began
    page.keyboard.press("Escape")  # ends the drag where it began
    page.mouse.up()
    print(f"auto-scroll at the edge: {(after - before) / took:.0f} px/s")

    # Folded, every cluster is its name and count: all ten in view at once.
    page.locator("#board-fold-all").click()
    expect(page.locator("#board-clusters-body .board-tile")).to_have_count(0)
    expect(page.locator("#board-clusters-body .board-count").first).to_have_text("20 kaarten")
    for title in made.values():
        expect(cluster_box(page, title)).to_be_in_viewport()
    expect(page.locator("#board-fold-all")).to_have_text("Alle clusters uitklappen")
    page.locator("#board-fold-all").click()

    desk.accessible("the board with 200 cards in ten clusters")
    assert not desk.problems, desk.problems
    room.close()


@pytest.mark.own_server(ATELIER_SUGGESTIONS="false")  # the model's checks time out under CI load
def test_two_hundred_cards_by_keyboard(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    room = open_room(loop, server, facilitator, workshop)
    desk = console(chromium, server, facilitator, workshop)
    page = show_board(desk, 1440, 900)
    keys = Hands(page)
    page.locator("#board-compact").focus()  # on the board, outside a field (the walk there skipped)
    made: dict[str, str] = {}
    for theme in THEMES:
        keys.press("/")  # to the search box, its text selected
        keys.type(theme.query)
        keys.press("Enter")  # selects the loose cards shown
        others = [cid for cid, text in selected_texts(page) if THEME_OF[text] != theme.title]
        if others:
            # Down into the cards shown, Space takes each stray one off, "m" → "Een nieuw cluster".
            order = page.eval_on_selector_all(
                "#board-lists .board-tile", "els => els.map(e => Number(e.dataset.cardId))"
            )
            keys.press("ArrowDown")
            at = 0
            for card_id in others:
                for _ in range(order.index(card_id) - at):
                    keys.press("ArrowRight")
                at = order.index(card_id)
                keys.press("Space")
            keys.press("m")
            expect(page.locator("#board-move-to")).to_be_focused()
            keys.type("Een nieuw")
            expect(page.locator("#board-move-to")).to_have_value("new")
            keys.press("Enter")
        else:
            keys.press("Tab")  # "Select all shown"
            keys.press("Tab")  # "New cluster from selection"
            keys.press("Enter")
        made[theme.title] = title_for(theme.query)
        expect(cluster_box(page, made[theme.title])).to_have_count(1)
    by_search = keys.count

    # The rest: empty the search, down to the first loose card; Space, "m", the cluster's name,
    # Enter; the keyboard comes back to the next loose card.
    keys.press("/")
    keys.press("Backspace")
    keys.press("ArrowDown")
    while True:
        focused = page.evaluate("document.activeElement.dataset.cardId || null")
        loose = {c["id"]: t for t, c in room.cards().items() if c["cluster_id"] is None}
        if not loose:
            break
        assert focused is not None and int(focused) in loose, (focused, loose)
        keys.press("Space")
        keys.press("m")
        keys.type(made[THEME_OF[loose[int(focused)]]])
        keys.press("Enter")
        room.until(
            lambda cid=int(focused): room.state()["cards"][str(cid)]["cluster_id"] is not None
        )
        expect(page.locator(f"#board-pool #board-card-{focused}")).to_have_count(0)
    room.until(lambda: grouped_by_theme(room))
    per_card = keys.count / len(CARDS)
    print(
        f"\n200 cards into {len(THEMES)} clusters by keyboard: {keys.count} key presses"
        f" ({by_search} by search, {keys.count - by_search} card by card), {per_card:.2f} per card,"
        f" {keys.typed} characters typed; page at most {keys.tallest} px tall (viewport 900)"
    )
    assert per_card <= 1.2, keys.count
    assert keys.tallest <= 2 * 900, keys.tallest
    assert not desk.problems, desk.problems
    room.close()


def test_live_updates_keep_the_drag_selection_focus_and_scroll(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> None:
    room = open_room(loop, server, facilitator, workshop)
    cards = room.cards()
    texts = [text for theme, text in CARDS if theme == "Vervoer"]
    made = loop.run(
        room.desk.command(
            "cluster.create", title="Vervoer", card_ids=[cards[t]["id"] for t in texts[:5]]
        )
    )
    target = made["result"]["cluster_id"]
    for theme in ("Mantelzorg", "Wonen", "Digitaal"):  # enough clusters that their column scrolls
        loop.run(
            room.desk.command(
                "cluster.create",
                title=theme,
                card_ids=[cards[t]["id"] for th, t in CARDS if th == theme][:8],
            )
        )
    desk = console(chromium, server, facilitator, workshop)
    page = show_board(desk, 1440, 900)
    expect(cluster_box(page, "Vervoer")).to_have_count(1)

    # The facilitator scrolls the pool, selects two cards and starts dragging them.
    pool = page.locator("#board-pool-body")
    pool.evaluate("el => { el.scrollTop = 600; }")
    in_view = page.eval_on_selector_all(
        "#board-pool-body .board-tile",
        """els => { const area = document.getElementById('board-pool-body').getBoundingClientRect();
          return els.filter(e => { const r = e.getBoundingClientRect(); return r.top > area.top && r.bottom < area.bottom; })
            .map(e => [Number(e.dataset.cardId), e.querySelector('.board-text').textContent]); }""",
    )
    picked = [cid for cid, text in in_view if THEME_OF[text] not in ("Geldzorgen", "Vervoer")][:2]
    picks = [page.locator(f"#board-card-{cid}") for cid in picked]
    for pick in picks:
        pick.click()
    expect(page.locator("#board-selection")).to_have_text("2 kaarten geselecteerd")
    start = box(picks[1])
    page.mouse.move(start["x"] + 30, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 60, start["y"] + 40, steps=4)
    expect(page.locator(".board-ghost")).to_contain_text("2 kaarten")
    # The pointer rests mid-pool (away from the edges, where the list would scroll along).
    middle = box(pool)
    page.mouse.move(middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2, steps=3)
    page.wait_for_timeout(100)
    scroll = pool.evaluate("el => el.scrollTop")
    sides = page.locator("#board-clusters-body").evaluate(
        "el => { el.scrollTop = 40; return el.scrollTop; }"
    )
    assert sides == 40, "the clusters' column scrolls"
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"board-card-{picked[1]}", focused

    # Meanwhile: a second console merges two duplicates, makes and renames a cluster and hides a
    # card; phones suggest where cards belong.
    others = [text for theme, text in CARDS if theme == "Geldzorgen"]
    fresh = [cards[t]["id"] for t in others]

    async def live() -> None:
        second = await facilitator_client(server, workshop, facilitator.cookie_header)
        await second.command("card.merge", card_id=fresh[2], into_id=fresh[0])  # both factors
        made = await second.command("cluster.create", title="Geld", card_ids=fresh[3:9])
        await second.command(
            "cluster.rename", cluster_id=made["result"]["cluster_id"], title="Geldzorgen"
        )
        await second.command("card.hide", card_id=fresh[9], hidden=True)
        for index, person in enumerate(room.people):
            await person.command(
                "suggestion.make",
                card_id=fresh[10 + index],
                target={"kind": "cluster", "id": target},
            )
        await second.close()

    loop.run(live(), timeout=60)
    expect(cluster_box(page, "Geldzorgen")).to_have_count(1)
    expect(page.locator("#board-inbox")).to_contain_text("Voorstellen van de telefoons (6)")
    assert pool.evaluate("el => el.scrollTop") == scroll
    assert page.locator("#board-clusters-body").evaluate("el => el.scrollTop") == sides
    assert page.evaluate("document.activeElement.id") == focused
    expect(page.locator("#board-selection")).to_have_text("2 kaarten geselecteerd")
    expect(page.locator(".board-ghost")).to_have_count(1)

    # The drag goes on and lands.
    page.locator("#board-clusters-body").evaluate("el => { el.scrollTop = 0; }")  # the wheel
    head = box(cluster_box(page, "Vervoer").locator(".board-cluster-head"))
    page.mouse.move(head["x"] + head["width"] / 2, head["y"] + head["height"] / 2, steps=8)
    expect(page.locator(".board-ghost")).to_contain_text("→ Vervoer")
    page.mouse.up()
    room.until(lambda: all(room.state()["cards"][str(i)]["cluster_id"] == target for i in picked))
    expect(cluster_box(page, "Vervoer").locator(".board-tile")).to_have_count(7)

    # A tile's own menu: spotlight and hide, where the moderation list used to be.
    tile = page.locator("#board-pool .board-tile").first
    card_id = int(tile.get_attribute("data-card-id") or 0)
    page.locator(f"#board-menu-{card_id}").click()
    page.locator(f"#board-spot-{card_id}").click()
    room.until(lambda: room.state()["workshop"]["spotlight_card_id"] == card_id)
    page.locator(f"#board-menu-{card_id}").click()
    page.locator(f"#board-hide-{card_id}").click()
    room.until(lambda: room.state()["cards"][str(card_id)]["hidden"])
    expect(page.locator("#board-hidden summary")).to_have_text("2 verborgen kaarten")
    expect(page.locator("#controls .card")).to_have_count(0)
    desk.accessible("the board after live updates, a tile's menu used")
    assert not desk.problems, desk.problems
    room.close()

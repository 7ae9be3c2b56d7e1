"""The projector a room can take in (issue 23): the overview, the walls' cycle, "At the table".

A room of 19 ``websockets`` phones in six groups posts 150 realistic Dutch cards (seeded over
their sockets, not by 150 clicks); a real Chromium is the projector and another the console.

* Clusteren and prioriteren show every cluster on **one** screen at 1920×1080, 1280×720 and
  1024×768: name, count, tags and its most telling cards, body type at least 24 px at 1024×768,
  nothing clipped (scroll sizes against client sizes), axe-core clean. The console focuses one
  cluster full-screen and goes back.
* No wall takes longer than 60 s to cycle at any size: pages × page time, read from the DOM
  (``#page`` data attributes), not by waiting — or the projector waits for the console's steps.
* "At the table" draws the pooled row ("Overige groepen") and never "0 contributing" for a
  group whose member posted.
* The join URL in the lobby never wraps inside the code.

``ATELIER_SCREENSHOTS=1`` writes docs/screenshots/projector-overview.png (1024×768).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, started_with_facilitator
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.dutch_cards import CLUSTER_TITLES, card_text
from tests.web.pages import Watched, console
from tests.web.test_projector_at_size import OVERFLOW, SIZES, Room, settle

pytestmark = pytest.mark.slow

#: Six groups; beleid and bestuur are below k (3) and are pooled with the smallest named group.
GROUPS = [
    ("inwoner", 6),
    ("ervaringsdeskundige", 4),
    ("ketenpartner", 4),
    ("uitvoering", 3),
    ("beleid", 1),
    ("bestuur", 1),
]
CLUSTER_SIZES = [22, 18, 15, 14, 12, 10, 8, 7, 5, 4]  # 115 cards; 35 stay loose
MAX_CYCLE_MS = 60_000

#: Text in the walls (not the meta line) at its computed size, and every text that is clipped.
BODY_SIZES = """() => [...document.querySelectorAll('#view .cluster-title .name, #view .card-line .text')]
  .filter((el) => el.getClientRects().length).map((el) => parseFloat(getComputedStyle(el).fontSize))"""
CLIPPED = """() => [...document.querySelectorAll('.stage, .stage *')].filter((el) => el.getClientRects().length
  && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
  && getComputedStyle(el).display !== 'inline').map((el) => el.tagName + '.' + el.className + ': '
  + el.scrollWidth + 'x' + el.scrollHeight + ' > ' + el.clientWidth + 'x' + el.clientHeight).slice(0, 8)"""


@pytest.fixture
def busy_server(make_server: Any) -> Server:
    """A server that lets the sockets send quickly (the test drives a whole room)."""
    return started_with_facilitator(
        make_server,
        ATELIER_FRAMES_PER_SECOND="500",
        ATELIER_FRAMES_BURST="500",
        ATELIER_SUGGESTIONS="false",  # the console's duplicate check is not what is tested here
    )


def fill_room(loop: Loop, server: Server, facilitator: Facilitator) -> Room:
    trajectory = facilitator.post(
        "/api/trajectories",
        {"theme": "Eenzaamheid onder ouderen", "expected_groups": [g for g, _ in GROUPS]},
    )
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": "Raadzaal", "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?"},
    )
    room = Room(loop, server, workshop)

    async def connect() -> None:
        room.fac = await RoomClient.connect(
            server.ws_url, workshop["id"], cookie=facilitator.cookie_header, name="facilitator"
        )
        n = 0
        for group, size in GROUPS:
            for _ in range(size):
                joined = join(server, workshop["join_code"], f"Deelnemer {n}", group)
                room.tokens.append(joined["token"])
                room.people.append(
                    await RoomClient.connect(
                        server.ws_url, workshop["id"], token=joined["token"], name=f"p{n}"
                    )
                )
                n += 1

    loop.run(connect(), timeout=120)
    return room


def post_cards(room: Room) -> None:
    """150 cards: 15 beelden, 75 factoren, 60 consequenties, from everyone."""
    people = room.people
    n = 0
    for phase, kind, count in (
        ("beelden", "beeld", 15),
        ("factoren", "factor", 75),
        ("consequenties", "consequentie", 60),
    ):
        room.phase(phase)
        batch = []
        for _ in range(count):
            fields: dict[str, Any] = {"kind": kind, "text": card_text(n)}
            if kind == "consequentie":
                fields["world"] = "leefwereld" if n % 3 else "systeemwereld"
            batch.append((people[n % len(people)], "card.post", fields))
            n += 1
        room.each(batch)
    assert len(room.cards()) == 150


def cluster_cards(room: Room) -> list[dict[str, Any]]:
    room.phase("clusteren")
    cards = sorted(c["id"] for c in room.cards())
    start = 0
    for n, size in enumerate(CLUSTER_SIZES):
        made = room.do("cluster.create", title=CLUSTER_TITLES[n])["result"]["cluster_id"]
        room.do("cluster.move", card_ids=cards[start : start + size], cluster_id=made)
        start += size
        if n < 3:
            room.do("cluster.tag", cluster_id=made, tags=[["angel", "kiem", "hefboom"][n]])
    return sorted(room.state["clusters"].values(), key=lambda c: c["id"])


def close_room(loop: Loop, room: Room) -> None:
    async def close_all() -> None:
        await asyncio.gather(*(c.close() for c in [room.fac, *room.people]))

    loop.run(close_all())


def pager(screen: Watched) -> dict[str, str]:
    return screen.page.locator("#page").evaluate("(el) => ({...el.dataset})")


def cycle_ms(screen: Watched) -> int:
    """How long the wall takes to come round by itself: pages × page time, from the DOM. A wall
    the console steps through (``stepped``) does not turn by itself: 0."""
    seen = pager(screen)
    if seen.get("stepped") == "true":
        return 0
    return int(seen["pages"]) * int(seen["every"])


def sized(screen: Watched, width: int, height: int) -> None:
    screen.page.set_viewport_size({"width": width, "height": height})
    settle(screen)
    settle(screen)


def sound(screen: Watched, moment: str) -> None:
    """Nothing clipped or off the screen, and axe-core finds nothing."""
    assert not screen.page.evaluate(OVERFLOW), f"{moment}: {screen.page.evaluate(OVERFLOW)}"
    assert not screen.page.evaluate(CLIPPED), f"{moment}: {screen.page.evaluate(CLIPPED)}"
    screen.accessible(moment)


def lines_of(inline: Any) -> int:
    """On how many lines an inline element is laid out. The lobby is redrawn as presence comes in,
    so the element found may be replaced before it is measured (no boxes at all): ask again."""
    for _ in range(100):
        lines = int(inline.evaluate("(el) => el.isConnected ? el.getClientRects().length : 0"))
        if lines:
            return lines
        inline.page.wait_for_timeout(50)
    return 0


def test_the_overview_shows_every_cluster_at_once_and_the_console_focuses_one(
    chromium: Any, busy_server: Server, loop: Loop
):
    facilitator = Facilitator(busy_server, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
    room = fill_room(loop, busy_server, facilitator)
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, reduced_motion="reduce")
    screen = Watched(context, "projector")
    screen.page.goto(
        f"{busy_server.url}/screen/{room.workshop['id']}#token={room.workshop['screen_token']}"
    )
    expect(screen.page.locator("#status")).to_have_attribute("data-status", "connected")

    # The lobby: the join URL breaks after a slash or a dot, never inside the code.
    code = room.workshop["join_code"]
    for width, height in SIZES:
        sized(screen, width, height)
        url_code = screen.page.locator(".join .url .url-code")
        expect(url_code).to_have_text(code)
        assert lines_of(url_code) == 1, (width, height)
    # Even on a narrow window the code stays whole on one line.
    sized(screen, 700, 768)
    assert lines_of(screen.page.locator(".join .url-code")) == 1

    post_cards(room)
    walls: dict[str, int] = {}
    for phase in ("beelden", "factoren", "consequenties"):
        room.phase(phase)
        expect(screen.page.locator("#view")).to_have_attribute("data-phase", phase)
        for width, height in SIZES:
            sized(screen, width, height)
            walls[f"{phase} {width}x{height}"] = cycle_ms(screen)
    print("card walls, cycle ms:", walls)
    assert all(ms <= MAX_CYCLE_MS for ms in walls.values()), walls

    clusters = cluster_cards(room)
    expect(screen.page.locator(".overview .cluster-title")).to_have_count(len(clusters) + 1)
    for width, height in SIZES:
        sized(screen, width, height)
        moment = f"clusteren overview {width}x{height}"
        assert pager(screen)["pages"] == "1", f"{moment}: {pager(screen)}"
        shown = screen.page.locator(".overview .cluster-title .name").all_inner_texts()
        assert shown == [*(c["title"] for c in clusters), "Nog niet in een cluster"], shown
        for cluster, size in zip(clusters, CLUSTER_SIZES, strict=True):
            box = screen.page.locator(f".overview [data-key='cluster:{cluster['id']}']")
            expect(box.locator(".count")).to_have_text(f"{size} kaarten")
        sizes = screen.page.evaluate(BODY_SIZES)
        assert sizes and min(sizes) >= 24 * height / 768 - 0.5, f"{moment}: {min(sizes)} px"
        sound(screen, moment)
        lines = screen.page.locator(".overview .card-line").count()
        print(moment, "cards shown:", lines)
        if width >= 1280:
            assert lines >= len(clusters), f"{moment}: a telling card under every cluster"
    expect(screen.page.locator(".overview .tag-angel")).to_have_count(1)
    sized(screen, 1024, 768)
    screen.page.screenshot(path="/tmp/projector-overview-1024.png")
    screen.screenshot("projector-overview.png")

    # The console focuses one cluster full-screen, with all its cards, and goes back.
    desk = console(chromium, busy_server, facilitator, room.workshop)
    biggest = clusters[0]
    desk.page.select_option("#screen-focus", label=f"Cluster: {biggest['title']}")
    expect(screen.page.locator(".focus .cluster-title").first).to_contain_text(biggest["title"])
    members = [c for c in room.cards() if c["cluster_id"] == biggest["id"]]
    for width, height in SIZES:
        sized(screen, width, height)
        moment = f"focus {width}x{height}"
        assert cycle_ms(screen) <= MAX_CYCLE_MS, f"{moment}: {pager(screen)}"
        sound(screen, moment)
    shown_ids = set()
    for index in range(int(pager(screen)["pages"])):
        room.do("screen.view", page=index, focus={"kind": "cluster", "id": biggest["id"]})
        expect(screen.page.locator("#page")).to_have_attribute("data-held", str(index))
        settle(screen)
        shown_ids |= set(
            screen.page.locator("#view [data-card-id]").evaluate_all(
                "(els) => els.map((el) => Number(el.dataset.cardId))"
            )
        )
    assert shown_ids == {c["id"] for c in members}
    room.do("screen.view", page=None, focus={"kind": "cluster", "id": biggest["id"]})
    desk.page.get_by_role("button", name="Terug naar het overzicht").click()
    expect(screen.page.locator(".overview")).to_be_visible()
    expect(screen.page.locator(".focus")).to_have_count(0)
    desk.accessible("projector controls")

    # Prioriteren: after the vote, clusters ranked by their dots, each with its dots.
    room.phase("prioriteren")
    room.do("vote.open", budget=3)
    room.each(
        [
            (person, "vote.cast", {"target_type": "cluster", "target_id": clusters[2]["id"]})
            for person in room.people[:12]
        ]
    )
    room.do("vote.close")
    first = screen.page.locator(".overview .cluster-title .name").first
    expect(first).to_have_text(clusters[2]["title"])
    expect(screen.page.locator(".overview .cluster-title .dots").first).to_have_text("12 stippen")
    for width, height in SIZES:
        sized(screen, width, height)
        assert pager(screen)["pages"] == "1"
        sound(screen, f"vote results overview {width}x{height}")
    assert not desk.problems, desk.problems
    desk.context.close()

    close_room(loop, room)
    context.close()
    facilitator.close()
    assert not screen.problems, screen.problems


def test_at_the_table_draws_the_pooled_row_and_no_false_zero(
    chromium: Any, busy_server: Server, loop: Loop
):
    facilitator = Facilitator(busy_server, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
    room = fill_room(loop, busy_server, facilitator)
    room.phase("beelden")  # the groups are pooled once, as the room leaves the lobby
    beleid = room.people[sum(size for group, size in GROUPS if group not in ("beleid", "bestuur"))]
    room.each([(beleid, "card.post", {"kind": "beeld", "text": card_text(7)})])
    room.each([(room.people[0], "card.post", {"kind": "beeld", "text": card_text(8)})])
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    screen = Watched(context, "projector")
    screen.page.goto(
        f"{busy_server.url}/screen/{room.workshop['id']}#token={room.workshop['screen_token']}"
    )
    pooled = screen.page.locator(".rep li.pooled")
    expect(pooled).to_contain_text("Overige groepen")
    expect(pooled).to_contain_text("Beleid")
    expect(pooled).to_contain_text("Bestuur")
    expect(pooled).to_contain_text("dragen bij")
    expect(pooled).not_to_contain_text("0 dragen bij")
    beleid_line = screen.page.locator(".rep li").filter(has_text="Beleid").first
    expect(beleid_line).to_have_text("Beleid 1 aanwezig")
    expect(screen.page.locator(".rep li").filter(has_text="Inwoner")).to_have_text(
        "Inwoner 6 aanwezig · 1 dragen bij"
    )
    sound(screen, "at the table with a pooled row")
    close_room(loop, room)
    context.close()
    facilitator.close()
    assert not screen.problems, screen.problems

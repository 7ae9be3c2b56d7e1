"""The projector at the size of a real room: 30 people and 150 cards, on three beamer sizes.

Thirty participants are ``websockets`` clients (not thirty browsers); the projector is a real
Chromium. In every phase and at 1920×1080, 1280×720 and 1024×768 the wall is stepped through page
by page from the facilitator's socket (``screen.view``), and on each page: every card's text is
somewhere on the wall, nothing overflows its box or the screen (measured in the DOM), type is at
least ~3% of the screen height (meta text ~2.2%), and axe-core finds nothing.

``ATELIER_SCREENSHOTS=1`` also writes docs/screenshots/projector-150.png.
"""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, started_with_facilitator
from tests.realtime.helpers import join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched

pytestmark = pytest.mark.slow

T = TypeVar("T")
SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
GROUPS = ["inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid", "bestuur"]
BODY_SHARE, META_SHARE, TOLERANCE_PX = 0.03, 0.022, 0.75
WORDS = [
    "bus",
    "zondag",
    "buurthuis",
    "dicht",
    "mantelzorg",
    "wachtlijst",
    "huisarts",
    "bankje",
    "plein",
    "bibliotheek",
    "pensioen",
    "schulden",
    "eenzaam",
    "trap",
    "lift",
    "digitaal",
    "loket",
    "formulier",
    "vrijwilliger",
    "koffie",
    "markt",
]


def sentence(n: int) -> str:
    """Card texts of mixed length, each unique (some long enough to wrap over many lines)."""
    length = 28 if n % 10 == 3 else 1 + (n * 5) % 9
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(length)]
    return f"Kaart {n}: " + " ".join(words)


def photo(n: int) -> bytes:
    image = Image.new("RGB", (800, 600 if n % 2 else 450), (40 + 60 * n, 120, 200 - 40 * n))
    for x in range(0, 800, 40):
        image.paste((250, 250, 250), (x, 0, x + 8, 600))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def busy_server(make_server: Any) -> Server:
    """A server that lets one facilitator socket send quickly (the test drives a whole room)."""
    return started_with_facilitator(
        make_server,
        ATELIER_FRAMES_PER_SECOND="500",
        ATELIER_FRAMES_BURST="500",
        ATELIER_SUGGESTIONS="false",  # the console's duplicate check is not what is tested here
    )


class Room:
    """The facilitator's socket and thirty phones' sockets, driven from the test's thread."""

    def __init__(self, loop: Loop, server: Server, workshop: dict[str, Any]) -> None:
        self.loop = loop
        self.server = server
        self.workshop = workshop
        self.fac: RoomClient
        self.people: list[RoomClient] = []
        self.tokens: list[str] = []

    def do(self, type_: str, **fields: Any) -> dict[str, Any]:
        return self.loop.run(self.fac.command(type_, **fields))

    def phase(self, name: str) -> None:
        agenda = self.fac.state["workshop"]["agenda"]  # type: ignore[index]
        self.do("phase.set", index=agenda.index(name), open_items="close")

    def each(self, commands: list[tuple[RoomClient, str, dict[str, Any]]]) -> list[dict[str, Any]]:
        async def all_of() -> list[dict[str, Any]]:
            return list(await asyncio.gather(*(c.command(t, **f) for c, t, f in commands)))

        return self.loop.run(all_of(), timeout=300)  # a busy shared machine, not a budget

    @property
    def state(self) -> dict[str, Any]:
        assert self.fac.state is not None
        return self.fac.state

    def cards(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            c
            for c in self.state["cards"].values()
            if (kind is None or c["kind"] == kind) and not c["hidden"] and not c["merged_into_id"]
        ]


def fill_room(loop: Loop, server: Server, facilitator: Facilitator) -> Room:
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Eenzaamheid onder ouderen", "expected_groups": GROUPS}
    )
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": "Grote zaal", "theme_question": "Wat maakt dat ouderen zich eenzaam voelen?"},
    )
    room = Room(loop, server, workshop)

    async def connect() -> None:
        room.fac = await RoomClient.connect(
            server.ws_url, workshop["id"], cookie=facilitator.cookie_header, name="facilitator"
        )
        for n in range(30):
            joined = join(server, workshop["join_code"], f"Deelnemer {n}", GROUPS[n % 6])
            room.tokens.append(joined["token"])
            room.people.append(
                await RoomClient.connect(
                    server.ws_url, workshop["id"], token=joined["token"], name=f"p{n}"
                )
            )

    loop.run(connect(), timeout=120)
    return room


def post_cards(room: Room) -> None:
    """150 cards: 3 photos and 12 described beelden, 60 factoren, 75 consequenties."""
    people = room.people
    room.phase("beelden")
    with httpx.Client(base_url=room.server.url, timeout=30) as http:
        for n in range(3):
            response = http.post(
                f"/api/workshops/{room.workshop['id']}/beelden",
                headers={"Authorization": f"Bearer {room.tokens[n]}"},
                files={"photo": ("p.jpg", photo(n), "image/jpeg")},
                data={"caption": f"Foto {n}: de bank bij de bushalte", "cid": f"photo-{n}"},
            )
            assert response.status_code == 201, response.text
    room.each([(people[n], "card.post", {"kind": "beeld", "text": sentence(n)}) for n in range(12)])
    room.phase("factoren")
    room.each(
        [
            (people[n % 30], "card.post", {"kind": "factor", "text": sentence(100 + n)})
            for n in range(60)
        ]
    )
    room.phase("consequenties")
    factors = [c["id"] for c in room.cards("factor")]
    room.each(
        [
            (
                people[n % 30],
                "card.post",
                {
                    "kind": "consequentie",
                    "text": sentence(200 + n),
                    "world": "leefwereld" if n % 5 < 3 else "systeemwereld",
                    "factor_ids": factors[n % 7 : n % 7 + n % 3],
                },
            )
            for n in range(75)
        ]
    )
    assert len(room.cards()) == 150


def cluster_cards(room: Room) -> None:
    """Eight clusters (two of them large), tags on three; 30 cards stay on their own."""
    room.phase("clusteren")
    cards = sorted(c["id"] for c in room.cards())
    sizes = [34, 26, 16, 12, 10, 10, 8, 4]
    start = 0
    for n, size in enumerate(sizes):
        result = room.do("cluster.create", title=f"Thema {n}: {' '.join(WORDS[n : n + 1 + n % 4])}")
        cluster_id = result["result"]["cluster_id"]
        room.do("cluster.move", card_ids=cards[start : start + size], cluster_id=cluster_id)
        start += size
        if n < 3:
            room.do("cluster.tag", cluster_id=cluster_id, tags=[["angel", "kiem", "hefboom"][n]])


# ----------------------------------------------------------------------------- measuring


SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"

OVERFLOW = """() => {
  const bad = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const shown = (el) => el.getClientRects().length > 0 && !el.closest('[hidden], .visually-hidden');
  for (const el of document.querySelectorAll('.stage *')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)
      bad.push(name(el) + ' leaves the screen');
    const style = getComputedStyle(el);
    if (style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1)
      bad.push(name(el) + ' cuts off its content (' + el.scrollHeight + ' > ' + el.clientHeight + ')');
    if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1)
      bad.push(name(el) + ' cuts off its content sideways');
    const parent = el.parentElement;
    if (parent && parent !== document.body && style.position !== 'fixed') {
      const p = parent.getBoundingClientRect();
      if (r.left < p.left - 1 || r.top < p.top - 1 || r.right > p.right + 1 || r.bottom > p.bottom + 1)
        bad.push(name(el) + ' sticks out of ' + name(parent) + ': ' + (el.textContent || '').slice(0, 40));
    }
  }
  return bad.slice(0, 10);
}"""

FONTS = """([body, meta, tolerance]) => {
  const bad = [];
  for (const el of document.querySelectorAll('.stage *')) {
    if (!el.getClientRects().length || el.closest('[hidden], .visually-hidden')) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const isMeta = el.closest('.meta, .tag, .marker');
    const need = (isMeta ? meta : body) * innerHeight - tolerance;
    if (size < need) bad.push(`${el.tagName}.${el.className} ${size.toFixed(1)}px < ${need.toFixed(1)}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  return bad.slice(0, 10);
}"""


CARD_TEXTS = """() => [...document.querySelectorAll('#view [data-card-id]')]
  .map((el) => [el.dataset.cardId, el.querySelector('.text').textContent])"""


def settle(screen: Watched) -> None:
    screen.page.evaluate(SETTLE)


def page_count(screen: Watched) -> int:
    return int(screen.page.locator("#page").get_attribute("data-pages") or 1)


def hold(
    room: Room, screen: Watched, page: int | None, focus: dict[str, Any] | None = None
) -> None:
    """The facilitator holds a page (None: auto); waits until the projector shows it."""
    room.do("screen.view", page=page, focus=focus)
    indicator = screen.page.locator("#page")
    expect(indicator).to_have_attribute("data-held", "auto" if page is None else str(page))
    if page is not None:
        expect(indicator).to_have_attribute("data-page", str(page % page_count(screen) + 1))
    settle(screen)


def check_every_page(
    room: Room, screen: Watched, texts: list[str], moment: str, focus: dict[str, Any] | None = None
) -> int:
    """Steps through the wall's pages; every text must be on one, every page must be sound."""
    hold(room, screen, 0, focus)
    total = page_count(screen)
    seen = ""
    cards: dict[str, str] = {}  # a card too tall for a column is split: its parts, joined
    for index in range(total):
        if index:
            hold(room, screen, index, focus)
        where = f"{moment}, page {index + 1} of {total}"
        assert not screen.page.evaluate(OVERFLOW), f"{where}: {screen.page.evaluate(OVERFLOW)}"
        fonts = screen.page.evaluate(FONTS, [BODY_SHARE, META_SHARE, TOLERANCE_PX])
        assert not fonts, f"{where}: {fonts}"
        seen += " " + screen.page.locator(".stage").inner_text()
        for card_id, text in screen.page.evaluate(CARD_TEXTS):
            cards[card_id] = f"{cards.get(card_id, '')} {text.removeprefix('… ')}"
        if index in (0, total - 1):
            screen.accessible(where)
    flat = " ".join(seen.split())
    whole = {" ".join(text.split()) for text in cards.values()}
    missing = [
        t for t in texts if " ".join(t.split()) not in flat and " ".join(t.split()) not in whole
    ]
    assert not missing, f"{moment}: {len(missing)} texts on no page, e.g. {missing[:3]}"
    hold(room, screen, None, None)
    return total


def at_every_size(
    room: Room, screen: Watched, texts: list[str], moment: str, **kw: Any
) -> dict[str, int]:
    pages = {}
    for width, height in SIZES:
        screen.page.set_viewport_size({"width": width, "height": height})
        settle(screen)
        pages[f"{width}x{height}"] = check_every_page(
            room, screen, texts, f"{moment} {width}x{height}", **kw
        )
    screen.page.set_viewport_size({"width": 1920, "height": 1080})
    settle(screen)
    return pages


# ----------------------------------------------------------------------------- the test


def test_a_room_of_thirty_with_150_cards_fits_every_beamer(
    chromium: Any, busy_server: Server, loop: Loop
):
    facilitator = Facilitator(busy_server, email=FACILITATOR_EMAIL, password=FACILITATOR_PASSWORD)
    room = fill_room(loop, busy_server, facilitator)
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, reduced_motion="reduce"
    )
    screen = Watched(context, "projector")
    screen.page.goto(
        f"{busy_server.url}/screen/{room.workshop['id']}#token={room.workshop['screen_token']}"
    )
    expect(screen.page.locator("#status")).to_have_attribute("data-status", "connected")

    # Lobby: thirty people in six groups, the code and the table.
    expect(screen.page.locator(".join .count")).to_contain_text("30")
    at_every_size(room, screen, ["Bestuur", "Ervaringsdeskundige"], "lobby")

    post_cards(room)
    texts = {
        kind: [c["text"] for c in room.cards(kind)] for kind in ("beeld", "factor", "consequentie")
    }
    for phase, kind in (
        ("beelden", "beeld"),
        ("factoren", "factor"),
        ("consequenties", "consequentie"),
    ):
        room.phase(phase)
        expect(screen.page.locator("#phase-title")).not_to_have_text("Lobby")
        pages = at_every_size(room, screen, texts[kind], phase)
        if kind != "beeld":
            assert pages["1024x768"] > 1, "many cards page on a small beamer"
    images = screen.page.locator(".wall img")
    room.phase("beelden")
    hold(room, screen, 0)
    expect(images.first).to_have_js_property("complete", True)
    assert images.count() >= 1
    # Consequenties side by side: the life world and the system world each have their half.
    room.phase("consequenties")
    expect(screen.page.locator(".world-leefwereld, .wall-part").first).to_be_visible()
    expect(screen.page.locator(".part-title")).to_have_count(2)

    # Clusteren: the overview, every cluster on one screen (its cards: the focus, below).
    cluster_cards(room)
    expect(screen.page.locator(".clusters")).to_contain_text("Thema 0")
    titles = [c["title"] for c in room.state["clusters"].values()]
    pages = at_every_size(room, screen, titles, "clusteren")
    assert set(pages.values()) == {1}, pages
    if os.environ.get("ATELIER_SCREENSHOTS"):
        hold(room, screen, 0)
        screen.screenshot("projector-150.png")
        hold(room, screen, None)
    # Left to itself the projector turns the page at a calm pace.
    room.phase("factoren")
    indicator = screen.page.locator("#page")
    expect(indicator).to_have_attribute("data-held", "auto")
    first_page = indicator.get_attribute("data-page")
    expect(indicator).not_to_have_attribute("data-page", first_page or "1", timeout=20_000)
    room.phase("clusteren")
    # Focus on the largest cluster: it alone, large, with all 34 cards over its pages.
    biggest = max(
        room.state["clusters"].values(),
        key=lambda c: sum(1 for x in room.cards() if x["cluster_id"] == c["id"]),
    )
    members = [c["text"] for c in room.cards() if c["cluster_id"] == biggest["id"]]
    focus = {"kind": "cluster", "id": biggest["id"]}
    check_every_page(room, screen, members, "focus on a cluster", focus=focus)
    card = room.cards("factor")[0]
    room.do("screen.view", page=None, focus={"kind": "card", "id": card["id"]})
    expect(screen.page.locator(".focus .tile")).to_have_count(1)
    expect(screen.page.locator(".focus .tile")).to_contain_text(card["text"])
    room.do("screen.view", page=None, focus=None)

    # Prioriteren: while the vote is open the options are up (never the dots); then the results.
    room.phase("prioriteren")
    room.do("vote.open", budget=3)
    options = titles
    clusters = sorted(room.state["clusters"].values(), key=lambda c: c["id"])
    room.each(
        [
            (person, "vote.cast", {"target_type": "cluster", "target_id": clusters[n % 3]["id"]})
            for n, person in enumerate(room.people[:20])
        ]
    )
    expect(screen.page.locator(".voting")).to_contain_text("20")
    at_every_size(room, screen, options, "vote open")
    room.do("vote.close")
    expect(screen.page.locator(".overview .cluster-title .name").first).to_contain_text(
        clusters[0]["title"]
    )
    at_every_size(room, screen, [c["title"] for c in clusters[:3]], "vote results")

    # Waarom: four proposals; a round that reveals at close shows only participation.
    room.phase("waarom")
    ids = []
    for n in range(4):
        text = f"Voorstel {n}: " + sentence(300 + n) + (" " + sentence(400) if n == 3 else "")
        ids.append(room.do("proposal.create", kind="waarom", text=text)["result"]["proposal_id"])
    first = room.do("round.open", kind="waarom")["result"]
    assert first
    rate = [
        (
            person,
            "rating.give",
            {
                "round_id": first["round_id"],
                "proposal_id": pid,
                "score": score,
                "reason": "Te vaag" if score == 1 else "",
            },
        )
        for n, person in enumerate(room.people[:24])
        for pid, score in zip(ids, (5 if n % 4 else 3, 4, 2 if n % 6 else 1, 3), strict=True)
    ]
    room.each(rate)
    expect(screen.page.locator(".round-head")).to_contain_text("24")
    expect(screen.page.locator(".meter")).to_have_count(0)
    proposal_texts = [room.state["proposals"][str(pid)]["text"] for pid in ids]
    at_every_size(room, screen, proposal_texts, "round open, revealed at close")
    room.do("round.close", round_id=first["round_id"])
    expect(screen.page.locator(".meter").first).to_be_visible()
    expect(screen.page.locator(".by-group").first).to_be_visible()

    # An amended proposal and a live second round: the meter shows at once; after the close the
    # projector compares with round 1 and says the old one was replaced.
    amended = room.do(
        "proposal.amend", proposal_id=ids[0], text="Voorstel 0, herzien: samen tegen eenzaamheid"
    )
    new_id = amended["result"]["proposal_id"]
    second = room.do("round.open", kind="waarom", reveal="live")["result"]
    room.each(
        [
            (
                person,
                "rating.give",
                {"round_id": second["round_id"], "proposal_id": new_id, "score": 5},
            )
            for person in room.people[:27]
        ]
    )
    expect(screen.page.locator(".meter").first).to_be_visible()
    room.do("round.close", round_id=second["round_id"])
    expect(screen.page.locator(".compare").first).to_contain_text("1")
    expect(screen.page.locator("#view")).to_contain_text("Voorstel 0, herzien")
    at_every_size(
        room,
        screen,
        [*proposal_texts[1:], "Voorstel 0, herzien: samen tegen eenzaamheid"],
        "round compared",
    )
    room.do("proposal.adopt", proposal_id=new_id)

    # Opgave: scope and core themes on the wall; then the adopted result.
    room.phase("opgave")
    opgave = room.do(
        "proposal.create",
        kind="opgave",
        text="Ontmoeting en vervoer in Oost regelen, samen met inwoners.",
        in_scope=["ontmoetingsplekken", "vervoer op zondag"],
        out_of_scope=["zorgindicaties"],
        core_themes=["ontmoeten", "bereikbaarheid"],
    )["result"]["proposal_id"]
    expect(screen.page.locator(".proposals")).to_contain_text("vervoer op zondag")
    expect(screen.page.locator(".proposals")).to_contain_text("bereikbaarheid")
    room.do("proposal.adopt", proposal_id=opgave, reason="Tijd is op")
    room.phase("afronding")
    at_every_size(
        room, screen, ["Voorstel 0, herzien", "Ontmoeting en vervoer in Oost"], "afronding"
    )

    assert not screen.problems, screen.problems
    context.close()

    async def close_all() -> None:
        await asyncio.gather(*(c.close() for c in [room.fac, *room.people]))

    loop.run(close_all())
    facilitator.close()


def test_a_screen_without_a_valid_link_says_what_to_do(
    chromium: Any, server: Server, workshop: dict[str, Any]
):
    for suffix in ("", "#token=not-a-real-token"):
        screen = Watched(chromium.new_context(viewport={"width": 1280, "height": 720}), "screen")
        screen.page.goto(f"{server.url}/screen/{workshop['id']}{suffix}")
        problem = screen.page.get_by_role("alert")
        expect(problem).to_contain_text("niet (meer) geldig")
        expect(problem).to_contain_text(f"{server.url}/screen")
        expect(problem.get_by_role("link")).to_have_attribute("href", "/screen")
        expect(screen.page.locator("#banner")).to_be_hidden()
        screen.accessible(f"no valid link ({suffix or 'none'})")
        # A forged token is refused when traded for the image cookie: Chromium logs the 401.
        assert all("status of 401" in problem for problem in screen.problems), screen.problems
        screen.context.close()

"""The view layer (app/static/js/view.js) in a real Chromium against a real server: live updates
never take away what someone is doing, a burst of events is drawn once per frame, and send()
answers with a promise (app/static/js/socket.js).

Phones and the facilitator's steering are ``websockets`` clients; the console, the phone being
typed on and the projector are Chromium pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.web.static import static_url
from tests.realtime.helpers import facilitator_client, goto, join
from tests.support.client import RoomClient
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone, projector

#: The page's own view.js: the versioned address its script loads (app/web/static.py); under
#: another address the browser would load a second copy with counts of its own.
VIEW_JS = static_url("js/view.js")
COUNTS = f"async () => (await import('{VIEW_JS}')).testing.counts()"
HOLD = f"async () => (await import('{VIEW_JS}')).testing.hold()"
RELEASE = f"async () => (await import('{VIEW_JS}')).testing.release()"
SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
#: What the person is doing in a field: its value, whether it has focus, and the caret.
FIELD = """(selector) => {
  const el = document.querySelector(selector);
  return {value: el.value, focused: document.activeElement === el,
          caret: [el.selectionStart, el.selectionEnd]};
}"""


class Room:
    """The facilitator's socket (to steer) and two phones' sockets (to post), on a private loop."""

    def __init__(
        self, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
    ) -> None:
        self.loop = loop

        async def open_() -> tuple[RoomClient, list[RoomClient]]:
            desk = await facilitator_client(server, workshop, facilitator.cookie_header)
            people = []
            for name, group in (("Bram", "inwoner"), ("Chantal", "beleid")):
                joined = join(server, workshop["join_code"], name, group)
                people.append(
                    await RoomClient.connect(
                        server.ws_url, workshop["id"], token=joined["token"], name=name
                    )
                )
            return desk, people

        self.desk, self.people = loop.run(open_())

    def phase(self, name: str) -> None:
        self.loop.run(goto(self.desk, name))

    def post(self, texts: list[str], kind: str = "factor") -> None:
        """Each text posted by one of the phones, one after another (each waits for its ack)."""

        async def post_all() -> None:
            for index, text in enumerate(texts):
                await self.people[index % 2].command("card.post", kind=kind, text=text)

        self.loop.run(post_all())

    def propose(self, texts: list[str]) -> None:
        async def propose_all() -> None:
            for index, text in enumerate(texts):
                await self.people[index % 2].command("proposal.create", kind="waarom", text=text)

        self.loop.run(propose_all())

    def close(self) -> None:
        for client in [self.desk, *self.people]:
            self.loop.run(client.close())


@pytest.fixture
def room(
    loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
) -> Iterator[Room]:
    opened = Room(loop, server, facilitator, workshop)
    yield opened
    opened.close()


def requested(page: Page, key: str) -> int:
    return int(page.evaluate(COUNTS).get(key, {}).get("requested", 0))


def drawn(page: Page, key: str) -> int:
    return int(page.evaluate(COUNTS).get(key, {}).get("drawn", 0))


def wait_for_requests(page: Page, key: str, at_least: int) -> None:
    """Until the page has asked `at_least` redraws of `key` (the events have arrived)."""
    page.wait_for_function(
        """async ([key, n, view]) => {
          const counts = (await import(view)).testing.counts();
          return (counts[key] ? counts[key].requested : 0) >= n;
        }""",
        arg=[key, at_least, VIEW_JS],
    )


def test_the_console_keeps_what_the_facilitator_types_while_phones_post(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any], room: Room
):
    room.phase("factoren")
    desk = console(chromium, server, facilitator, workshop)
    page = desk.page
    expect(page.locator("#agenda li.current")).to_contain_text("Factoren")

    # A setting half changed: the caret in the middle of the title, not at its end.
    page.click("#settings summary")
    page.click("#set-title")
    page.keyboard.press("End")
    page.keyboard.type(" (concept)")
    for _ in range(8):
        page.keyboard.press("ArrowLeft")
    before = page.evaluate(FIELD, "#set-title")
    assert before["value"] == "Startbijeenkomst (concept)" and before["focused"]
    assert before["caret"] == [18, 18]

    texts = [f"Kaart {n} over de buurt" for n in range(6)]
    room.post(texts)
    # The rest of the console follows the room meanwhile: the cards are there.
    for text in texts:
        expect(page.locator("#controls")).to_contain_text(text)
    page.evaluate(SETTLE)
    assert page.evaluate(FIELD, "#set-title") == before
    page.keyboard.type("eerste ")  # typed where the caret was
    expect(page.locator("#set-title")).to_have_value("Startbijeenkomst (eerste concept)")

    # A proposal being written in the controls themselves: they wait for the facilitator.
    room.phase("waarom")
    expect(page.locator("#agenda li.current")).to_contain_text("Waarom")
    page.click("#new-proposal-waarom summary")
    draft = "#new-waarom-text"
    page.click(draft)
    page.keyboard.type("Niemand staat er alleen voor")
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    before = page.evaluate(FIELD, draft)
    assert before["focused"] and before["caret"] == [24, 24]
    asked = requested(page, "console")
    proposals = ["Samen tegen eenzaamheid", "Ontmoeten dichtbij huis", "Vervoer voor iedereen"]
    room.propose(proposals)
    wait_for_requests(page, "console", asked + len(proposals))
    page.evaluate(SETTLE)
    assert page.evaluate(FIELD, draft) == before
    expect(page.locator("#controls .proposals")).to_have_count(0)  # not under the fingers

    # Leaving the field: the controls catch up at once, and the draft is still there.
    page.keyboard.press("Tab")
    for text in proposals:
        expect(page.locator("#controls .proposals")).to_contain_text(text)
    expect(page.locator(draft)).to_have_value("Niemand staat er alleen voor")
    expect(page.locator("#new-proposal-waarom")).to_have_attribute("open", "")
    desk.accessible("console after live updates around a draft")
    assert not desk.problems, desk.problems


def test_a_half_typed_card_on_the_phone_survives_a_burst_of_events(
    chromium: Any, server: Server, workshop: dict[str, Any], room: Room
):
    annie = phone(chromium, "annie")
    page = annie.page
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    room.phase("factoren")
    expect(page.locator("#phase-title")).to_have_text("Factoren")

    # A new card, half typed, the caret inside a word.
    page.click("#post-text")
    page.keyboard.type("Op zondag rijdt de bus niet")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    before = page.evaluate(FIELD, "#post-text")
    assert before["focused"] and before["caret"] == [22, 22]
    texts = [f"Factor {n} uit de zaal" for n in range(10)]
    room.post(texts)
    expect(page.locator("#room-cards li")).to_have_count(10)
    page.evaluate(SETTLE)
    assert page.evaluate(FIELD, "#post-text") == before

    # One of her own cards, being edited: the list it is in is redrawn around it.
    page.click("#post-form button[type=submit]")
    # Its event can be drawn a frame before its ack, when the copy waiting in the outbox goes.
    expect(page.locator("#my-cards li.waiting")).to_have_count(0)
    mine = page.locator("#my-cards li.card")
    expect(mine).to_contain_text("Ontvangen")
    mine.get_by_role("button", name="Bewerken").click()
    edit = "#my-cards textarea"
    expect(page.locator(edit)).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" meer")
    before = page.evaluate(FIELD, edit)
    room.post([f"Nog een factor {n}" for n in range(5)])
    expect(page.locator("#room-cards li")).to_have_count(15)
    page.evaluate(SETTLE)
    assert page.evaluate(FIELD, edit) == before
    # Focus leaves the field (to "Save"): the list is drawn again, the edit stays as typed.
    page.keyboard.press("Tab")
    page.evaluate(SETTLE)
    expect(page.locator(edit)).to_have_value("Op zondag rijdt de bus niet meer")
    page.keyboard.press("Enter")  # Save
    expect(mine.locator("p").first).to_have_text("Op zondag rijdt de bus niet meer")
    expect(page.locator("#my-cards [data-key^='edit:']")).to_be_focused()
    annie.accessible("phone after a burst")
    assert not annie.problems, annie.problems


def test_a_press_held_while_the_room_redraws_still_clicks(
    chromium: Any, server: Server, workshop: dict[str, Any], room: Room
):
    """A button replaced between press and release gets no click (the browser sends it to what
    the old and new tree share): a list with a press in it waits for the release."""
    bram = phone(chromium, "bram")
    page = bram.page
    join_by_form(bram, server, workshop["join_code"], "Bram", "Inwoner")
    room.phase("factoren")
    page.fill("#post-text", "De bus naar het dorpshuis rijdt niet op zondag")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#my-cards li.waiting")).to_have_count(0)  # its copy in the outbox went
    mine = page.locator("#my-cards li.card")
    expect(mine).to_contain_text("Ontvangen")

    button = mine.get_by_role("button", name="Bewerken")
    button.hover()
    page.mouse.down()  # pressed, not yet let go: the phones post meanwhile
    asked = requested(page, "phone")
    room.post([f"Factor {n} terwijl Bram drukt" for n in range(4)])
    wait_for_requests(page, "phone", asked + 4)
    expect(page.locator("#room-cards li")).to_have_count(4)  # the rest of the page follows
    page.evaluate(SETTLE)
    page.mouse.up()
    expect(page.locator("#my-cards textarea")).to_be_focused()  # the click arrived: editing
    assert not bram.problems, bram.problems


def test_a_burst_of_events_is_drawn_once_per_frame(
    chromium: Any,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    room: Room,
):
    room.phase("factoren")
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    pages = {"console": desk.page, "projector": screen.page, "phone": annie.page}
    shows = {
        "console": "#controls .cards li",
        "projector": ".wall .tile",
        "phone": "#room-cards li.card",
    }
    for page in pages.values():
        page.evaluate(SETTLE)
        page.evaluate(HOLD)  # one long frame: every request until release() waits for it
    before = {key: (requested(page, key), drawn(page, key)) for key, page in pages.items()}

    burst = 12
    room.post([f"Kaart {n} uit de stortvloed" for n in range(burst)])
    for key, page in pages.items():
        wait_for_requests(page, key, before[key][0] + burst)
        assert drawn(page, key) == before[key][1], f"{key} drew while the frame was held"
        expect(page.locator(shows[key])).to_have_count(0)
    for key, page in pages.items():
        after = page.evaluate(RELEASE)  # the counts right after the frame that was held back
        assert after[key]["drawn"] == before[key][1] + 1, f"{key}: {burst} events, one redraw"
        expect(page.locator(shows[key])).to_have_count(burst)
    for watched in (desk, screen, annie):
        assert not watched.problems, watched.problems


def test_send_resolves_with_the_ack_and_rejects_with_the_refusal(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    answers = desk.page.evaluate(
        """async () => {
          const { Room } = await import('/static/js/socket.js');
          const room = new Room({ workshopId: Number(document.body.dataset.workshopId), storageKey: 'answers' });
          await new Promise((resolve) => {
            room.on('status', (status) => { if (status === 'connected') resolve(); });
            room.connect();
          });
          const sent = room.send('timer.start', { seconds: 120 });
          const waiting = room.pending().length;
          const ack = await sent;
          let refusal = null;
          try {
            await room.send('vote.close', {});
          } catch (error) {
            refusal = error;
          }
          return { ack, refusal, waiting, left: room.pending().length, timer: room.state.workshop.timer_ends_at };
        }"""
    )
    assert answers["waiting"] == 1, "the command waits in the outbox until its answer"
    assert answers["ack"]["type"] == "ack" and answers["ack"]["cid"]
    assert answers["timer"], "the ack comes after the command's event"
    refusal = answers["refusal"]
    # Closing a vote in the lobby: out of phase, refused.
    assert refusal["type"] == "error" and refusal["code"] == "wrong_phase" and refusal["cid"]
    assert refusal["message"] and refusal["cid"] != answers["ack"]["cid"]
    assert answers["left"] == 0, "answered commands leave the outbox"
    assert not desk.problems, desk.problems

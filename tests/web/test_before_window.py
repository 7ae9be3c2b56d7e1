"""The phone before the before-window opens, while it is open (a factor and a photo), and after it
closes; the facilitator sets the window from the console's settings. axe-core 0 at each moment.

The window is set around the real "now" (an hour ago until an hour from now is open), from the
console's settings form as a facilitator does it, in the browser's own clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.images import samples
from tests.support.server import Facilitator, Server
from tests.web.pages import Watched, console, join_by_form, phone, projector

LOCAL_INPUT = """hours => {
  const d = new Date(Date.now() + hours * 3600e3);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}"""


def set_window(desk: Watched, opens: float, closes: float) -> None:
    """Fill in "Vooraf inbrengen" in the console's settings and save."""
    page = desk.page
    settings = page.locator("#settings")
    if not settings.evaluate("d => d.open"):
        page.click("#settings summary")
    page.fill("#set-before-opens", page.evaluate(LOCAL_INPUT, opens))
    page.fill("#set-before-closes", page.evaluate(LOCAL_INPUT, closes))
    page.click("#settings-form button[type=submit]")
    expect(page.locator("#feedback")).to_have_text("Instellingen opgeslagen")


def test_the_phone_before_during_and_after_the_window(
    chromium: Any,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    tmp_path: Path,
):
    photo = tmp_path / "bankje.jpg"
    photo.write_bytes(samples.large_jpeg(1200, 900))
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    workshop = {  # the same trajectory, with a planned start the phone can name
        **workshop,
        **facilitator.post(
            f"/api/trajectories/{workshop['trajectory_id']}/workshops",
            {"title": "Startbijeenkomst", "starts_at": starts},
        ),
    }
    desk = console(chromium, server, facilitator, workshop)
    set_window(desk, 20, 44)  # opens tomorrow
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    page = annie.page

    # Before it opens: when, in words; no form.
    expect(page.locator(".before-window[data-state=not_yet]")).to_contain_text("Je kunt vanaf")
    expect(page.locator("#before-meeting")).to_contain_text("De bijeenkomst is op")
    expect(page.locator("#panel-post")).to_be_hidden()
    expect(page.locator("#lobby-welcome")).to_be_hidden()
    expect(page.locator("#mode-tabs")).to_be_hidden()  # no screen to follow before the room
    annie.accessible("before the window opens")
    annie.screenshot("before-window-not-yet.png")

    # Open: a factor and a photo, each confirmed; only her own cards are there.
    set_window(desk, -1, 1)
    expect(page.locator(".before-window[data-state=open]")).to_contain_text("Tot ")
    page.check("#before-kind-factor")
    expect(page.locator("#post-label")).to_contain_text("Factor")
    expect(page.locator("#mode-tabs")).to_be_hidden()
    page.fill("#post-text", "Na zessen rijdt er geen bus naar het dorpshuis")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#my-cards")).to_contain_text("Na zessen rijdt er geen bus")
    expect(page.locator("#my-cards")).to_contain_text("Ontvangen")
    page.check("#before-kind-beeld")
    expect(page.locator("#photo-field")).to_be_visible()
    page.set_input_files("#photo", str(photo))
    page.fill("#post-text", "Het bankje bij de bushalte in de brandnetels")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#my-cards img")).to_have_attribute(
        "alt", "Het bankje bij de bushalte in de brandnetels"
    )
    expect(page.locator("#my-cards .before-mark")).to_have_count(2)
    expect(page.locator("#room-cards")).to_be_hidden()
    annie.accessible("while the window is open")
    annie.screenshot("before-window-open.png")

    # The console's lobby lists what came in, to hide or merge; the projector shows none of it.
    expect(desk.page.locator("#before-cards li")).to_have_count(2)
    expect(desk.page.locator("#before-status")).to_contain_text("Open")
    desk.accessible("lobby with cards sent in beforehand")
    desk.screenshot("before-window-console.png")
    screen = projector(chromium, server, workshop)
    expect(screen.page.locator("body")).not_to_contain_text("Na zessen rijdt er geen bus")

    # Closed: when it closed, what comes next, and what she sent in.
    set_window(desk, -3, -2)
    closed = page.locator(".before-window[data-state=closed]")
    expect(closed).to_contain_text("Dank je wel")
    expect(page.locator("#before-mine li")).to_have_count(2)
    expect(page.locator("#panel-post")).to_be_hidden()
    annie.accessible("after the window closed")
    annie.screenshot("before-window-closed.png")

    # The room starts: the cards go on the wall, marked.
    desk.page.click("#next")
    expect(screen.page.locator(".wall")).to_contain_text("Het bankje bij de bushalte")
    expect(screen.page.locator(".wall .before-mark").first).to_have_text("vooraf ingebracht")
    for watched in (desk, screen, annie):
        assert not watched.problems, watched.problems
        watched.context.close()


def test_offline_in_the_window_and_moderated_from_the_trajectory_page(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    set_window(desk, -1, 1)
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    page = annie.page
    expect(page.locator(".before-window[data-state=open]")).to_be_visible()
    # Offline in the window: kept in the outbox as in the room, sent when the network is back.
    annie.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-status", "offline")
    page.check("#before-kind-factor")
    page.fill("#post-text", "Zonder verbinding ingestuurd")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#my-cards")).to_contain_text("Wacht op verzenden")
    annie.context.set_offline(False)
    expect(page.locator("#status")).to_have_attribute("data-status", "connected", timeout=20_000)
    expect(page.locator("#pending")).to_be_hidden()
    expect(page.locator("#my-cards .before-mark")).to_have_count(1)
    expect(page.locator("#my-cards")).not_to_contain_text("Wacht op verzenden")
    expect(desk.page.locator("#before-cards li")).to_have_count(1)

    # The trajectory page lists them per workshop; hiding one there goes through the command path.
    trajectory = Watched(desk.context, "trajectory")
    trajectory.page.goto(f"{server.url}/trajectories/{workshop['trajectory_id']}")
    listed = trajectory.page.locator(f"#before-{workshop['id']}")
    listed.locator("summary").click()
    expect(listed.locator("li")).to_have_count(1)
    trajectory.accessible("cards sent in beforehand")
    trajectory.screenshot("before-window-trajectory.png", listed)
    listed.locator("li", has_text="Zonder verbinding").locator("button").click()
    expect(trajectory.page.locator(f"#before-{workshop['id']} .ok")).to_have_text("Gedaan")
    expect(desk.page.locator("#before-cards .is-hidden")).to_have_count(1)

    for watched in (desk, trajectory, annie):
        assert not watched.problems, watched.problems
    for watched in (desk, annie):
        watched.context.close()

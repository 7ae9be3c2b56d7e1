"""In the browser: two facilitators on one workshop. One console leads, the other watches,
is told so when it tries to steer, and takes over with one button."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.server import Facilitator, Server
from tests.web.pages import console

SANNE = "sanne@provincie.example"
PASSWORD = "een-lang-wachtwoord"


def test_the_banner_says_who_leads_and_take_over_hands_the_room_over(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    made = server.run_cli(
        "create-facilitator", "--email", SANNE, "--name", "Sanne", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    shared = facilitator.http.post(
        f"/trajectories/{workshop['trajectory_id']}/shares", data={"email": SANNE}
    )
    assert shared.status_code == 303 and "share=added" in shared.headers["location"]
    sanne = Facilitator(server, email=SANNE, password=PASSWORD)

    fenna_desk = console(chromium, server, facilitator, workshop)
    sanne_desk = console(chromium, server, sanne, workshop)
    fenna_banner, sanne_banner = (
        d.page.locator("#cofacilitation") for d in (fenna_desk, sanne_desk)
    )
    expect(fenna_banner).to_be_visible()
    expect(fenna_banner).to_contain_text("Jouw console leidt deze sessie.")
    expect(fenna_desk.page.locator("#take-over")).to_be_hidden()
    expect(sanne_banner).to_contain_text("Fenna leidt; jij kijkt mee.")
    expect(sanne_desk.page.get_by_role("button", name="Overnemen")).to_be_visible()
    sanne_desk.accessible("watching, with the take-over button")

    # Steering from the watching console is refused, and said so in plain words.
    sanne_desk.page.click("#next")
    expect(sanne_desk.page.locator("#cofac-warning")).to_contain_text(
        "Niet gedaan: een andere console leidt."
    )
    expect(sanne_desk.page.locator("#agenda li.current")).to_contain_text("Lobby")

    sanne_desk.page.get_by_role("button", name="Overnemen").click()
    expect(sanne_banner).to_contain_text("Jouw console leidt deze sessie.")
    expect(sanne_desk.page.locator("#cofac-warning")).to_be_hidden()
    expect(fenna_banner).to_contain_text("Sanne leidt; jij kijkt mee.")
    expect(fenna_desk.page.locator("body")).to_have_class("console watching")
    sanne_desk.page.click("#next")
    expect(fenna_desk.page.locator("#agenda li.current")).to_contain_text("Beelden")
    fenna_desk.accessible("watching after the take-over")

    # Sanne leaves: Fenna's banner says the leader is not here, and she takes the room back.
    sanne_desk.context.close()
    expect(fenna_banner).to_contain_text("Sanne leidt, maar is nu niet verbonden")
    fenna_desk.page.get_by_role("button", name="Overnemen").click()
    expect(fenna_banner).to_contain_text("Jouw console leidt deze sessie.")
    # The owner's "Facilitators" section, with a refusal said in it, passes axe too.
    fenna_desk.page.goto(f"{server.url}/trajectories/{workshop['trajectory_id']}?share=unknown")
    expect(fenna_desk.page.locator("#shared-with")).to_contain_text("Sanne")
    expect(fenna_desk.page.get_by_role("alert")).to_contain_text("geen facilitatoraccount")
    fenna_desk.accessible("the trajectory page with its facilitators")
    for desk in (fenna_desk, sanne_desk):
        assert not desk.problems, desk.problems
    fenna_desk.context.close()
    sanne.close()

""" "Elke groep moet het dragen" in a real Chromium: the facilitator turns the rule on in the
console's settings, and the projector and the console name the group that does not carry the
proposal yet — never the group below k — with axe-core clean on both.

Eleven ``websockets`` phones rate (seeded over their sockets); the rule and the figures are
those of tests/realtime/test_group_rule.py.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.realtime.helpers import facilitator_client, goto, participant_clients
from tests.realtime.test_group_rule import PEOPLE, SCORES
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import console, projector


def rate_in_waarom(loop: Loop, server: Server, facilitator: Facilitator, workshop: Any) -> None:
    async def run() -> None:
        fac = await facilitator_client(server, workshop, facilitator.cookie_header)
        phones = await participant_clients(server, workshop, PEOPLE)
        await goto(fac, "waarom")
        made = await phones[0].command("proposal.create", kind="waarom", text="Samen sterker")
        proposal = made["result"]["proposal_id"]
        opened = await fac.command("round.open", kind="waarom", reveal="live")
        for phone, score in zip(phones, SCORES, strict=True):
            await phone.command(
                "rating.give",
                round_id=opened["result"]["round_id"],
                proposal_id=proposal,
                score=score,
            )

    loop.run(run())


def test_the_projector_says_which_group_does_not_carry_it_yet(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    rate_in_waarom(loop, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    desk = console(chromium, server, facilitator, workshop)
    wall = screen.page.locator("#view")
    expect(wall.locator(".by-group-lowest")).to_have_text("Laagste instemming in een groep: 33%")
    expect(wall.locator(".meter")).to_contain_text("Geconvergeerd")  # the room's rule: 82% ≥ 75%
    expect(wall.locator(".not-carried")).to_have_count(0)

    desk.page.locator("#settings summary").click()
    desk.page.locator("#set-every-group").check()
    desk.page.locator("#set-group-agree").fill("60")
    desk.page.locator("#settings-form button[type=submit]").click()

    expect(wall.locator(".not-carried")).to_have_text("Nog niet gedragen door: Ketenpartner")
    expect(wall.locator(".meter strong")).to_have_text("Nog niet")
    row = desk.page.locator("li.proposal", has_text="Samen sterker")
    expect(row.locator(".not-carried")).to_have_text("Nog niet gedragen door: Ketenpartner")
    expect(row).to_contain_text("Laagste instemming in een groep: 33%")
    for shown in (wall, row):
        text = shown.inner_text()
        assert "Bestuur" not in text and "Ervaringsdeskundige" not in text, text
    screen.accessible("the group rule on the projector")
    desk.accessible("the group rule on the console")
    assert screen.problems == [] and desk.problems == []

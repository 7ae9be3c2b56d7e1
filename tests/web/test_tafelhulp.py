"""In the browser: the console makes a helper code; a phone redeems it at /hulp, adds a person
without a phone and enters a card and a rating for them; the console's board and the projector
mark the card "ingevoerd door tafelhulp". axe-core finds nothing on the pages added."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.realtime.helpers import join
from tests.support.server import Facilitator, Server
from tests.web.pages import console, phone, projector


def say(
    server: Server,
    workshop_id: int,
    type_: str,
    *,
    token: str | None = None,
    cookie: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """One command over a socket of its own (a phone or a second console), its ack."""
    headers = {"Cookie": cookie} if cookie else {}
    with connect(
        f"{server.ws_url}/ws/workshops/{workshop_id}", additional_headers=headers, open_timeout=10
    ) as ws:
        ws.send(json.dumps({"type": "hello", "token": token}))
        for _ in range(1000):
            if json.loads(ws.recv(timeout=10))["type"] == "synced":
                break
        ws.send(json.dumps({"type": type_, "cid": f"t-{type_}", **fields}))
        for _ in range(1000):
            message = json.loads(ws.recv(timeout=10))
            if message.get("cid") == f"t-{type_}":
                assert message["type"] == "ack", message
                return message
    raise AssertionError("no answer")


def workshop_agenda(facilitator: Facilitator, workshop_id: int) -> list[str]:
    agenda: list[str] = facilitator.get(f"/api/workshops/{workshop_id}")["agenda"]
    return agenda


def test_a_table_helper_enters_a_card_and_a_rating_for_someone_without_a_phone(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    wid = workshop["id"]
    desk = console(chromium, server, facilitator, workshop)
    desk.page.locator("#tafelhulp summary").click()
    desk.page.get_by_role("button", name="Maak een hulpcode").click()
    code = desk.page.locator("#helper-code-shown strong.code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    expect(desk.page.locator("#helper-codes")).to_contain_text("nog niet gebruikt")
    desk.accessible("a helper code made")
    if os.environ.get("ATELIER_LOOK_DIR"):
        desk.page.set_viewport_size({"width": 1280, "height": 900})
        desk.page.screenshot(path=f"{os.environ['ATELIER_LOOK_DIR']}/console-tafelhulp.png")

    helper = phone(chromium, "helper")
    page = helper.page
    page.goto(f"{server.url}/hulp")
    helper.accessible("the helper code form")
    page.fill("#code", code.inner_text())
    page.click("form button[type=submit]")
    page.wait_for_selector("#status[data-status=connected]")
    expect(page.locator("h1")).to_have_text("Iemand zonder telefoon helpen")
    expect(page.locator("#people")).to_contain_text("Nog niemand toegevoegd")
    page.locator("#add-person summary").click()
    page.select_option("#person-group", label="Inwoner")
    page.fill("#person-name", "Gerda")
    page.check("#person-consent")
    page.click("#add-form button[type=submit]")
    expect(page.locator("#people")).to_contain_text("Gerda — Inwoner")
    helper.accessible("a person added, in the lobby")

    annie = join(server, workshop["join_code"], "Annie", "inwoner")
    screen = projector(chromium, server, workshop)
    for label_ in ("Beschrijf het beeld", "De factor"):
        desk.page.click("#next")
        expect(page.locator("#card-label")).to_have_text(label_)
    page.fill("#card-text", "De bus rijdt niet meer na zessen")
    page.click("#card-submit")
    expect(page.locator("#people")).to_contain_text("De bus rijdt niet meer na zessen")
    helper.accessible("a factor entered for Gerda")
    helper.screenshot("helper-phone.png")
    if folder := os.environ.get("ATELIER_LOOK_DIR"):
        page.screenshot(path=f"{folder}/helper-phone-card.png", full_page=True)
    expect(screen.page.locator("#main")).to_contain_text("ingevoerd door tafelhulp")
    expect(desk.page.locator("#participants")).to_contain_text("Tafelhulp")
    expect(desk.page.locator("#participants")).to_contain_text(
        "Gerda · Inwoner · ingevoerd door tafelhulp"
    )
    expect(screen.page.locator("#main")).not_to_contain_text("Gerda")
    screen.accessible("an assisted card on the wall")

    # An agreement round on the waarom: the helper rates for Gerda.
    cookie = facilitator.cookie_header
    waarom = workshop_agenda(facilitator, wid).index("waarom")
    say(server, wid, "phase.set", cookie=cookie, index=waarom, open_items="close")
    proposal = say(
        server,
        wid,
        "proposal.create",
        token=annie["token"],
        kind="waarom",
        text="Samen dichtbij, ook zonder telefoon",
    )
    say(server, wid, "round.open", cookie=cookie, kind="waarom")
    form = page.locator("#enter-rating form")
    expect(form).to_contain_text("Samen dichtbij, ook zonder telefoon")
    form.locator("input[type=radio]").nth(1).check()  # 4: mostly agrees
    form.locator("button[type=submit]").click()
    expect(page.locator("#people")).to_contain_text("Beoordeling:")
    helper.accessible("a rating entered for Gerda")
    if folder := os.environ.get("ATELIER_LOOK_DIR"):
        page.screenshot(path=f"{folder}/helper-phone-rating.png", full_page=True)
    assert proposal["result"]["proposal_id"]

    # The facilitator enters for someone too: the console's link opens the same page.
    own = desk.context.new_page()
    own.goto(f"{server.url}/hulp/{wid}")
    own.wait_for_selector("#status[data-status=connected]")
    expect(own.locator("#people")).to_contain_text("Gerda — Inwoner")
    own.locator("#add-person summary").click()
    own.select_option("#person-group", label="Beleid")
    own.click("#add-form button[type=submit]")
    expect(own.locator("#people")).to_contain_text("Beleid")
    expect(own.locator("#enter-rating form")).to_have_count(1)

    # Revoking the used code takes the helper out, and the console says so.
    assert not helper.problems, helper.problems
    helper.context.close()
    codes = desk.page.locator("#helper-codes")
    codes.get_by_role("button", name="Intrekken").click()
    expect(desk.page.locator("#announcer")).to_have_text(
        "Hulpcode ingetrokken: de tafelhulp kan niets meer invoeren."
    )
    expect(codes).to_contain_text("ingetrokken")
    expect(desk.page.locator("#participants")).to_contain_text("Tafelhulp · vertrokken")
    expect(desk.page.locator("#participants")).to_contain_text("Gerda")
    for person in (desk, screen):
        assert not person.problems, person.problems
        person.context.close()

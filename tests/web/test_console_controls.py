"""The console in a real browser: steering the projector, choosing how a round reveals, and the
question before leaving a phase with a vote or round still open.

Phones are `websockets` clients (joined over HTTP like a phone does); the console and projector
are Chromium pages.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import ClientConnection, connect

from tests.realtime.helpers import join
from tests.support.server import Facilitator, Server
from tests.web.pages import console, projector

_cids = itertools.count(1)


class Phone:
    """A phone over a plain synchronous socket: sends a command, waits for its answer."""

    def __init__(self, server: Server, workshop: dict[str, Any], name: str, group: str) -> None:
        token = join(server, workshop["join_code"], name, group)["token"]
        # The events it does not read pile up unbounded (max_queue=None): with a bounded queue the
        # client stops reading once it is full, and closing then waited 7.5 s for the server's
        # close frame behind them.
        self.ws: ClientConnection = connect(
            f"{server.ws_url}/ws/workshops/{workshop['id']}", open_timeout=10, max_queue=None
        ).__enter__()
        self.ws.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))

    def command(self, type_: str, **fields: Any) -> dict[str, Any]:
        cid = f"phone-{next(_cids)}"
        self.ws.send(json.dumps({"type": type_, "cid": cid, **fields}))
        while True:
            message = json.loads(self.ws.recv(timeout=10))
            if message.get("cid") == cid:
                assert message["type"] == "ack", message
                return message

    def close(self) -> None:
        self.ws.close()


def test_the_console_steers_the_projector_and_asks_before_leaving(
    chromium: Any, server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    page = desk.page
    phones = [Phone(server, workshop, f"P{n}", "inwoner") for n in range(4)]
    try:
        # A dot vote with nothing to vote on cannot be opened: the reason, in Dutch.
        page.click("#agenda >> text=Prioriteren")
        expect(page.locator("#agenda li.current")).to_contain_text("Prioriteren")
        page.get_by_role("button", name="Stippenstemming openen").click()
        expect(page.locator("#feedback")).to_have_text(
            "Er is nog niets om op te stemmen: maak eerst clusters of verzamel kaarten."
        )

        # Steering the projector: next page, back to paging by itself, focus one card.
        page.click("#agenda >> text=Factoren")
        expect(page.locator("#agenda li.current")).to_contain_text("Factoren")
        for n in range(6):
            phones[n % 4].command("card.post", kind="factor", text=f"Factor {n} over de buurt")
        page.click("#screen-steer >> text=Volgende pagina")
        expect(page.locator("#screen-status")).to_have_text("Het scherm blijft op pagina 2.")
        page.click("#screen-steer >> text=Zelf laten bladeren")
        expect(page.locator("#screen-status")).to_have_text("Het scherm bladert zelf.")
        page.select_option("#screen-focus", label="Factor 3 over de buurt")
        expect(page.locator("#screen-status")).to_have_text("Het scherm toont één onderdeel groot.")
        desk.accessible("factoren, projector focused")

        # Leaving with the vote open asks first; "stay" changes nothing, "close" counts it.
        page.click("#agenda >> text=Prioriteren")
        expect(page.locator("#screen-status")).to_have_text("Het scherm bladert zelf.")
        page.get_by_role("button", name="Stippenstemming openen").click()
        expect(page.locator("#feedback")).not_to_have_class("feedback error")
        phones[0].command("vote.cast", target_type="card", target_id=1)
        page.click("#next")
        dialog = page.locator("#leave-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("De stemming met stippen loopt nog")
        desk.accessible("leave dialog")
        dialog.get_by_role("button", name="Hier blijven").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#agenda li.current")).to_contain_text("Prioriteren")
        page.click("#next")
        dialog.get_by_role("button", name="Sluiten en verder").click()
        expect(page.locator("#agenda li.current")).to_contain_text("Waarom")

        # A round revealed at close (the default): the console says so, and a cancelled round
        # leaves nothing behind.
        phones[0].command("proposal.create", kind="waarom", text="Niemand staat er alleen voor")
        page.get_by_role("button", name="Instemmingsronde openen").click()
        expect(page.locator("#controls")).to_contain_text(
            "De zaal ziet de uitslag als je de ronde sluit."
        )
        page.click("#next")
        expect(dialog).to_contain_text("Instemmingsronde 1 loopt nog")
        dialog.get_by_role("button", name="Afbreken en verder").click()
        expect(page.locator("#agenda li.current")).to_contain_text("Opgave")
        page.click("#agenda >> text=Waarom")
        expect(page.get_by_role("button", name="Instemmingsronde openen")).to_be_enabled()
        page.check("#round-live-waarom")
        page.get_by_role("button", name="Instemmingsronde openen").click()
        expect(page.locator("#controls")).to_contain_text(
            "De zaal ziet de uitslag terwijl die binnenkomt."
        )
        screen.accessible("round open, live")
    finally:
        for phone in phones:
            phone.close()
    assert not desk.problems and not screen.problems, desk.problems + screen.problems

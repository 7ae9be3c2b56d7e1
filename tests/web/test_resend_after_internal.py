"""A card posted during a database blip: the server answers ``internal``, the phone keeps the text
in its box and sends the command again (same cid) until it lands, exactly once.

PostgreSQL whatever ``ATELIER_TEST_DATABASE`` says: the blip is played from the SQL side, as in
tests/cluster/test_failures.py — every connection of the test's database ended and new ones refused
for a while, as a database restarting does to the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.cluster.helpers import connections_refused, terminate_backends
from tests.realtime.helpers import facilitator_client, goto
from tests.support.databases import postgres_database
from tests.support.loop import Loop
from tests.support.server import Server, facilitator_with_workshop
from tests.web.pages import join_by_form, phone

TEXT = "Gepost terwijl de database even weg was"


def answered_internal(page: Any, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``internal`` errors the page's socket received, waiting (up to 15 s) for the first."""
    for _ in range(150):
        internal = [f for f in frames if f.get("code") == "internal"]
        if internal:
            return internal
        page.wait_for_timeout(100)  # Playwright delivers the socket's frames meanwhile
    raise AssertionError(f"the server never answered internal: {frames[-3:]}")


def test_a_post_during_a_database_blip_arrives_once_and_the_box_keeps_it(
    chromium: Any, loop: Loop, tmp_path: Path
):
    with postgres_database() as url:
        server = Server(data_dir=tmp_path, database_url=url)
        server.start()
        try:
            fac_http, workshop = facilitator_with_workshop(server)
            desk = loop.run(facilitator_client(server, workshop, fac_http.cookie_header))
            loop.run(goto(desk, "factoren"))
            annie = phone(chromium, "annie")
            frames: list[dict[str, Any]] = []
            annie.page.on(
                "websocket",
                lambda ws: ws.on("framereceived", lambda f: frames.append(json.loads(f))),
            )
            join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
            expect(annie.page.locator("#phase-title")).to_have_text("Factoren")
            box = annie.page.locator("#post-text")

            with connections_refused(url):
                terminate_backends(url)  # the pool's connections and the listener: all gone
                box.fill(TEXT)
                annie.page.click("#post-form button[type=submit]")
                expect(annie.page.locator("#my-cards")).to_contain_text("Wacht op verzenden")
                internal = answered_internal(annie.page, frames)
                expect(box).to_have_value(TEXT)  # not thrown away
            # The database is back: the resend lands once; then the box empties.
            expect(annie.page.locator("#pending")).to_be_hidden(timeout=30_000)
            expect(box).to_have_value("")
            acks = [f for f in frames if f["type"] == "ack" and f["cid"] == internal[0]["cid"]]
            assert len(acks) == 1, "the resend went with the same cid"
            loop.run(desk.until_seq(acks[0]["seq"]))
            texts = [c["text"] for c in desk.state["cards"].values()]
            assert texts.count(TEXT) == 1, texts
            expect(annie.page.locator("#my-cards")).to_contain_text(TEXT)
            assert not [p for p in annie.problems if "WebSocket" not in p], annie.problems
            annie.context.close()
            loop.run(desk.close())
            fac_http.close()
        finally:
            server.stop()

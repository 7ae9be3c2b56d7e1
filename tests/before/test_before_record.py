"""The record says which cards came in beforehand, and how many per group (the k rule).

Real server and sockets; the exports are downloaded as the facilitator does.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from app.privacy import label_of, merge_small_groups
from tests.before.test_before_window import connect_phone, set_window
from tests.realtime.helpers import facilitator_client
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


async def test_the_record_and_the_exports_mark_the_cards_sent_in_beforehand(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await set_window(fac, -1, 1)
    phones = []
    for name, group in (
        ("Annie", "inwoner"),
        ("Dirk", "inwoner"),
        ("Fatma", "inwoner"),
        ("Esra", "beleid"),  # one person: below k (3), in no per-group figure
    ):
        phone, _ = await connect_phone(server, workshop, name, group)
        await phone.command("card.post", kind="factor", text=f"Vooraf van {name}")
        phones.append(phone)
    hidden = await phones[0].command("card.post", kind="factor", text="Iets om te verbergen")
    await fac.command("card.hide", card_id=hidden["result"]["card_id"], hidden=True)
    await fac.command("phase.set", index=2)  # factoren: the room starts
    await phones[1].command("card.post", kind="factor", text="In de zaal van Dirk")

    base = f"/api/workshops/{workshop['id']}"
    summary = facilitator.http.get(f"{base}/export.json").json()
    channels = {c["text"]: c["channel"] for c in summary["cards"]}
    assert channels["Vooraf van Annie"] == "before" and channels["In de zaal van Dirk"] == "room"
    assert "Iets om te verbergen" not in channels
    assert summary["before"]["cards"] == 4
    # Per group as the k rule shows groups (here Esra, alone in beleid, pools the figures); never
    # a group of one on its own.
    labels = merge_small_groups({"inwoner": 3, "beleid": 1}, 3)
    expected: dict[str, int] = {}
    for group in ("inwoner", "inwoner", "inwoner", "beleid"):
        if (shown := label_of(labels, group)) is not None:
            expected[shown] = expected.get(shown, 0) + 1
    assert summary["before"]["by_group"] == expected and "beleid" not in expected
    assert summary["before"]["min_group_size"] == 3
    markdown = facilitator.http.get(f"{base}/export.md").text
    assert "Vooraf van Annie (vooraf ingebracht)" in markdown
    assert "In de zaal van Dirk (vooraf" not in markdown
    assert "## Vooraf ingebrachte kaarten" in markdown
    english = facilitator.http.get(f"{base}/export.md?lang=en").text
    assert "(sent in beforehand)" in english and "## Cards sent in beforehand" in english
    rows = list(csv.DictReader(io.StringIO(facilitator.http.get(f"{base}/export/cards.csv").text)))
    assert {r["text"]: r["channel"] for r in rows}["Vooraf van Esra"] == "before"
    for client in (fac, *phones):
        await client.close()

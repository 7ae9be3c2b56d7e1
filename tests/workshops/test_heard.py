"""Who was heard: the figures are worked out once, on the server, and every reader shows those.

The count by hand is in ``test_chain_and_record.py``; here, the derived figures of stored shapes
and of nothing, the documented example, and one workshop read by the console's API, the
projector's state, the trajectory page and the exports.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from app.db import make_engine, session_scope
from app.privacy import OTHER_GROUPS
from app.workshops.heard import Heard
from app.workshops.models import Workshop
from app.workshops.presets import Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.support.server import Facilitator, Server

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
COUNTS = ("people", "cards", "proposals", "dots", "objections")
#: How the Dutch pages and exports name the groups of the workshop below.
NAMES = {
    "inwoner": "Inwoner",
    "beleid": "Beleid",
    "ketenpartner": "Ketenpartner",
    OTHER_GROUPS: "Overige groepen",
}


def counts_only(heard: dict[str, Any]) -> dict[str, Any]:
    """``heard`` as stored before the derived figures existed: the counts, k, the names."""
    line = lambda g: {"group": g["group"], **{c: g[c] for c in COUNTS}}  # noqa: E731
    return {
        "groups": [line(g) for g in heard["groups"]],
        "total": line(heard["total"]),
        "min_group_size": heard["min_group_size"],
        "under_heard": heard["under_heard"],
    }


def test_a_heard_stored_before_the_derived_figures_reads_back_with_them():
    stored = {
        "groups": [
            {
                "group": "inwoner",
                "people": 3,
                "cards": 1,
                "proposals": 0,
                "dots": 0,
                "objections": 0,
            },
            {
                "group": "beleid",
                "people": 5,
                "cards": 7,
                "proposals": 1,
                "dots": 0,
                "objections": 0,
            },
        ],
        "total": {"group": "", "people": 8, "cards": 8, "proposals": 1, "dots": 0, "objections": 0},
        "min_group_size": 3,
        "under_heard": ["inwoner"],
    }
    heard = Heard.model_validate(stored)
    inwoner, beleid = heard.groups
    # 1 of 9 said (11%) against 3 of 8 people (38%): under half its share.
    assert (inwoner.said, inwoner.shares.said, inwoner.shares.people) == (1, 11, 38)
    assert inwoner.under_heard and not beleid.under_heard
    assert (beleid.shares.cards, beleid.shares.proposals) == (88, 100)
    # No dots and no objections at all: no share of nothing, for a group or the total.
    assert inwoner.shares.dots is None and heard.total.shares.objections is None
    assert heard.total.shares.people == 100 and not heard.total.under_heard
    assert heard.pooled_group == OTHER_GROUPS
    # Derived figures given with the counts are worked out again: they cannot disagree.
    wrong = heard.model_dump()
    wrong["groups"][0]["shares"]["people"] = 99
    wrong["groups"][0]["under_heard"] = False
    assert Heard.model_validate(wrong) == heard


def test_the_documented_example_is_what_the_server_works_out():
    text = DOC.read_text(encoding="utf-8").split("### `screen.changed`", 1)[1]
    examples = [json.loads(e) for e in re.findall(r"```json\n(.*?)\n```", text, flags=re.S)]
    documented = next(e["screen"]["heard"] for e in examples if e["screen"].get("heard"))
    assert Heard.model_validate(counts_only(documented)).model_dump() == documented


def cells(row: str) -> list[str]:
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


def page_rows(page: str) -> list[list[str]]:
    """The body rows of the trajectory page's "who was heard" table, as text per cell."""
    table = page[page.index('id="heard-title"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [cells(row) for row in re.findall(r"<tr.*?</tr>", body, flags=re.S)]


def test_the_console_the_projector_the_trajectory_page_and_the_exports_agree(
    server: Server, facilitator: Facilitator
):
    """13 people, k = 3: inwoner 4, beleid 3, ketenpartner 3 are shown, bestuur 1 and zorg 2
    are pooled; ketenpartner says nothing, so it mostly listened."""
    trajectory = facilitator.post(
        "/api/trajectories",
        {"theme": "Eenzaamheid", "expected_groups": ["inwoner", "beleid", "ketenpartner"]},
    )
    facilitator_id = facilitator.get("/api/me")["id"]
    engine = make_engine(server.database_url)
    try:
        workshop, _ = create_workshop_row(
            engine, trajectory_id=trajectory["id"], title="Sessie", plan=Plan.from_request(None)
        )
        room = Runner(engine, workshop, facilitator_id)
        groups = ["inwoner"] * 4 + ["beleid"] * 3 + ["ketenpartner"] * 3 + ["bestuur"]
        people = [room.join(None, g) for g in [*groups, "zorg", "zorg"]]
        inwoners, beleid, zorg = people[:4], people[4:7], people[11:]
        f, do = room.facilitator, room.do
        room.phase("factoren")
        posted = [
            do(who, type="card.post", kind="factor", text=f"Factor {n}")["card_id"]
            for n, who in enumerate([*beleid, *beleid, inwoners[0], *zorg])
        ]
        room.phase("prioriteren")
        do(f, type="vote.open")
        for person in inwoners:
            do(person, type="vote.cast", target_type="card", target_id=posted[0])
        do(f, type="vote.close")
        for kind, author in (("waarom", beleid[0]), ("opgave", inwoners[1])):
            room.phase(kind)
            proposal = do(author, type="proposal.create", kind=kind, text=kind)["proposal_id"]
            round_id = do(f, type="round.open", kind=kind)["round_id"]
            for n, person in enumerate(people):
                objects = kind == "waarom" and n == 0
                do(
                    person,
                    type="rating.give",
                    round_id=round_id,
                    proposal_id=proposal,
                    score=1 if objects else 5,
                    reason="Niet van ons" if objects else "",
                )
            do(f, type="round.close", round_id=round_id)
            reason = "Gedragen op één na" if kind == "waarom" else ""
            do(f, type="proposal.adopt", proposal_id=proposal, reason=reason)
        room.phase("afronding")
        do(f, type="vertrekpunt.save")
        do(f, type="screen.view", page=None, focus=None, heard=True)
        with session_scope(engine) as session:
            shown = session.get(Workshop, room.workshop_id)
            assert shown is not None and shown.screen is not None
            projector = shown.screen["heard"]
    finally:
        engine.dispose()

    base = f"/api/workshops/{room.workshop_id}"
    console = facilitator.get(f"{base}/table")["heard"]
    by_group = {g["group"]: g for g in console["groups"]}
    assert list(by_group) == ["beleid", "inwoner", "ketenpartner", OTHER_GROUPS]
    assert console["under_heard"] == ["ketenpartner"] and by_group["ketenpartner"]["under_heard"]
    # 7 of 11 things said (64%) by 3 of 13 people (23%); the pooled 3 said 2 (18%).
    assert (by_group["beleid"]["said"], by_group["beleid"]["shares"]["said"]) == (7, 64)
    assert by_group[OTHER_GROUPS]["shares"] == {
        "people": 23,
        "cards": 22,
        "proposals": 0,
        "dots": 0,
        "objections": 0,
        "said": 18,
    }
    assert projector == console, "the projector shows what the console shows"

    exported = json.loads(facilitator.http.get(f"{base}/export.json").text)["heard"]
    assert exported == console

    page = facilitator.http.get(f"/trajectories/{trajectory['id']}").text
    assert page_rows(page) == [
        [
            NAMES[g["group"]] + (" (vooral geluisterd)" if g["under_heard"] else ""),
            *(str(g[c]) for c in COUNTS),
            f"{g['shares']['people']}%",
            f"{g['shares']['said']}%",
        ]
        for g in console["groups"]
    ]

    markdown = facilitator.http.get(f"{base}/export.md").text
    section = markdown[markdown.index("## Wie er gehoord is") :]
    for g in console["groups"]:
        row = [NAMES[g["group"]], *(f"{g[c]} ({g['shares'][c]}%)" for c in COUNTS)]
        assert "| " + " | ".join(row) + " |" in section, (row, section)
        share_row = [NAMES[g["group"]], f"{g['shares']['people']}%", f"{g['shares']['said']}%"]
        assert "| " + " | ".join(share_row) + " |" in section, (share_row, section)
    assert "Luisterde vooral: Ketenpartner" in section

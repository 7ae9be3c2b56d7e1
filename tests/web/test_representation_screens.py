"""Targets per expected group on the trajectory form and page, each group's distance on the
console and the projector, and the join question on the phone's form.

The trajectory form and the join form over HTTP (as a browser posts them); one browser test for
the screens that draw the distances, with axe-core on each.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.realtime.helpers import facilitator_client, join
from tests.support.loop import Loop
from tests.support.server import Facilitator, Server
from tests.web.pages import console, projector


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def words(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def trajectory_form(facilitator: Facilitator, **rows: Any) -> httpx.Response:
    """Make a trajectory through the form, with ``rows`` as the form's target rows."""
    new = facilitator.http.get("/trajectories/new")
    assert 'name="target"' in new.text, "the new form has a target row per suggested group"
    return facilitator.http.post(
        "/trajectories",
        data={
            "csrf_token": csrf(new.text),
            "theme": "Jongeren in het dorp",
            "expected_groups": "inwoner, beleid, Jongeren",
            **rows,
        },
    )


def test_the_form_sets_targets_and_refuses_a_target_that_is_not_a_number(
    server: Server, facilitator: Facilitator
):
    refused = trajectory_form(facilitator, target_group=["inwoner", "beleid"], target=["zes", "2"])
    assert refused.status_code == 400
    assert "Jongeren in het dorp" not in facilitator.http.get("/").text, "nothing was made"
    made = trajectory_form(
        facilitator,
        # Rows as the page shows them; Toeristen is not expected (dropped), beleid has no target.
        target_group=["inwoner", "beleid", "Jongeren", "Toeristen"],
        target=["6", "", "4", "3"],
        often_missing=["Jongeren", "Toeristen"],
    )
    assert made.status_code == 303
    assert "Jongeren in het dorp" in facilitator.http.get("/").text, "the list shows it now"
    page = facilitator.http.get(made.headers["location"])
    shown = words(page.text)
    assert "Inwoner: we hopen op 6" in shown
    assert "Beleid: geen doel" in shown
    assert "Jongeren: we hopen op 4 — vaak niet aan tafel" in shown
    assert "Toeristen" not in shown
    # The edit form (on the page) shows the rows as stored.
    assert re.search(r'name="target"[^>]*value="6"', page.text)
    assert re.search(r'value="Jongeren" checked', page.text)


def test_the_join_form_asks_whether_you_were_here_before_and_keeps_it_to_itself(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    code = workshop["join_code"]
    with httpx.Client(base_url=server.url) as phone:
        form = phone.get(f"/join/{code}")
        assert "Was je eerder bij een bijeenkomst van dit traject?" in words(form.text)
        assert not re.search(r'name="been_before"[^>]*checked', form.text), "nothing chosen"
        bad = phone.post(
            f"/join/{code}",
            data={
                "csrf_token": csrf(form.text),
                "stakeholder_group": "inwoner",
                "been_before": "misschien",
            },
        )
        assert bad.status_code == 400, "not one of the three: the form again"
        joined = phone.post(
            f"/join/{code}",
            data={
                "csrf_token": csrf(form.text),
                "stakeholder_group": "inwoner",
                "been_before": "nee",
            },
        )
        assert joined.status_code == 303
        own = phone.get(joined.headers["location"])
        assert "been_before" not in own.text
    record = facilitator.get(f"/api/workshops/{workshop['id']}/export.json")
    assert "been_before" not in str(record["participants"])
    # One person: fewer than k, so nothing per group, only the total.
    assert record["representation"]["new_voices"] == {
        "by_group": {},
        "total": {"ja": 0, "nee": 1, "weet_niet": 0, "geen_antwoord": 0},
    }


def test_console_and_projector_show_each_group_against_its_target(
    chromium: Any, loop: Loop, server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post(
        "/api/trajectories",
        {
            "theme": "Jongeren in het dorp",
            "expected_groups": ["inwoner", "beleid", "Jongeren"],
            "group_targets": {"inwoner": 3, "Jongeren": 2},
            "often_missing": ["Jongeren"],
        },
    )
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops", {"title": "Dorpsavond"}
    )
    for n in range(2):
        join(server, workshop["join_code"], f"Inwoner {n}", "inwoner")
    join(server, workshop["join_code"], "Bea", "beleid")
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    for page, where in ((desk.page, "#presence"), (screen.page, "#representation")):
        block = page.locator(f"{where} .targets")
        expect(block).to_contain_text("Tegenover wat we hoopten")
        expect(block).to_contain_text("Inwoner: 2 van 3")
        expect(block).to_contain_text("Beleid: 1")
        expect(block).to_contain_text("Jongeren: nog niemand (van 2) · vaak niet aan tafel")
    desk.accessible("the distances in the room")
    screen.accessible("the distances in the lobby")
    join(server, workshop["join_code"], "Inwoner 2", "inwoner")  # live: one more arrives
    expect(screen.page.locator("#representation .targets")).to_contain_text("Inwoner: 3 van 3")
    expect(desk.page.locator("#presence .targets")).to_contain_text("Inwoner: 3 van 3")

    # In the round's step, adopting while Jongeren is absent asks first, and says it after.
    room = loop.run(facilitator_client(server, workshop, facilitator.cookie_header))
    agenda = room.state["workshop"]["agenda"]  # type: ignore[index]
    loop.run(room.command("phase.set", index=agenda.index("waarom"), open_items="close"))
    made = loop.run(room.command("proposal.create", kind="waarom", text="Een dorp voor iedereen"))
    proposal = made["result"]["proposal_id"]
    row = desk.page.locator(f"li[data-proposal-id='{proposal}']")
    expect(desk.page.locator("#controls .targets")).to_contain_text("Jongeren: nog niemand (van 2)")
    row.locator("summary", has_text="Aannemen").click()
    box = row.locator(f"#adopt-box-{proposal}")
    expect(box).to_contain_text(
        "Niet iedereen op wie we hoopten zit aan tafel: Jongeren (0 van 2)."
    )
    box.locator("textarea").fill("De tijd is op")
    box.locator("button[type=submit]").click()
    expect(desk.page.locator("body")).to_contain_text("Vink eerst „toch aannemen” aan")
    assert room.state["proposals"][str(proposal)]["status"] == "open"  # type: ignore[index]
    desk.accessible("adopting asks first")
    box.get_by_label(
        "Toch aannemen; het verslag noemt de groepen die te weinig aan tafel zaten"
    ).check()
    box.locator("button[type=submit]").click()
    expect(row).to_contain_text(
        "Aangenomen terwijl deze groepen onder het doel zaten: Jongeren (0 van 2)"
    )
    loop.run(room.close())
    for watched in (desk, screen):
        assert not watched.problems, watched.problems
        watched.context.close()

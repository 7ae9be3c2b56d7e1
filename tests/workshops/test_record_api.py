"""The record's HTTP API: presets at creation, who is at the table, the current vertrekpunt,
and notes per SSD step. Real server, real database; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from app.db import make_engine
from tests.support.server import Facilitator, Server, facilitator_with_workshop
from tests.web.test_trajectory_pages import csrf
from tests.workshops.scripted import run_to_vertrekpunt


def vertrekpunten(
    server: Server, facilitator: Facilitator, made: list[tuple[dict[str, Any], str]]
) -> list[int]:
    """A workshop run to a saved vertrekpunt for each (trajectory, waarom); their ids."""
    me = facilitator.get("/api/me")["id"]
    engine = make_engine(server.database_url)
    try:
        return [
            run_to_vertrekpunt(
                engine,
                facilitator_id=me,
                trajectory_id=trajectory["id"],
                people=[("A", "inwoner")],
                waarom=waarom,
                opgave="Opgave",
                in_scope=[],
                core_themes=[],
            )[1]
            for trajectory, waarom in made
        ]
    finally:
        engine.dispose()


def test_presets_fill_in_the_agenda_and_explicit_choices_win(
    server: Server, facilitator: Facilitator
):
    presets = {p["key"]: p for p in facilitator.get("/api/presets")}
    assert {"startbijeenkomst", "herijking"} <= set(presets)
    assert sum(presets["startbijeenkomst"]["phase_minutes"]) == 120
    assert sum(presets["herijking"]["phase_minutes"]) == 60
    trajectory = facilitator.post("/api/trajectories", {"theme": "Groen in Grou"})
    base = f"/api/trajectories/{trajectory['id']}/workshops"
    kickoff = facilitator.post(base, {"title": "Start", "preset": "startbijeenkomst"})
    assert kickoff["agenda"] == presets["startbijeenkomst"]["agenda"]
    mine = facilitator.post(
        base,
        {
            "title": "Eigen",
            "agenda": ["lobby", "waarom", "clusteren", "waarom", "afronding"],
            "phase_minutes": [5, 20, 10, 15, 10],
            "settings": {"agree_share": 0.8, "dot_budget": 3},
        },
    )
    assert mine["agenda"] == ["lobby", "waarom", "clusteren", "waarom", "afronding"]
    assert mine["settings"]["agree_share"] == 0.8
    for bad in (
        {"title": "X", "preset": "bestaat-niet"},
        {"title": "X", "agenda": []},
        {"title": "X", "agenda": ["lobby"], "phase_minutes": [0]},
        {"title": "X", "agenda": ["koffie"]},
    ):
        assert facilitator.http.post(base, json=bad).status_code == 422, bad
    titles = [
        w["title"] for w in facilitator.get(f"/api/trajectories/{trajectory['id']}")["workshops"]
    ]
    assert titles == ["Start", "Eigen"]


def test_step_notes_are_kept_and_bad_ones_refused(server: Server, facilitator: Facilitator):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Groen in Grou"})
    url = f"/api/trajectories/{trajectory['id']}/steps"
    note = {
        "notes": "Interviews met 12 bewoners gepland.",
        "links": [{"title": "Interviewplan", "url": "https://intranet.example.nl/plan"}],
        "started_on": "2026-12-01",
        "ended_on": "2027-01-15",
    }
    saved = facilitator.http.put(f"{url}/2", json=note)
    assert saved.status_code == 200, saved.text
    for bad in (
        {**note, "links": [{"title": "x", "url": "javascript:alert(1)"}]},
        {**note, "ended_on": "2026-11-01"},
        {**note, "notes": "x" * 20001},
    ):
        assert facilitator.http.put(f"{url}/2", json=bad).status_code == 422
    assert facilitator.http.put(f"{url}/6", json=note).status_code == 422
    steps = facilitator.get(url)
    assert [s["step"] for s in steps] == [1, 2, 3, 4, 5]
    assert steps[1]["notes"] == note["notes"] and steps[1]["ended_on"] == "2027-01-15"
    assert steps[1]["links"] == [
        {"title": "Interviewplan", "url": "https://intranet.example.nl/plan"}
    ]
    assert steps[0]["workshops"] == [] and steps[2]["notes"] == ""


def test_the_current_vertrekpunt_changes_only_with_a_reason(
    server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post("/api/trajectories", {"theme": "Groen", "expected_groups": []})
    saved = vertrekpunten(server, facilitator, [(trajectory, "Eerst."), (trajectory, "Daarna.")])
    url = f"/api/trajectories/{trajectory['id']}/current"
    assert (
        facilitator.http.post(url, json={"vertrekpunt_id": saved[0], "reason": ""}).status_code
        == 422
    )
    again = facilitator.http.post(url, json={"vertrekpunt_id": saved[1], "reason": "x"})
    assert again.status_code == 409 and "already" in again.text
    assert (
        facilitator.http.post(url, json={"vertrekpunt_id": 999, "reason": "x"}).status_code == 404
    )
    too_big = {"vertrekpunt_id": 2**31, "reason": "x"}  # beyond the database's integer ids
    assert facilitator.http.post(url, json=too_big).status_code == 422
    assert (
        facilitator.get(f"/api/trajectories/{trajectory['id']}")["current_vertrekpunt_id"]
        == saved[1]
    )
    done = facilitator.post(url, {"vertrekpunt_id": saved[0], "reason": "Herijking ingetrokken"})
    assert done == {"current_vertrekpunt_id": saved[0], "reason": "Herijking ingetrokken"}
    kept = facilitator.get(f"/api/trajectories/{trajectory['id']}")["current_changes"]
    assert [(c["vertrekpunt_id"], c["reason"]) for c in kept] == [
        (saved[0], "Herijking ingetrokken"),
        (saved[1], "saved"),
        (saved[0], "saved"),
    ]
    # Someone the trajectory is not shared with gets nothing, and changes nothing.
    stranger, _ = facilitator_with_workshop(server)
    assert (
        stranger.http.post(url, json={"vertrekpunt_id": saved[1], "reason": "x"}).status_code == 404
    )
    assert stranger.http.get(f"/api/trajectories/{trajectory['id']}/steps").status_code == 404
    stranger.close()
    assert (
        facilitator.get(f"/api/trajectories/{trajectory['id']}")["current_vertrekpunt_id"]
        == saved[0]
    )


def test_at_the_table_is_for_the_workshops_facilitators(
    server: Server, facilitator: Facilitator, workshop
):
    from tests.realtime.helpers import join

    for i in range(4):
        join(server, workshop["join_code"], None, "inwoner" if i < 3 else "beleid")
    table = facilitator.get(f"/api/workshops/{workshop['id']}/table")
    assert table["heard"]["total"]["people"] == 4
    # beleid (1) is pooled with inwoner (3) so the one person from beleid is not singled out.
    assert [g["group"] for g in table["heard"]["groups"]] == ["overige groepen"]
    assert table["trajectory"]["workshops"][0]["missing"] == ["ervaringsdeskundige", "ketenpartner"]
    stranger, _ = facilitator_with_workshop(server)
    assert stranger.http.get(f"/api/workshops/{workshop['id']}/table").status_code == 404
    stranger.close()
    assert httpx.get(f"{server.url}/api/workshops/{workshop['id']}/table").status_code == 401


def test_the_api_and_the_page_refuse_another_trajectorys_vertrekpunt_alike(
    server: Server, facilitator: Facilitator
):
    """One decision (``history.make_current``) behind both: a vertrekpunt of another trajectory
    is "not found" for the API (404) and for the page (its not-found message); the normal case
    changes the current one from either."""
    mine = facilitator.post("/api/trajectories", {"theme": "Groen", "expected_groups": []})
    other = facilitator.post("/api/trajectories", {"theme": "Grijs", "expected_groups": []})
    first, second, elsewhere = vertrekpunten(
        server, facilitator, [(mine, "Eerst."), (mine, "Daarna."), (other, "Elders.")]
    )
    api = f"/api/trajectories/{mine['id']}/current"
    page_url = f"/trajectories/{mine['id']}"

    def current(trajectory: dict) -> int:
        return facilitator.get(f"/api/trajectories/{trajectory['id']}")["current_vertrekpunt_id"]

    by_api = facilitator.http.post(api, json={"vertrekpunt_id": elsewhere, "reason": "x"})
    assert by_api.status_code == 404 and by_api.json()["detail"] == "No such vertrekpunt."
    form = {"csrf_token": csrf(facilitator.http.get(page_url).text), "reason": "x"}
    by_page = facilitator.http.post(
        f"{page_url}/current", data={**form, "vertrekpunt_id": str(elsewhere)}
    )
    assert "Dat vertrekpunt hoort niet bij dit traject." in by_page.text
    assert "hoort bij een ander traject" not in by_page.text
    missing = facilitator.http.post(f"{page_url}/current", data={**form, "vertrekpunt_id": "999"})
    assert "Dat vertrekpunt hoort niet bij dit traject." in missing.text, "the same as missing"
    assert (current(mine), current(other)) == (second, elsewhere), "nothing changed"

    made = facilitator.post(api, {"vertrekpunt_id": first, "reason": "Terug naar het eerste"})
    assert made == {"current_vertrekpunt_id": first, "reason": "Terug naar het eerste"}
    back = facilitator.http.post(
        f"{page_url}/current",
        data={**form, "vertrekpunt_id": str(second), "reason": "Toch het tweede"},
    )
    assert back.status_code == 303
    assert current(mine) == second
    kept = facilitator.get(f"/api/trajectories/{mine['id']}")["current_changes"]
    assert [(c["vertrekpunt_id"], c["reason"]) for c in kept][:2] == [
        (second, "Toch het tweede"),
        (first, "Terug naar het eerste"),
    ]

"""The facilitator's trajectory pages over HTTP: create, steps, reframing, history, delete."""

from __future__ import annotations

import re

import httpx

from tests.support.server import Facilitator, Server


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_trajectory_pages_create_edit_and_delete(server: Server, facilitator: Facilitator):
    browser = facilitator.http
    new = browser.get("/trajectories/new")
    assert new.status_code == 200
    created = browser.post(
        "/trajectories",
        data={
            "csrf_token": csrf(new.text),
            "theme": "Meer groen in Grou",
            "expected_groups": "inwoner, ketenpartner, bestuur",
        },
    )
    assert created.status_code == 303
    page_url = created.headers["location"]
    page = browser.get(page_url)
    assert "Meer groen in Grou" in page.text and 'aria-current="step"' in page.text
    assert "Samenwerking inrichten en vraagstuk afbakenen" in page.text
    stepped = browser.post(
        f"{page_url}/step", data={"csrf_token": csrf(page.text), "ssd_step": "3"}
    )
    assert stepped.status_code == 303
    page = browser.get(page_url)
    current = re.search(r'aria-current="step"[^>]*>\s*([^<]+)', page.text)
    assert current and "Herdefiniëren" in current.group(1)
    english = browser.get(f"{page_url}?lang=en")
    assert "Reframe the mission" in english.text and 'lang="en"' in english.text
    browser.get(f"{page_url}?lang=nl")

    made = browser.post(
        f"{page_url}/workshops",
        data={
            "csrf_token": csrf(page.text),
            "title": "Buurtsessie",
            "theme_question": "Waar mist groen?",
            "language": "nl",
        },
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/console/")
    workshop_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = browser.get(page_url)
    assert "Buurtsessie" in page.text
    refused = browser.post(f"/workshops/{workshop_id}/delete", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 400, "deletion needs the explicit confirmation"
    no_csrf = httpx.post(
        f"{server.url}/workshops/{workshop_id}/delete",
        data={"confirm": "yes"},
        cookies=dict(browser.cookies),
    )
    assert no_csrf.status_code == 403
    deleted = browser.post(
        f"/workshops/{workshop_id}/delete", data={"csrf_token": csrf(page.text), "confirm": "yes"}
    )
    assert deleted.status_code == 303
    assert "Buurtsessie" not in browser.get(page_url).text
    other = httpx.get(f"{server.url}{page_url}")
    assert other.status_code == 401, "only its facilitator sees a trajectory"


def test_trajectory_page_shows_what_a_reframing_changed(server: Server, facilitator: Facilitator):
    from app.db import make_engine
    from tests.workshops.scripted import run_to_vertrekpunt

    engine = make_engine(server.database_url)
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Groen in Grou", "expected_groups": ["inwoner", "beleid"]}
    )
    facilitator_id = facilitator.get("/api/me")["id"]
    for people, waarom, scope, reframe in (
        ([("Annie", "inwoner")], "Meer groen.", ["parken"], False),
        (
            [("Bram", "inwoner"), ("Esra", "beleid")],
            "Groen dichtbij huis.",
            ["parken", "geveltuinen"],
            True,
        ),
    ):
        run_to_vertrekpunt(
            engine,
            facilitator_id=facilitator_id,
            trajectory_id=trajectory["id"],
            people=people,
            waarom=waarom,
            opgave="Opgave",
            in_scope=scope,
            core_themes=[],
            reframe=reframe,
        )
    engine.dispose()
    page = facilitator.http.get(f"/trajectories/{trajectory['id']}").text
    assert "Geschiedenis van vertrekpunten" in page
    assert "Nu binnen de opgave: geveltuinen" in page
    assert "Nieuw aan tafel: Beleid" in page
    assert "Groen dichtbij huis." in page and "Meer groen." in page
    api = facilitator.get(f"/api/trajectories/{trajectory['id']}")
    assert api["history"][0]["changes"]["in_scope"]["added"] == ["geveltuinen"]

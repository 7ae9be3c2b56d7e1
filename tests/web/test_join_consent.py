"""Asking for a name in the record at joining, and saying where everything goes.

A real server: the join form (over HTTP, as a phone posts it), ``POST /api/join``, the export a
facilitator downloads, and the privacy page, in Dutch and English.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.support.server import Facilitator, Server

CONSENT_NL = "Mijn naam mag bij mijn kaarten in het verslag"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def words(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def join_by_form(server: Server, code: str, name: str, **extra: str) -> None:
    with httpx.Client(base_url=server.url) as phone:
        form = phone.get(f"/join/{code}")
        assert form.status_code == 200
        joined = phone.post(
            f"/join/{code}",
            data={
                "csrf_token": csrf(form.text),
                "display_name": name,
                "stakeholder_group": "inwoner",
                **extra,
            },
        )
        assert joined.status_code == 303, joined.text


def test_the_join_form_asks_for_the_name_in_the_record_unticked(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    code = workshop["join_code"]
    form = httpx.get(f"{server.url}/join/{code}")
    box = re.search(r'<input id="name_in_verslag"[^>]*>', form.text)
    assert box is not None and "checked" not in box.group(0), "unticked unless ticked"
    assert CONSENT_NL in words(form.text)
    english = httpx.get(f"{server.url}/join/{code}?lang=en")
    assert "My name may go with my cards in the report" in words(english.text)

    join_by_form(server, code, "Sanne de Vries", name_in_verslag="on")
    join_by_form(server, code, "Peter Jansen")
    api = httpx.post(
        f"{server.url}/api/join",
        json={
            "code": code,
            "display_name": "Karin Bos",
            "stakeholder_group": "beleid",
            "name_in_verslag": True,
        },
    )
    assert api.status_code == 201, api.text
    record = facilitator.get(f"/api/workshops/{workshop['id']}/export.json")
    named = {p["display_name"] for p in record["participants"] if p["display_name"]}
    assert named == {"Sanne de Vries", "Karin Bos"}, "Peter did not tick the box"
    assert all(p["contribution"] is None for p in record["participants"])


def test_an_anonymous_workshop_asks_for_no_name_and_says_the_report_has_none(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    anonymous = facilitator.post(
        f"/api/trajectories/{workshop['trajectory_id']}/workshops",
        {"title": "Anoniem", "settings": {"anonymous": True}},
    )
    form = words(httpx.get(f"{server.url}/join/{anonymous['join_code']}").text)
    assert CONSENT_NL not in form and 'name="name_in_verslag"' not in form
    assert "In het verslag van deze sessie staan geen namen." in form


def test_the_privacy_page_says_what_goes_in_the_report(server: Server):
    dutch = words(httpx.get(f"{server.url}/privacy").text)
    assert "Wat er in het verslag staat" in dutch
    assert f"alleen als je bij het meedoen “{CONSENT_NL}” aanvinkte" in dutch
    assert "Je drijfveer, alleen als je “Mag zonder naam in het verslag” koos" in dutch
    assert "staat nooit iemands drijfveer" not in dutch, "consented drijfveren are in it"
    english = words(httpx.get(f"{server.url}/privacy?lang=en").text)
    assert "What goes in the report" in english
    assert "only if you ticked “My name may go with my cards in the report”" in english

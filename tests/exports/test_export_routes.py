"""Exports over HTTP for the facilitator, and anonymity on every page of an anonymous workshop."""

from __future__ import annotations

import io

import docx
import httpx
import openpyxl
import pytest
from odf import teletype
from odf.opendocument import load as load_odt

from tests.realtime.helpers import facilitator_client, join
from tests.support.client import RoomClient
from tests.support.server import Facilitator, Server

pytestmark = pytest.mark.anyio


async def test_exports_download_for_the_facilitator_only(
    server: Server, facilitator: Facilitator, workshop
):
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await fac.command("phase.set", index=2)
    await fac.command("card.post", kind="factor", text="Buurthuis dicht")
    base = f"/api/workshops/{workshop['id']}"
    expected = {
        "export.md": "text/markdown",
        "export.html": "text/html",
        "export.pdf": "application/pdf",
        "export.json": "application/json",
        "export/cards.csv": "text/csv",
        "export/dots.csv": "text/csv",
        "export/ratings.csv": "text/csv",
        "export/chain.csv": "text/csv",
        "export/rounds.csv": "text/csv",
        "export/heard.csv": "text/csv",
        "export/consented.csv": "text/csv",
        "export.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "export.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "export.odt": "application/vnd.oasis.opendocument.text",
    }
    for path, media in expected.items():
        response = facilitator.http.get(f"{base}/{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media)
        assert response.headers["content-disposition"].startswith(
            'attachment; filename="startbijeenkomst-'
        )
    word = docx.Document(io.BytesIO(facilitator.http.get(f"{base}/export.docx?lang=en").content))
    assert "Buurthuis dicht" in "\n".join(p.text for p in word.paragraphs)
    book = openpyxl.load_workbook(io.BytesIO(facilitator.http.get(f"{base}/export.xlsx").content))
    assert "Buurthuis dicht" in [row[2] for row in book["Kaarten"].iter_rows(values_only=True)]
    odt = facilitator.http.get(f"{base}/export.odt")
    assert "Buurthuis dicht" in teletype.extractText(load_odt(io.BytesIO(odt.content)).text)
    assert odt.headers["content-disposition"].endswith('.odt"')
    english = facilitator.http.get(f"{base}/export.md?lang=en").text
    assert "## Why" in english and "## Waarom" in facilitator.http.get(f"{base}/export.md").text
    html = facilitator.http.get(f"{base}/export.html")
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert facilitator.http.get(f"{base}/export.exe").status_code == 404
    assert facilitator.http.get(f"{base}/export/secrets.csv").status_code == 404
    assert httpx.get(f"{server.url}{base}/export.json").status_code == 401
    await fac.close()


async def test_an_anonymous_workshop_shows_no_name_anywhere(
    server: Server, facilitator: Facilitator
):
    trajectory = facilitator.post(
        "/api/trajectories", {"theme": "Anoniem", "expected_groups": ["inwoner"]}
    )
    workshop = facilitator.post(
        f"/api/trajectories/{trajectory['id']}/workshops",
        {"title": "Anoniem", "settings": {"anonymous": True}},
    )
    joined = join(
        server,
        workshop["join_code"],
        "Hendrikus Pietersma",
        "inwoner",
        organisation="Stichting Pietersma",
    )
    person = await RoomClient.connect(server.ws_url, workshop["id"], token=joined["token"])
    fac = await facilitator_client(server, workshop, facilitator.cookie_header)
    await fac.command("phase.set", index=2)
    ack = await person.command("card.post", kind="factor", text="Te weinig bankjes")
    await fac.until_seq(ack["seq"])
    cookie = {f"atelier_participant_{workshop['id']}": joined["token"]}
    seen = [
        repr(fac.messages),
        repr(person.messages),
        httpx.get(f"{server.url}/w/{workshop['id']}", cookies=cookie).text,
        facilitator.http.get(f"/console/{workshop['id']}").text,
        facilitator.http.get(f"/trajectories/{trajectory['id']}").text,
        *(
            facilitator.http.get(f"/api/workshops/{workshop['id']}/{p}").text
            for p in (
                "export.md",
                "export.html",
                "export.json",
                "export/cards.csv",
                "export/ratings.csv",
                "export/chain.csv",
                "export/consented.csv",
            )
        ),
    ]
    for text in seen:
        assert "Hendrikus" not in text and "Pietersma" not in text
    assert "Te weinig bankjes" in seen[0]
    await person.close()
    await fac.close()

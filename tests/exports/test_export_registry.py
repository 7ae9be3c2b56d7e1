"""The export registry is the one list of formats: every record downloads as it says, every list
(console, trajectory page, ``atelier export --format``) offers what it holds, and importing it,
the app or the command line loads no renderer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.exports.registry import FORMATS, SUMMARIES, TABLES
from app.i18n import translations
from tests.support.server import Facilitator, Server

ROOT = Path(__file__).resolve().parents[2]
#: The libraries and modules that make files: none of them may load before a download.
RENDERING = re.compile(r"^(reportlab|docx|openpyxl|odf)(\.|$)|^app\.exports\.(?!registry$|routes$)")


def test_every_registered_format_is_offered_and_downloads_as_registered(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    workshop_id = workshop["id"]
    console = facilitator.http.get(f"/console/{workshop_id}").text
    block = re.search(r'<script type="application/json" id="downloads">(.*?)</script>', console)
    assert block, "the console page carries the download list"
    dutch = translations("nl").gettext
    assert json.loads(block.group(1)) == [
        {"path": f.url(workshop_id), "label": dutch(f.label)} for f in FORMATS
    ]
    assert "Kaarten (CSV)" in block.group(1), "labels in the page's language"
    trajectory = facilitator.http.get(f"/trajectories/{workshop['trajectory_id']}").text
    offered = re.search(r'<p class="exports">(.*?)</p>', trajectory, re.S)
    assert offered
    assert re.findall(r'href="([^"]+)" download', offered.group(1)) == [
        f.url(workshop_id) for f in SUMMARIES.values()
    ]

    # One workshop, every record: checked all before failing, so one broken format names itself
    # without hiding the others.
    wrong = []
    for fmt in FORMATS:
        response = facilitator.http.get(fmt.url(workshop_id))
        disposition = response.headers.get("content-disposition", "")
        named = re.fullmatch(r'attachment; filename="startbijeenkomst-(.+)"', disposition)
        seen = (
            response.status_code,
            response.headers.get("content-type"),
            bool(response.content),
            named.group(1) if named else disposition,
        )
        table = f"{fmt.table}-" if fmt.table else ""
        date = r"\d{4}-\d{2}-\d{2}"
        if seen[:3] != (200, fmt.media_type, True) or not re.fullmatch(
            rf"{table}{date}\.{fmt.extension}", seen[3]
        ):
            wrong.append((fmt.name, seen))
    assert not wrong, wrong
    assert facilitator.http.get(f"/api/workshops/{workshop_id}/export.cards.csv").status_code == 404
    refused = facilitator.http.get(f"/api/workshops/{workshop_id}/export.exe")
    assert refused.status_code == 404 and ", ".join(SUMMARIES) in refused.json()["detail"]
    refused = facilitator.http.get(f"/api/workshops/{workshop_id}/export/secrets.csv")
    assert refused.status_code == 404 and ", ".join(TABLES) in refused.json()["detail"]


def test_the_command_line_offers_exactly_the_registered_formats(
    capsys: pytest.CaptureFixture[str],
):
    with pytest.raises(SystemExit) as exit:
        main(["export", "--help"])
    assert exit.value.code == 0
    choices = re.search(r"--format \{([^}]*)\}", capsys.readouterr().out)
    assert choices, "the help lists the --format choices"
    assert choices.group(1).split(",") == [f.name for f in FORMATS]


@pytest.mark.parametrize("module", ["app.exports.registry", "app.cli", "app.main"])
def test_listing_the_formats_loads_no_renderer(module: str):
    """In a fresh interpreter: what the app, ``atelier`` and the registry import at start."""
    loaded = subprocess.run(
        [sys.executable, "-c", f"import {module}, sys; print('\\n'.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "app.exports.registry" in loaded, "the test would prove nothing"
    assert [name for name in loaded if RENDERING.search(name)] == []
    if module == "app.exports.registry":
        assert sorted(n for n in loaded if n.split(".")[0] == "app") == [
            "app",
            "app.exports",
            "app.exports.registry",
            "app.labels",
        ]

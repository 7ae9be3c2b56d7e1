"""The workshop's vocabulary reaches the scripts from the server: built from the Python sources,
translated into the page's language, embedded once in every page with a script, and declared
nowhere in the scripts themselves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import labels
from app.i18n import LANGUAGES, translations
from app.privacy import OTHER_GROUPS
from app.types import (
    CARD_PHASE,
    STAKEHOLDER_GROUPS,
    TAGGING_PHASES,
    CardKind,
    Contribution,
    Phase,
    Tag,
    World,
)
from app.web.vocabulary import vocabulary
from app.workshops.presets import TYPICAL_MINUTES
from tests.support.server import Facilitator, Server

SCRIPTS = Path(__file__).resolve().parents[2] / "app" / "static" / "js"
EMBEDDED = re.compile(r'<script type="application/json" id="vocabulary">(.*?)</script>', re.S)


def keys(entries: list[dict[str, Any]]) -> list[Any]:
    return [entry["key"] for entry in entries]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_vocabulary_is_the_python_sources_translated(language: str):
    said = vocabulary(language)
    gettext = translations(language).gettext
    assert keys(said["phases"]) == [phase.value for phase in Phase]
    for entry in said["phases"]:
        phase = Phase(entry["key"])
        assert entry["name"] == gettext(labels.PHASES[phase.value])
        assert entry["minutes"] == TYPICAL_MINUTES[phase]
        posted = [kind.value for kind, where in CARD_PHASE.items() if where == phase]
        assert entry["kind"] == (posted[0] if posted else None)
        assert entry["tagging"] == (phase in TAGGING_PHASES)
    assert keys(said["kinds"]) == [kind.value for kind in CardKind]
    for entry in said["kinds"]:
        assert entry["phase"] == CARD_PHASE[CardKind(entry["key"])].value
        assert entry["name"] == gettext(labels.CARD_KINDS[entry["key"]])
    for table, enum, names in (
        ("worlds", World, labels.WORLDS),
        ("tags", Tag, labels.TAGS),
        ("contributions", Contribution, labels.CONTRIBUTIONS),
    ):
        assert keys(said[table]) == [member.value for member in enum], table
        assert [e["name"] for e in said[table]] == [gettext(names[m.value]) for m in enum]
    assert keys(said["groups"]) == list(STAKEHOLDER_GROUPS)
    assert [e["name"] for e in said["groups"]] == [
        gettext(labels.GROUPS[g]) for g in STAKEHOLDER_GROUPS
    ]
    assert keys(said["scores"]) == list(labels.SCORES) == [5, 4, 3, 2, 1]
    assert said["pooled_group"] == {
        "key": OTHER_GROUPS,
        "name": gettext(labels.POOLED_GROUPS),
    }


def test_the_names_are_in_the_pages_language():
    dutch, english = vocabulary("nl"), vocabulary("en")
    assert [e["name"] for e in dutch["phases"]][1:4] == ["Beelden", "Factoren", "Consequenties"]
    assert [e["name"] for e in english["phases"]][1:4] == ["Images", "Factors", "Consequences"]
    assert dutch["pooled_group"]["name"] == "Overige groepen"
    assert english["tags"][0]["name"] == "Sting"


def embedded(html: str) -> dict[str, Any] | None:
    found = EMBEDDED.search(html)
    return json.loads(found.group(1)) if found else None


def test_every_page_with_a_script_embeds_it_once(
    server: Server, facilitator: Facilitator, workshop: dict[str, Any]
):
    console = facilitator.http.get(f"/console/{workshop['id']}")
    assert console.status_code == 200
    assert console.text.count('id="vocabulary"') == 1
    assert embedded(console.text) == vocabulary("nl")
    trajectory = facilitator.http.get(f"/trajectories/{workshop['trajectory_id']}")
    assert embedded(trajectory.text) == vocabulary("nl")  # the agenda form's typical minutes
    english = facilitator.http.get(f"/console/{workshop['id']}?lang=en")
    assert embedded(english.text) == vocabulary("en")
    screen = httpx.get(f"{server.url}/screen/{workshop['id']}", timeout=10)
    assert embedded(screen.text) == vocabulary("nl")
    join = httpx.get(f"{server.url}/join/{workshop['join_code']}", timeout=10)
    assert join.status_code == 200 and embedded(join.text) is None  # no script, no vocabulary


def test_the_scripts_do_not_declare_it_again():
    """labels.js reads what the server sent; no script keeps its own copy of a table."""
    assert not re.search(r"\bt\(", (SCRIPTS / "labels.js").read_text(encoding="utf-8"))  # no t()
    copies = [
        OTHER_GROUPS,  # the pooled groups' key (app/privacy.py)
        *(f'{phase.value}: "{kind.value}"' for kind, phase in CARD_PHASE.items()),
        *(f"{phase.value}: {minutes}," for phase, minutes in TYPICAL_MINUTES.items()),
        '["angel", "kiem", "hefboom"]',
        '["clusteren", "prioriteren", "waarom", "opgave"]',  # where tags are given
        '["leefwereld", "systeemwereld"]',
    ]
    found = [
        f"{path.name}: {copy}"
        for path in sorted(SCRIPTS.glob("*.js"))
        for copy in copies
        if copy in path.read_text(encoding="utf-8")
    ]
    assert not found, found

"""What a person agreed to when joining is what every export says about them.

Two workshops are run through the real command executor on a real database: a named one with
people who took part with a name and agreed to have it in the record, people who took part with a
name and did not, and people who took part anonymously; and an anonymous one. Every format in
the registry is rendered in Dutch and English and read back with its own library (pypdf,
python-docx, odfpy, openpyxl, csv, json), and each person's name and wished contribution is
checked against what they chose, as is the absence of hidden (moderated) cards.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docx
import openpyxl
import pytest
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt
from pypdf import PdfReader

from app.db import session_scope
from app.exports.registry import FORMATS
from app.exports.summary import Summary, build_summary
from app.privacy import DEFAULT_K, OTHER_GROUPS
from app.realtime.commands import Actor
from app.workshops.heard import heard
from tests.accounts.factories import migrated_engine
from tests.support.databases import database_url
from tests.workshops.scripted import new_room

HIDDEN_LOOSE = "Verborgen kaart met een scheldwoord"
HIDDEN_CLUSTERED = "Verborgen kaart in het cluster"
WISHED = "meeformuleren"  # what everyone who agreed to share their wish chose
PRIVATE_WISHES = ("ondersteunen", "aan_tafel")  # what the others chose, for the facilitator


@dataclass(frozen=True)
class Person:
    name: str | None
    group: str
    name_in_verslag: bool
    contribution: str
    contribution_use: str
    card: str


PEOPLE = [
    Person("Sanne de Vries", "inwoner", True, WISHED, "record", "Kaart een: bus rijdt niet"),
    Person("Peter Jansen", "inwoner", False, "ondersteunen", "facilitator", "Kaart twee: dicht"),
    Person(None, "inwoner", True, WISHED, "record", "Kaart drie: alleen thuis"),
    Person("Karin Bos", "beleid", True, WISHED, "record", "Kaart vier: regels knellen"),
    Person("Joost Visser", "beleid", False, "aan_tafel", "facilitator", "Kaart vijf: geld"),
    Person(None, "beleid", False, "ondersteunen", "facilitator", "Kaart zes: tijd"),
]
AGREED = [p for p in PEOPLE if p.name and p.name_in_verslag]
NOT_AGREED = [p for p in PEOPLE if p.name and not p.name_in_verslag]


@dataclass
class Room:
    summary: Summary
    texts: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes | str] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    heard_cards: int = 0


def run(engine: Any, *, anonymous: bool) -> Room:
    """A workshop with every kind of person, a cluster, a dot vote, an adopted waarom, and two
    cards the facilitator hid (one had a dot, one was in the cluster)."""
    room = new_room(
        engine,
        ["inwoner", "beleid"],
        title="Startbijeenkomst",
        theme_question="Wat maakt ouderen eenzaam?",
        anonymous=anonymous,
    )
    actors = {
        p.card: room.join(
            p.name,
            p.group,
            name_in_verslag=p.name_in_verslag,
            contribution=p.contribution,
            contribution_use=p.contribution_use,
            drijfveer=f"Drijfveer bij {p.card}",
        )
        for p in PEOPLE
    }
    room.phase("factoren")
    cards = {
        text: room.do(actor, type="card.post", kind="factor", text=text)["card_id"]
        for text, actor in actors.items()
    }
    sanne = actors[PEOPLE[0].card]
    cards[HIDDEN_LOOSE] = room.do(sanne, type="card.post", kind="factor", text=HIDDEN_LOOSE)[
        "card_id"
    ]
    cards[HIDDEN_CLUSTERED] = room.do(
        sanne, type="card.post", kind="factor", text=HIDDEN_CLUSTERED
    )["card_id"]
    room.phase("clusteren")
    room.do(
        room.facilitator,
        type="cluster.create",
        title="Vervoer en ontmoeten",
        card_ids=[cards[PEOPLE[0].card], cards[HIDDEN_CLUSTERED]],
    )
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open")
    for text in (HIDDEN_LOOSE, PEOPLE[1].card):
        room.do(sanne, type="vote.cast", target_type="card", target_id=cards[text])
    room.do(room.facilitator, type="vote.close")
    for text in (HIDDEN_LOOSE, HIDDEN_CLUSTERED):
        room.do(room.facilitator, type="card.hide", card_id=cards[text], hidden=True)
    room.phase("waarom")
    peter = actors[PEOPLE[1].card]
    proposal = room.do(
        peter,
        type="proposal.create",
        kind="waarom",
        text="Niemand hoeft alleen te zijn.",
        cited_card_ids=[cards[PEOPLE[1].card], cards[PEOPLE[0].card]],
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for actor in actors.values():
        room.do(actor, type="rating.give", round_id=round_id, proposal_id=proposal, score=5)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal)

    summary = build_summary(engine, workshop_id=room.workshop_id)
    assert summary is not None
    with session_scope(engine) as session:
        counted = heard(session, room.workshop_id, DEFAULT_K).total.cards
    made = Room(summary, actors={"peter": peter, "sanne": sanne}, heard_cards=counted)
    for fmt in FORMATS:
        for language in ("nl", "en"):
            body = fmt.render(summary, language=language, images=None)
            made.files[f"{fmt.name}-{language}"] = body
            made.texts[f"{fmt.name}-{language}"] = read(fmt.extension, body)
    return made


def read(extension: str, body: bytes | str) -> str:
    """The text of an export as its own library reads it back."""
    if extension == "pdf":
        assert isinstance(body, bytes)
        pages = PdfReader(io.BytesIO(body)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())
    if extension == "docx":
        assert isinstance(body, bytes)
        word = docx.Document(io.BytesIO(body))
        lines = [p.text for p in word.paragraphs]
        lines += [c.text for table in word.tables for row in table.rows for c in row.cells]
        return "\n".join(lines)
    if extension == "odt":
        assert isinstance(body, bytes)
        opened = load_odt(io.BytesIO(body))
        return "\n".join(
            teletype.extractText(element)
            for kind in (odf_text.H, odf_text.P)
            for element in opened.getElementsByType(kind)
        )
    if extension == "xlsx":
        assert isinstance(body, bytes)
        book = openpyxl.load_workbook(io.BytesIO(body))
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if extension == "csv":
        assert isinstance(body, str)
        return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(body)))
    if extension == "json":
        assert isinstance(body, str)
        return json.dumps(json.loads(body), ensure_ascii=False)
    assert isinstance(body, str)
    if extension == "html":
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    return body  # Markdown: names and card texts here have nothing to escape


@pytest.fixture(scope="module")
def rooms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Room]]:
    folder = tmp_path_factory.mktemp("consent")
    with database_url(folder) as url, migrated_engine(url) as engine:
        yield {"named": run(engine, anonymous=False), "anonymous": run(engine, anonymous=True)}


DOCUMENTS = ("pdf", "docx", "odt", "html", "md")


def test_a_name_is_in_an_export_only_when_its_person_agreed(rooms: dict[str, Room]):
    room = rooms["named"]
    assert len(room.texts) == 2 * len(FORMATS), "every format, in both languages"
    for name, text in room.texts.items():
        for person in NOT_AGREED:
            assert person.name is not None
            for part in (person.name, person.name.split()[-1]):
                assert part not in text, f"{person.name} did not agree, yet is in {name}"
    for language in ("nl", "en"):
        for fmt in (*DOCUMENTS, "xlsx", "json", "cards.csv"):
            text = room.texts[f"{fmt}-{language}"]
            for person in AGREED:
                assert f"{person.name}" in text, f"{person.name} agreed, yet is not in {fmt}"
        markdown = str(room.files[f"md-{language}"])
        for person in PEOPLE:
            lines = [x for x in markdown.splitlines() if person.card in x]
            beside = {str(p.name) for p in AGREED if any(str(p.name) in x for x in lines)}
            assert beside == ({str(person.name)} if person in AGREED else set()), person


def test_the_json_names_authors_and_participants_only_with_consent(rooms: dict[str, Room]):
    room = rooms["named"]
    data = json.loads(str(room.files["json-nl"]))
    named = {p["display_name"] for p in data["participants"] if p["display_name"]}
    assert named == {p.name for p in AGREED}
    by_text = {c["text"]: c for c in data["cards"]}
    for person in PEOPLE:
        card = by_text[person.card]
        agreed = person in AGREED
        assert (card["author_name"] == person.name) if agreed else card["author_name"] is None
        assert (card["author_id"] is not None) is agreed
    peter = room.actors["peter"].participant_id
    authors = {c["author_id"] for c in data["cards"]} | {p["author_id"] for p in data["proposals"]}
    assert peter not in authors, "the waarom's author did not agree to be named"
    assert data["waarom"]["proposal"]["author_id"] is None


@pytest.mark.parametrize("kind", ["named", "anonymous"])
def test_a_wished_contribution_is_only_a_count_of_those_who_agreed(
    rooms: dict[str, Room], kind: str
):
    room = rooms[kind]
    data = json.loads(str(room.files["json-nl"]))
    assert [p["contribution"] for p in data["participants"]] == [None] * len(PEOPLE), (
        "never a person's wish beside them, least of all their name"
    )
    sharing = [p for p in PEOPLE if p.contribution_use == "record"]
    # Two inwoners and one beleid agreed: fewer than k per group, so they are pooled.
    assert data["consented"]["contributions"] == {OTHER_GROUPS: {WISHED: len(sharing)}}
    table = [r for r in csv.DictReader(io.StringIO(str(room.files["consented.csv-nl"])))]
    wishes = [
        (r["stakeholder_group"], r["text"], r["people"]) for r in table if r["what"] != "drijfveer"
    ]
    assert wishes == [(OTHER_GROUPS, WISHED, str(len(sharing)))]
    book = openpyxl.load_workbook(io.BytesIO(room.files["xlsx-en"]))  # type: ignore[arg-type]
    rows = list(book["Contributions"].iter_rows(values_only=True))
    assert rows[1:] == [("Other groups", len(sharing), 0, 0)], rows
    markdown = str(room.files["md-en"])
    assert f"| Other groups | {len(sharing)} | 0 | 0 |" in markdown
    for name, text in room.texts.items():
        for person in PEOPLE:
            if person.name:
                for wish in PRIVATE_WISHES:
                    assert f"{person.name}: {wish}" not in text, name


@pytest.mark.parametrize("kind", ["named", "anonymous"])
def test_hidden_cards_are_in_no_export(rooms: dict[str, Room], kind: str):
    room = rooms[kind]
    for name, text in room.texts.items():
        for hidden in (HIDDEN_LOOSE, HIDDEN_CLUSTERED):
            assert hidden not in text, f"a hidden card is in {name}"
        for person in PEOPLE:
            assert f"Drijfveer bij {person.card}" not in text, "kept for the facilitator"
    data = json.loads(str(room.files["json-nl"]))
    shown = {c["id"] for c in data["cards"]}
    assert len(shown) == len(PEOPLE) and not any(c["hidden"] for c in data["cards"])
    assert all(set(cl["card_ids"]) <= shown for cl in data["clusters"])
    assert len(data["clusters"][0]["card_ids"]) == 1, "the hidden card left its cluster"
    dots = csv.DictReader(io.StringIO(str(room.files["dots.csv-nl"])))
    targets = {int(r["target_id"]) for r in dots if r["target_type"] == "card"}
    assert targets and targets <= shown, "the hidden card's dot is not in the result"
    # Who was heard still counts what people did, as the server works it out.
    assert data["heard"]["total"]["cards"] == room.heard_cards


def test_an_anonymous_workshop_names_nobody_in_any_export(rooms: dict[str, Room]):
    room = rooms["anonymous"]
    data = json.loads(str(room.files["json-nl"]))
    assert all(p["display_name"] is None for p in data["participants"])
    assert all(c["author_id"] is None and c["author_name"] is None for c in data["cards"])
    for name, text in room.texts.items():
        for person in PEOPLE:
            if person.name:
                for part in person.name.split():
                    if len(part) > 3:
                        assert part not in text, f"{part} in {name}"

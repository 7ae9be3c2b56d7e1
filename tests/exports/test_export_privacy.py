"""Exports are private and safe: text stays data, small groups hide, anonymous people stay so.

Each workshop here is scripted through the real command executor on a real database; the
Markdown is rendered by a real Markdown library (markdown-it-py, with and without linkify), the
PDF read back with pypdf, the CSV parsed as a spreadsheet would.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from app import labels
from app.db import session_scope
from app.exports.cli import export_command
from app.exports.document import document
from app.exports.escaping import csv_cell
from app.exports.renderers import csv_table, html, markdown, pdf
from app.exports.summary import Summary, build_summary
from app.i18n import translations
from app.images.storage import LocalImageStore
from app.privacy import OTHER_GROUPS
from app.settings import Settings
from app.workshops.models import Trajectory, Workshop
from app.workshops.runner import Runner
from tests.workshops.scripted import new_room

OBJECTION = "Bezwaar: dit zegt niets over onze wijk"


def new_workshop(engine, expected: list[str], *, anonymous: bool = False) -> Runner:
    return new_room(
        engine,
        expected,
        title="Startbijeenkomst",
        theme_question="Wat maakt ouderen eenzaam?",
        anonymous=anonymous,
    )


def rate(room: Runner, groups: list[str], *, objector: int) -> None:
    """Everyone (anonymously) posts a card and rates one waarom; ``objector`` objects."""
    for group in groups:
        room.join(None, group)
    room.phase("factoren")
    for n, person in enumerate(room.people):
        room.do(person, type="card.post", kind="factor", text=f"Kaart nummer {n}")
    room.phase("waarom")
    proposal = room.do(
        room.people[0], type="proposal.create", kind="waarom", text="Samen tegen eenzaamheid."
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for n, person in enumerate(room.people):
        room.do(
            person,
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=1 if n == objector else 5,
            reason=OBJECTION if n == objector else "",
        )
    room.do(room.facilitator, type="round.close", round_id=round_id)


def rated_workshop(engine, groups: list[str], *, objector: int) -> int:
    room = new_workshop(engine, sorted(set(groups)))
    rate(room, groups, objector=objector)
    return room.workshop_id


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def every_export(summary: Summary, store: LocalImageStore | None = None) -> dict[str, str]:
    """Every export of ``summary``, as text, by name."""
    out = {"json": summary.model_dump_json(indent=2)}
    out |= {f"{t}.csv": csv_table(summary, t) for t in ("cards", "dots", "ratings")}
    for language in ("nl", "en"):
        doc = document(summary, language=language)
        out[f"md-{language}"] = markdown(doc)
        out[f"html-{language}"] = html(doc, images=store)
        out[f"pdf-{language}"] = pdf_text(pdf(doc, images=store))
    return out


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def group_label(group: str, language: str) -> str:
    return translations(language).gettext(labels.group(group))


def test_a_lone_rater_is_pooled_and_k_raters_keep_their_group(engine):
    # One person per group: the objection may only be linked to the three of them together.
    alone = build_summary(
        engine, workshop_id=rated_workshop(engine, ["inwoner", "beleid", "bestuur"], objector=2)
    )
    assert {r.stakeholder_group for r in alone.ratings} == {OTHER_GROUPS}
    assert {c.stakeholder_group for c in alone.cards} == {OTHER_GROUPS}
    assert {p.stakeholder_group for p in alone.participants} == {OTHER_GROUPS}
    # Who was present is shown as it is (the room saw it); what they did is pooled.
    assert alone.representation.present == {"beleid": 1, "bestuur": 1, "inwoner": 1}
    assert alone.representation.contributing == {OTHER_GROUPS: 3}
    exports = every_export(alone)
    objection = next(r for r in rows(exports["ratings.csv"]) if r["score"] == "1")
    assert objection["reason"] == OBJECTION and objection["stakeholder_group"] == OTHER_GROUPS
    assert {r["stakeholder_group"] for r in rows(exports["cards.csv"])} == {OTHER_GROUPS}
    for language, other in (("nl", "Overige groepen"), ("en", "Other groups")):
        for kind in ("md", "html", "pdf"):
            text = exports[f"{kind}-{language}"]
            assert other in text, f"{kind}-{language} lacks the pooled label"
        for line in exports[f"md-{language}"].splitlines():
            if OBJECTION in line:  # the objection is never beside a group's name
                for group in ("inwoner", "beleid", "bestuur"):
                    assert group_label(group, language) not in line, (group, line)
    assert OBJECTION in exports["md-nl"], "the minority position stays in the record"

    # k people per group: the group is shown, the objection included.
    shown = build_summary(
        engine,
        workshop_id=rated_workshop(engine, ["inwoner"] * 3 + ["beleid"] * 3, objector=4),
    )
    objection = next(r for r in rows(csv_table(shown, "ratings")) if r["score"] == "1")
    assert objection["stakeholder_group"] == "beleid"
    assert shown.representation.present == {"beleid": 3, "inwoner": 3}
    assert "| Policy | 3 | 3 |" in markdown(document(shown, language="en"))


def test_a_pool_smaller_than_k_takes_in_the_smallest_group_rather_than_vanish(engine):
    """Leaving the lone bestuur rater out would let anyone who knows the room subtract them."""
    summary = build_summary(
        engine, workshop_id=rated_workshop(engine, ["inwoner"] * 3 + ["bestuur"], objector=3)
    )
    ratings = rows(csv_table(summary, "ratings"))
    assert {r["stakeholder_group"] for r in ratings} == {OTHER_GROUPS}
    assert {r.stakeholder_group for r in summary.ratings} == {OTHER_GROUPS}
    assert summary.representation.present == {"bestuur": 1, "inwoner": 3}  # as it was
    assert summary.representation.contributing == {OTHER_GROUPS: 4}
    assert summary.representation.people_present == 4
    english = markdown(document(summary, language="en"))
    assert "| Total | 4 | 4 |" in english
    # Beyond who was present, nothing about the bestuur member stands on its own.
    hidden = summary.model_dump_json(
        exclude={"trajectory": True, "representation": {"expected", "present", "counted_as"}}
    )
    assert "bestuur" not in hidden


def test_k_comes_from_the_operator_setting(engine, db_url: str, tmp_path: Path, monkeypatch):
    workshop_id = rated_workshop(engine, ["inwoner", "inwoner", "beleid", "beleid"], objector=2)
    out = tmp_path / "ratings.csv"

    def groups() -> list[str]:
        settings = Settings(database_url=db_url, data_dir=tmp_path)
        assert (
            export_command(
                settings, workshop_id=workshop_id, fmt="ratings.csv", language=None, out=str(out)
            )
            == 0
        )
        return [r["stakeholder_group"] for r in rows(out.read_text(encoding="utf-8"))]

    assert groups() == [OTHER_GROUPS] * 4  # default k = 3: 2 + 2 pooled
    monkeypatch.setenv("ATELIER_MIN_GROUP_SIZE", "2")
    assert sorted(groups()) == ["beleid", "beleid", "inwoner", "inwoner"]  # k = 2: both shown


def test_people_who_take_part_anonymously_are_anonymous_in_every_export(engine, tmp_path: Path):
    room = new_workshop(engine, ["inwoner", "beleid"])
    named = room.join(
        "Wilhelmina Zonneveld",
        "inwoner",
        organisation="Zonnebloem Oost",
        drijfveer="Mijn moeder woont alleen",
        name_in_verslag=True,
    )
    hidden = room.join(
        None, "inwoner", organisation="Stichting Verborgen", drijfveer="Ik ben zelf eenzaam"
    )
    room.join("Barend Kwakkelstein", "beleid", drijfveer="Beleid moet beter")
    room.phase("factoren")
    named_card = room.do(named, type="card.post", kind="factor", text="Bus rijdt niet")["card_id"]
    hidden_card = room.do(hidden, type="card.post", kind="factor", text="Geen buurthuis")["card_id"]
    room.phase("waarom")
    named_proposal = room.do(named, type="proposal.create", kind="waarom", text="Samen.")[
        "proposal_id"
    ]
    hidden_proposal = room.do(hidden, type="proposal.create", kind="waarom", text="Thuis.")[
        "proposal_id"
    ]
    summary = build_summary(engine, workshop_id=room.workshop_id)
    exports = every_export(summary, LocalImageStore(tmp_path))

    cards = {c.id: c for c in summary.cards}
    assert cards[hidden_card].author_id is None and cards[hidden_card].author_name is None
    assert cards[named_card].author_id == named.participant_id
    assert cards[named_card].author_name == "Wilhelmina Zonneveld"
    proposals = {p.id: p for p in summary.proposals}
    assert proposals[hidden_proposal].author_id is None
    assert not proposals[hidden_proposal].author_named
    assert proposals[named_proposal].author_id == named.participant_id
    by_id = {c["id"]: c for c in rows(exports["cards.csv"])}
    assert by_id[str(hidden_card)]["author"] == ""
    assert by_id[str(named_card)]["author"] == "Wilhelmina Zonneveld"
    assert str(hidden.participant_id) not in {
        str(v)
        for c in json.loads(exports["json"])["cards"] + json.loads(exports["json"])["proposals"]
        for v in (c.get("author_id"),)
    }
    for name, output in exports.items():
        for private in (
            "Zonnebloem Oost",
            "Stichting Verborgen",
            "Mijn moeder woont alleen",
            "Ik ben zelf eenzaam",
            "Beleid moet beter",
        ):
            assert private not in output, f"{private!r} leaked into {name}"


#: What a participant might type to turn a Markdown export into a web page of their own.
ATTACKS = [
    "<img src=x onerror=alert(1)>",
    "[klik hier](javascript:alert(1))",
    "![](http://evil.example/p.png)",
    "<https://evil.example/x>",
    "# Kop van een deelnemer",
    "> een citaat",
    "- een lijstje",
    "1. genummerd",
    "2) ook genummerd (met haakjes)",
    "een | pijp in een cel",
    "kijk op www.evil.example of evil.example/x of post@evil.example",
    "<script>alert(2)</script>",
    "regel een\n\n<b>regel twee</b>",
    "*schuin* en `code` en &amp; en \\",
]


def hostile_workshop(engine) -> Summary:
    """Participant text in every place the document shows it: cards, clusters, proposals,
    scope lists, objection reasons, the reason for adopting, names."""
    room = new_workshop(engine, ["inwoner", "beleid"])
    people = [room.join(ATTACKS[0], "inwoner", name_in_verslag=True), room.join(None, "inwoner")]
    people.append(room.join(ATTACKS[1][:60], "beleid", name_in_verslag=True))
    room.phase("factoren")
    cards = [
        room.do(people[n % 3], type="card.post", kind="factor", text=text)["card_id"]
        for n, text in enumerate(ATTACKS)
    ]
    room.phase("clusteren")
    cluster = room.do(
        room.facilitator,
        type="cluster.create",
        title=ATTACKS[9] + " " + ATTACKS[2],
        card_ids=cards,
    )["cluster_id"]
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open", budget=1)
    for person in people:
        room.do(person, type="vote.cast", target_type="cluster", target_id=cluster)
    room.do(room.facilitator, type="vote.close")
    room.phase("waarom")
    proposal = room.do(
        people[0],
        type="proposal.create",
        kind="waarom",
        text=ATTACKS[4] + " " + ATTACKS[0],
        cited_card_ids=cards,
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for n, person in enumerate(people):
        room.do(
            person,
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=1 if n == 1 else 4,
            reason=ATTACKS[11] if n == 1 else "",
        )
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal, reason=ATTACKS[3])
    room.phase("opgave")
    opgave = room.do(
        people[1],
        type="proposal.create",
        kind="opgave",
        text=ATTACKS[5],
        in_scope=ATTACKS[6:9],
        out_of_scope=[ATTACKS[10]],
        core_themes=[ATTACKS[12].replace("\n", " ")],
    )["proposal_id"]
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave, reason=ATTACKS[13])
    return build_summary(engine, workshop_id=room.workshop_id)


def visible(rendered: str) -> str:
    """What a reader sees of rendered HTML: the text between the tags, unescaped."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


@pytest.mark.parametrize("preset", ["commonmark", "gfm-like"])
def test_markdown_renders_participant_text_as_text(engine, preset: str):
    summary = hostile_workshop(engine)
    renderer = MarkdownIt(preset)
    for language in ("nl", "en"):
        rendered = renderer.render(markdown(document(summary, language=language)))
        for tag in ("<a", "<img", "<script", "<b>", "<blockquote", "<ol", "<code", "<em"):
            assert tag not in rendered, f"{tag} made it into the rendered {language} export"
        assert rendered.count("<h1>") == 1, "a participant made a heading"
        seen = visible(rendered)
        for attack in ATTACKS:
            assert " ".join(attack.split()) in seen, f"{attack!r} is no longer readable"


def test_html_and_pdf_show_participant_text_as_text(engine, tmp_path: Path):
    summary = hostile_workshop(engine)
    for language in ("nl", "en"):
        doc = document(summary, language=language)
        page = html(doc, images=LocalImageStore(tmp_path))
        assert "<img src=x" not in page and "<script" not in page and "<b>" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert visible(page).count("<script>alert(2)</script>") >= 1
        text = pdf_text(pdf(doc, images=None))
        assert "<img src=x onerror=alert(1)>" in text and "<script>alert(2)</script>" in text


FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+31 6 1234", "-2+3", "@SUM(A1)"]


def test_csv_cells_never_start_a_formula(engine):
    group = "=cmd|' /c calc'!a0"
    room = new_workshop(engine, [group])
    people = [
        room.join("=Wilhelmina", group, name_in_verslag=True),
        room.join("@Barend", group, name_in_verslag=True),
    ]
    room.phase("factoren")
    for n, text in enumerate(FORMULAS):
        room.do(people[n % 2], type="card.post", kind="factor", text=text)
    room.phase("waarom")
    proposal = room.do(people[0], type="proposal.create", kind="waarom", text="Samen.")[
        "proposal_id"
    ]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person, score, reason in ((people[0], 1, "-1 omdat het te vaag is"), (people[1], 5, "")):
        room.do(
            person,
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal,
            score=score,
            reason=reason,
        )
    room.do(room.facilitator, type="round.close", round_id=round_id)
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=2)
    # Text that starts with a tab or a carriage return never reaches a card through the app:
    # put it straight into the summary, as an imported record might carry it.
    summary.cards.append(summary.cards[0].model_copy(update={"id": 999, "text": "\tx=1"}))
    summary.cards.append(summary.cards[0].model_copy(update={"id": 998, "text": "\r=1+1"}))

    cards = rows(csv_table(summary, "cards"))
    assert [c["text"] for c in cards] == [*("'" + f for f in FORMULAS), "'\tx=1", "'\r=1+1"]
    assert {c["author"] for c in cards} == {"'=Wilhelmina", "'@Barend"}
    assert {c["stakeholder_group"] for c in cards} == {"'" + group}
    ratings = rows(csv_table(summary, "ratings"))
    assert ratings[0]["reason"] == "'-1 omdat het te vaag is" and ratings[0]["score"] == "1"
    for table in ("cards", "dots", "ratings"):
        for row in csv.reader(io.StringIO(csv_table(summary, table))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (table, cell)


def test_numbers_the_app_writes_stay_numbers():
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(False) is False
    assert csv_cell("-3") == "'-3" and csv_cell("3-2") == "3-2"


def test_the_export_route_uses_the_operator_setting(engine, db_url: str, make_server, tmp_path):
    """``ATELIER_MIN_GROUP_SIZE`` reaches the downloads, not only the CLI."""
    from tests.support.server import facilitator_with_workshop

    server = make_server(ATELIER_MIN_GROUP_SIZE="2")
    server.start()
    facilitator, made = facilitator_with_workshop(server)
    try:
        with session_scope(engine) as session:
            workshop = session.get(Workshop, made["id"])
            owner = session.get(Trajectory, made["trajectory_id"])
            assert workshop is not None and owner is not None
            session.expunge(workshop)
            owner_id = owner.owner_id
        rate(
            Runner(engine, workshop, owner_id),
            ["inwoner", "inwoner", "beleid", "beleid"],
            objector=2,
        )
        response = facilitator.http.get(f"/api/workshops/{made['id']}/export/ratings.csv")
        assert response.status_code == 200
        groups = [r["stakeholder_group"] for r in rows(response.text)]
        assert sorted(groups) == ["beleid", "beleid", "inwoner", "inwoner"]  # k = 3 would pool
    finally:
        facilitator.close()

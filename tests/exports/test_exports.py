"""Every export format of a workshop run to its vertrekpunt, with photos, in both languages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from app.exports.document import document
from app.exports.renderers import csv_table, html, markdown, pdf
from app.exports.summary import SCHEMA_PATH, Summary, build_summary, schema_text
from app.images.pipeline import process
from app.images.storage import LocalImageStore, file_key
from app.realtime.commands import execute
from app.realtime.protocol import CardPostImage
from tests.images import samples
from tests.workshops.scripted import new_room

PEOPLE = [
    ("Wilhelmina Zonneveld", "inwoner"),
    ("Barend Kwakkelstein", "beleid"),
    ("Gijsbertha Tuinstra", "inwoner"),
]


def run(engine, store: LocalImageStore, *, anonymous: bool) -> int:
    """A workshop with a photo, an unconverged first waarom round and an opgave adopted with a reason."""
    room = new_room(
        engine,
        ["inwoner", "beleid", "bestuur"],
        title="Startbijeenkomst",
        theme_question="Wat maakt ouderen eenzaam?",
        anonymous=anonymous,
    )
    for name, group in PEOPLE:
        room.join(name, group, organisation="Gemeente")
    wilhelmina, barend, cor = room.people
    room.phase("beelden")
    processed = process(samples.jpeg_with_gps_rotated())
    key = f"{room.workshop_id}/{'ab' * 16}"
    store.put(file_key(key, "display"), processed.display)
    store.put(file_key(key, "thumb"), processed.thumb)
    photo = execute(
        engine,
        workshop_id=room.workshop_id,
        actor=wilhelmina,
        images=store,
        command=CardPostImage(
            type="card.post_image",
            cid="photo",
            text="Een leeg bankje",
            image_key=key,
            width=processed.width,
            height=processed.height,
        ),
    ).ack.result["card_id"]
    room.phase("factoren")
    factor = room.do(barend, type="card.post", kind="factor", text="Buurthuis gesloten")["card_id"]
    room.phase("consequenties")
    consequence = room.do(
        cor,
        type="card.post",
        kind="consequentie",
        text="Dagen zonder gesprek",
        world="leefwereld",
        factor_ids=[factor],
    )["card_id"]
    room.phase("clusteren")
    cluster = room.do(
        room.facilitator, type="cluster.create", title="Ontmoeten", card_ids=[factor, consequence]
    )["cluster_id"]
    room.do(room.facilitator, type="cluster.tag", cluster_id=cluster, tags=["hefboom"])
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open", budget=2)
    for person in room.people:
        room.do(person, type="vote.cast", target_type="cluster", target_id=cluster)
    room.do(room.facilitator, type="vote.close")
    room.phase("waarom")
    first = room.do(
        cor,
        type="proposal.create",
        kind="waarom",
        text="Minder eenzaamheid.",
        cited_card_ids=[photo],
    )["proposal_id"]
    round_one = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person, score in zip(room.people, [5, 1, 3], strict=True):
        room.do(
            person,
            type="rating.give",
            round_id=round_one,
            proposal_id=first,
            score=score,
            reason="Te vaag voor de wijk" if score == 1 else "",
        )
    room.do(room.facilitator, type="round.close", round_id=round_one)
    second = room.do(
        room.facilitator,
        type="proposal.amend",
        proposal_id=first,
        text="Niemand in Oost hoeft alleen te zijn.",
        cited_card_ids=[photo, consequence],
    )["proposal_id"]
    round_two = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=round_two, proposal_id=second, score=5)
    room.do(room.facilitator, type="round.close", round_id=round_two)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=second)
    room.phase("opgave")
    opgave = room.do(
        barend,
        type="proposal.create",
        kind="opgave",
        text="Ontmoetingsplekken in Oost.",
        in_scope=["buurthuis heropenen"],
        out_of_scope=["zorgbudgetten"],
        core_themes=["ontmoeten"],
        cited_card_ids=[factor],
    )["proposal_id"]
    round_three = room.do(room.facilitator, type="round.open", kind="opgave")["round_id"]
    for person, score in zip(room.people, [4, 3, 2], strict=True):
        room.do(person, type="rating.give", round_id=round_three, proposal_id=opgave, score=score)
    room.do(room.facilitator, type="round.close", round_id=round_three)
    room.do(
        room.facilitator,
        type="proposal.adopt",
        proposal_id=opgave,
        reason="Tijd op; in de volgende sessie aanscherpen",
    )
    room.phase("afronding")
    room.do(room.facilitator, type="vertrekpunt.save")
    return room.workshop_id


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_format_carries_the_record(engine, tmp_path: Path, language: str):
    store = LocalImageStore(tmp_path / "images")
    summary = build_summary(engine, workshop_id=run(engine, store, anonymous=False))
    doc = document(summary, language=language)
    why, mission, missing = (
        ("Waarom", "Opgave", "Bestuur") if language == "nl" else ("Why", "Mission", "Governance")
    )
    expected = [
        why,
        mission,
        "Niemand in Oost hoeft alleen te zijn.",
        "Ontmoetingsplekken in Oost.",
        "buurthuis heropenen",
        "zorgbudgetten",
        "ontmoeten",  # scope and core themes
        "Een leeg bankje",
        "Buurthuis gesloten",
        "Dagen zonder gesprek",  # the chain
        "Te vaag voor de wijk",  # the minority position
        "Tijd op; in de volgende sessie aanscherpen",  # adopted without converging
        "33%",
        "100%",  # round figures
        missing,  # representation: an expected group that was not there
    ]
    text = markdown(doc)
    page = html(doc, images=store)
    for fragment in expected:
        assert fragment in text, f"Markdown lacks {fragment!r}"
        assert fragment in page, f"HTML lacks {fragment!r}"
    # The chain reads as a tree: opgave, the waarom it serves, the cards that waarom cites, and
    # under a consequentie the factor it follows from.
    tree = text[
        text.index("## Waar het vandaan komt" if language == "nl" else "## Where it comes") :
    ]
    order = [
        "Ontmoetingsplekken in Oost.",
        "Niemand in Oost hoeft alleen te zijn.",
        "Een leeg bankje",
        "Dagen zonder gesprek",
        "Buurthuis gesloten",
    ]
    assert [tree.index(x) for x in order] == sorted(tree.index(x) for x in order)
    assert "  - " in tree, "nested as a list"
    assert 'src="data:image/jpeg;base64,' in page and 'alt="Een leeg bankje"' in page
    assert "http://" not in page and "https://" not in page, (
        "self-contained: nothing from elsewhere"
    )
    assert f'lang="{language}"' in page

    document_bytes = pdf(doc, images=store)
    assert document_bytes.startswith(b"%PDF")
    extracted = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document_bytes)).pages)
    flat = " ".join(extracted.split())
    for fragment in [
        why,
        mission,
        "Niemand in Oost hoeft alleen te zijn.",
        "buurthuis heropenen",
        "zorgbudgetten",
        "Te vaag voor de wijk",
        missing,
    ]:
        assert fragment in flat, f"PDF lacks {fragment!r}"


def test_json_validates_against_its_schema_and_round_trips(engine, tmp_path: Path):
    summary = build_summary(
        engine, workshop_id=run(engine, LocalImageStore(tmp_path), anonymous=False)
    )
    exported = summary.model_dump_json(indent=2)
    jsonschema.validate(json.loads(exported), json.loads(SCHEMA_PATH.read_text()))
    assert Summary.model_validate_json(exported) == summary
    assert [r.number for r in summary.rounds if r.kind == "waarom"] == [1, 2]
    assert summary.opgave and summary.opgave.adopted_reason and not summary.opgave.converged


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text() == schema_text(), (
        "run: python -c 'from app.exports.summary import schema_text; ...'"
    )


def test_csv_tables_parse_with_the_expected_rows(engine, tmp_path: Path):
    summary = build_summary(
        engine, workshop_id=run(engine, LocalImageStore(tmp_path), anonymous=False)
    )
    cards = list(csv.DictReader(io.StringIO(csv_table(summary, "cards"))))
    assert [c["kind"] for c in cards] == ["beeld", "factor", "consequentie"]
    assert cards[2]["world"] == "leefwereld" and cards[2]["factor_ids"] == cards[1]["id"]
    dots = list(csv.DictReader(io.StringIO(csv_table(summary, "dots"))))
    assert dots == [
        {
            "vote_id": dots[0]["vote_id"],
            "target_type": "cluster",
            "target_id": dots[0]["target_id"],
            "target": "Ontmoeten",
            "dots": "3",
        }
    ]
    ratings = list(csv.DictReader(io.StringIO(csv_table(summary, "ratings"))))
    assert len(ratings) == 9 and set(ratings[0]) == {
        "kind",
        "round",
        "proposal_id",
        "score",
        "reason",
        "stakeholder_group",
    }
    assert [r["reason"] for r in ratings if r["score"] == "1"] == ["Te vaag voor de wijk"]


def test_anonymous_workshops_stay_anonymous_in_every_export(engine, tmp_path: Path):
    store = LocalImageStore(tmp_path)
    summary = build_summary(engine, workshop_id=run(engine, store, anonymous=True))
    outputs = [
        summary.model_dump_json(),
        *(csv_table(summary, t) for t in ("cards", "dots", "ratings")),
    ]
    for language in ("nl", "en"):
        doc = document(summary, language=language)
        outputs += [markdown(doc), html(doc, images=store)]
        outputs.append(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf(doc, images=store))).pages)
        )
    for name, _group in PEOPLE:
        for part in name.split():
            for output in outputs:
                assert part not in output, f"{part} leaked into an export"
    assert "Te vaag voor de wijk" in outputs[0], "the record itself is kept"
    assert all(c.author_id is None for c in summary.cards), "no card says who wrote it"
    assert all(p.author_id is None for p in summary.proposals), "nor any proposal"
    assert summary.waarom and summary.waarom.proposal.author_id is None

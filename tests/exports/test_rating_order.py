"""The exports list ratings by round, proposal and score, never in the order they were given:
someone who watched the room rate could otherwise tell whose row is whose."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from app.exports.renderers import csv_table
from app.exports.spreadsheet import xlsx
from app.exports.summary import build_summary
from tests.exports.test_export_privacy import new_workshop


def test_ratings_are_sorted_by_proposal_and_score_in_every_export(engine):
    room = new_workshop(engine, ["inwoner"])
    for _ in range(5):
        room.join(None, "inwoner")
    room.phase("waarom")
    first = room.do(room.people[0], type="proposal.create", kind="waarom", text="Eerste")
    second = room.do(room.people[1], type="proposal.create", kind="waarom", text="Tweede")
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    # Given in this order (second proposal first, scores mixed): the exports must not keep it.
    given = [
        (0, second, 4),
        (1, first, 5),
        (2, first, 1),
        (3, second, 2),
        (4, first, 3),
        (0, first, 4),
    ]
    for person, proposal, score in given:
        room.do(
            room.people[person],
            type="rating.give",
            round_id=round_id,
            proposal_id=proposal["proposal_id"],
            score=score,
            reason="Zo niet" if score == 1 else "",
        )
    room.do(room.facilitator, type="round.close", round_id=round_id)
    summary = build_summary(engine, workshop_id=room.workshop_id)
    expected = sorted((p["proposal_id"], s) for _, p, s in given)

    assert [(r.proposal_id, r.score) for r in summary.ratings] == expected
    as_json = json.loads(summary.model_dump_json())["ratings"]
    assert [(r["proposal_id"], r["score"]) for r in as_json] == expected
    rows = list(csv.DictReader(io.StringIO(csv_table(summary, "ratings"))))
    assert [(int(r["proposal_id"]), int(r["score"])) for r in rows] == expected
    book = openpyxl.load_workbook(io.BytesIO(xlsx(summary, language="en")))
    texts = {p["proposal_id"]: text for p, text in ((first, "Eerste"), (second, "Tweede"))}
    listed = [(row[2], row[3]) for row in book["Ratings"].iter_rows(min_row=2, values_only=True)]
    assert listed == [(texts[p], s) for p, s in expected]

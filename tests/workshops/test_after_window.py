"""The after-window (na afloop meewegen), through the real command executor and a real database:
opening and closing it, what it refuses (and that a refusal changes nothing), results hidden
from every role in every path until it closes, both objection rules, the record's figures per
channel and per group under the k rule, and every export carrying them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import col, select

from app.clock import utcnow
from app.db import session_scope
from app.exports.formats import render
from app.exports.renderers import CSV_TABLES, csv_table
from app.exports.summary import build_summary
from app.images.storage import LocalImageStore
from app.privacy import OTHER_GROUPS
from app.realtime.audience import event_for, replayed
from app.realtime.commands import Actor, CommandError
from app.realtime.models import Event
from app.realtime.state import build_snapshot
from app.types import Role
from app.workshops.after_window import close_due, window_records
from app.workshops.heard import heard
from app.workshops.models import AgreementRound, Rating, Workshop
from app.workshops.runner import Runner
from tests.exports.test_chain_exports import (
    docx_text,
    odt_text,
    pdf_pages,
    xlsx_book,
    xlsx_text,
)
from tests.workshops.scripted import new_room

K = 3


def later(days: int = 3) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def room_round(
    engine: Any, groups: list[str], scores: list[int], *, window_objection: str = "counts"
) -> tuple[Runner, int, int]:
    """A room in the waarom step whose people (one per group entry) rated one proposal with
    ``scores`` in a closed round; (runner, proposal id, room round id)."""
    room = new_room(engine, ["inwoner", "beleid"])
    for n, group in enumerate(groups):
        room.join(f"P{n}", group)
    room.do(
        room.facilitator, type="workshop.configure", settings={"window_objection": window_objection}
    )
    room.phase("waarom")
    pid = room.do(room.people[0], type="proposal.create", kind="waarom", text="Samen ontmoeten")[
        "proposal_id"
    ]
    rid = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person, score in zip(room.people, scores, strict=False):
        room.do(person, type="rating.give", round_id=rid, proposal_id=pid, score=score, reason="x")
    room.do(room.facilitator, type="round.close", round_id=rid)
    assert isinstance(pid, int) and isinstance(rid, int)
    return room, pid, rid


def refused(room: Runner, actor: Actor, code: str, **message: Any) -> None:
    with pytest.raises(CommandError) as caught:
        room.do(actor, **message)
    assert caught.value.code == code, caught.value.message


def log(engine: Any, workshop_id: int) -> list[Event]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
            )
        )


def test_open_rate_close_and_every_refusal_changes_nothing(engine):
    room = new_room(engine, ["inwoner"])
    early = room.join("Annie", "inwoner")
    room.phase("waarom")
    refused(room, room.facilitator, "no_round", type="window.open", until=later())
    pid = room.do(early, type="proposal.create", kind="waarom", text="W")["proposal_id"]
    other = room.do(early, type="proposal.create", kind="waarom", text="V")["proposal_id"]
    rid = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    refused(room, room.facilitator, "round_open", type="window.open", until=later())
    room.do(early, type="rating.give", round_id=rid, proposal_id=pid, score=4)
    room.do(room.facilitator, type="round.close", round_id=rid)
    room.do(room.facilitator, type="proposal.withdraw", proposal_id=other)

    refused(room, early, "forbidden", type="window.open", until=later())
    refused(room, room.facilitator, "invalid", type="window.open", until=later(-1))
    refused(room, room.facilitator, "invalid", type="window.open", until=later(90))
    refused(room, room.facilitator, "no_window", type="window.close")
    wid = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    refused(room, room.facilitator, "window_open", type="window.open", until=later())

    # The step after the room: the window stays open through phase changes, and is rated there.
    room.do(
        room.facilitator, type="phase.set", index=room.agenda.index("afronding"), open_items=None
    )
    before = log(engine, room.workshop_id)
    refused(
        room, early, "already_rated", type="rating.give", round_id=wid, proposal_id=pid, score=2
    )
    late = room.join("Bram", "inwoner")
    refused(room, late, "invalid", type="rating.give", round_id=wid, proposal_id=999, score=4)
    refused(
        room,
        room.facilitator,
        "forbidden",
        type="rating.give",
        round_id=wid,
        proposal_id=pid,
        score=4,
    )
    refused(
        room, late, "reason_required", type="rating.give", round_id=wid, proposal_id=pid, score=1
    )
    refused(room, late, "wrong_phase", type="rating.give", round_id=rid, proposal_id=pid, score=4)
    assert len(log(engine, room.workshop_id)) == len(before) + 1  # only Bram's joining
    room.do(late, type="rating.give", round_id=wid, proposal_id=pid, score=5)
    with session_scope(engine) as session:
        channels = {(r.round_id, r.channel) for r in session.exec(select(Rating)).all()}
    assert channels == {(rid, "room"), (wid, "after")}

    assert room.do(room.facilitator, type="window.close") == {"round_id": wid}
    refused(room, late, "round_closed", type="rating.give", round_id=wid, proposal_id=pid, score=3)
    refused(room, room.facilitator, "window_exists", type="window.open", until=later())
    closed = [e for e in log(engine, room.workshop_id) if e.type == "window.closed"]
    assert len(closed) == 1
    assert closed[0].data["round"]["figures"][str(pid)]["raters"] == 1


def test_a_window_past_its_time_refuses_and_closes_by_itself(engine):
    room, pid, _rid = room_round(engine, ["inwoner"] * 3, [5, 5, 4])
    wid = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    late = room.join("Laat", "beleid")
    with session_scope(engine) as session:  # time passes (the server may have been down)
        window = session.get(AgreementRound, wid)
        window.window_until = utcnow() - timedelta(minutes=1)
        session.add(window)
    refused(room, late, "window_closed", type="rating.give", round_id=wid, proposal_id=pid, score=4)
    assert close_due(engine, group_size=K) == [room.workshop_id]
    assert close_due(engine, group_size=K) == []  # once
    with session_scope(engine) as session:
        window = session.get(AgreementRound, wid)
        assert not window.is_open and window.closed_at is not None
        assert window.window_objection == "counts"
    assert [e.type for e in log(engine, room.workshop_id)][-1] == "window.closed"


def viewers(room: Runner, newcomer: Actor) -> list[Actor]:
    return [room.facilitator, Actor(Role.SCREEN), room.people[0], newcomer]


def test_figures_are_hidden_from_every_role_in_every_path_until_it_closes(engine):
    room, pid, _rid = room_round(engine, ["inwoner"] * 3, [5, 4, 4])
    wid = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    newcomers = [room.join(f"N{n}", "inwoner") for n in range(3)]
    for person in newcomers:
        room.do(person, type="rating.give", round_id=wid, proposal_id=pid, score=1, reason="nee")

    def seen(actor: Actor) -> list[tuple[str, dict[str, Any]]]:
        """The window as a snapshot, every live event and every replayed event show it."""
        with session_scope(engine) as session:
            workshop = session.get(Workshop, room.workshop_id)
            snap = build_snapshot(session, workshop, actor, k=K).model_dump(mode="json")
        events = [
            e for e in log(engine, room.workshop_id) if e.data.get("round", {}).get("id") == wid
        ]
        live = [(e.type, event_for(e, actor)) for e in events]
        again = [(e.type, replayed(e, actor, {})) for e in events]
        return [
            ("snapshot", snap["rounds"][str(wid)]),
            *((kind, e["round"]) for kind, e in live if e),
            *((kind, e.model_dump(mode="json")["round"]) for kind, e in again if e),
        ]

    for actor in viewers(room, newcomers[0]):
        rounds = seen(actor)
        assert len(rounds) == 1 + 2 * 4  # snapshot; window.opened and three round.updated
        assert all(r["figures"] == {} for _kind, r in rounds), actor
        assert rounds[0][1]["raters"] == 3  # the console shows how many rated
    with session_scope(engine) as session:  # "who was heard" counts no objection of it yet
        assert heard(session, room.workshop_id, K).total.objections == 0
    room.do(room.facilitator, type="window.close")
    with session_scope(engine) as session:
        assert heard(session, room.workshop_id, K).total.objections == 3
    for actor in viewers(room, newcomers[0]):
        final = seen(actor)
        assert len(final) == 1 + 2 * 5
        for kind, shown in final:
            if kind in ("snapshot", "window.closed"):
                assert shown["figures"][str(pid)]["objections"] == 3, (actor, kind)
            else:  # what was said while it was open stays hidden, in a replay too
                assert shown["figures"] == {}, (actor, kind)


@pytest.mark.parametrize(("rule", "converged"), [("counts", False), ("reported", True)])
def test_an_objection_from_the_window_counts_or_is_reported(engine, rule: str, converged: bool):
    room, pid, _rid = room_round(engine, ["inwoner"] * 6, [5, 5, 5, 4, 4, 4], window_objection=rule)
    wid = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    scores = [(5, ""), (4, ""), (1, "Ik kon niet komen en ben het oneens.")]
    for n, (score, reason) in enumerate(scores):
        person = room.join(f"N{n}", "inwoner")
        room.do(
            person, type="rating.give", round_id=wid, proposal_id=pid, score=score, reason=reason
        )
    room.do(room.facilitator, type="window.close")
    with session_scope(engine) as session:
        (record,) = window_records(session, session.get(Workshop, room.workshop_id), K)
    assert record.objection_rule == rule and record.raters == 3
    (figures,) = record.proposals
    assert figures.room.converged and figures.room.raters == 6
    assert figures.window.objections == 1 and not figures.window.converged
    together = figures.together
    assert together.raters == 9 and together.objections == 1
    assert together.objection_reasons == ["Ik kon niet komen en ben het oneens."]
    assert together.converged is converged
    # The rule is the one that applied when it closed, also if the setting changes later.
    other = "counts" if rule == "reported" else "reported"
    room.do(room.facilitator, type="workshop.configure", settings={"window_objection": other})
    with session_scope(engine) as session:
        (again,) = window_records(session, session.get(Workshop, room.workshop_id), K)
    assert again.objection_rule == rule and again.proposals[0].together.converged is converged
    with pytest.raises(ValidationError):  # only the two rules: refused before it is applied
        room.do(room.facilitator, type="workshop.configure", settings={"window_objection": "soms"})


def test_record_figures_per_channel_and_group_follow_the_k_rule(engine):
    # The room: inwoner 3, beleid 3 (both named). The window: inwoner 3 and one bestuur, so the
    # window's groups are one pool (bestuur alone would be 1 < k: the smallest named joins it).
    room, pid, _rid = room_round(engine, ["inwoner"] * 3 + ["beleid"] * 3, [5, 5, 4, 4, 2, 2])
    wid = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    for n, group in enumerate(["inwoner", "inwoner", "inwoner", "bestuur"]):
        person = room.join(f"N{n}", group)
        room.do(person, type="rating.give", round_id=wid, proposal_id=pid, score=5)
    with session_scope(engine) as session:
        (open_record,) = window_records(session, session.get(Workshop, room.workshop_id), K)
    assert open_record.is_open and open_record.proposals == []  # nothing while it is open
    room.do(room.facilitator, type="window.close")
    with session_scope(engine) as session:
        (record,) = window_records(session, session.get(Workshop, room.workshop_id), K)
    (figures,) = record.proposals
    by = {
        c: {g.group: g.raters for g in m.by_group}
        for c, m in (
            ("room", figures.room),
            ("after", figures.window),
            ("together", figures.together),
        )
    }
    assert by["room"] == {"inwoner": 3, "beleid": 3}
    assert by["after"] == {OTHER_GROUPS: 4}
    # inwoner is pooled in the window, so pooled together: together less the room gives back
    # no group below k.
    assert by["together"] == {"beleid": 3, OTHER_GROUPS: 7}
    assert figures.together.raters == 10 and figures.together.agree_share == 0.8
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    # The one bestuur person is never a group of their own in any figure of the windows (who
    # was present is shown as it was, by design: it says nothing about what anyone rated).
    text = json.dumps([w.model_dump(mode="json") for w in summary.after_windows])
    assert "bestuur" not in text
    assert [r.id for r in summary.rounds] == [_rid]  # the room's rounds stay the room's


def test_every_export_carries_the_windows_figures(engine, tmp_path):
    room, pid, _rid = room_round(engine, ["inwoner"] * 3, [5, 5, 4])
    room.do(room.facilitator, type="window.open", until=later())
    wid = room.do(room.facilitator, type="window.close")["round_id"]
    assert isinstance(wid, int)
    new_pid = room.do(
        room.facilitator, type="proposal.amend", proposal_id=pid, text="Samen ontmoeten, dichtbij"
    )["proposal_id"]
    rid = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=rid, proposal_id=new_pid, score=4)
    room.do(room.facilitator, type="round.close", round_id=rid)
    win = room.do(room.facilitator, type="window.open", until=later())["round_id"]
    for n in range(3):
        person = room.join(f"Na{n}", "inwoner")
        room.do(person, type="rating.give", round_id=win, proposal_id=new_pid, score=2)
    room.do(room.facilitator, type="window.close")
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and len(summary.after_windows) == 2
    store = LocalImageStore(tmp_path / "images")
    texts = {
        "pdf": " ".join(pdf_pages(render(summary, "pdf", "nl", store))),
        "docx": docx_text(render(summary, "docx", "nl", store)),
        "odt": odt_text(render(summary, "odt", "nl", store)),
        "md": str(render(summary, "md", "nl", store)),
        "html": str(render(summary, "html", "nl", store)),
    }
    for fmt, text in texts.items():
        assert "Na afloop" in text, fmt
        assert "Samen ontmoeten, dichtbij" in text, fmt
    assert "3 mensen gaven na afloop hun oordeel" in texts["pdf"]
    assert "telde mee als een bezwaar in de zaal" in texts["docx"]
    book = xlsx_book(render(summary, "xlsx", "nl", store))
    sheet = book["Na afloop meewegen"]
    assert "Samen ontmoeten, dichtbij" in xlsx_text(render(summary, "xlsx", "nl", store))
    assert sheet.max_row > 1
    assert "after_window" in CSV_TABLES
    rows = list(csv.DictReader(io.StringIO(csv_table(summary, "after_window"))))
    mine = [r for r in rows if r["proposal_id"] == str(new_pid) and r["group"] == ""]
    assert {r["channel"]: r["raters"] for r in mine} == {"room": "3", "after": "3", "together": "6"}
    assert {r["objection_rule"] for r in mine} == {"counts"}
    grouped = [r for r in rows if r["proposal_id"] == str(new_pid) and r["group"]]
    assert {(r["channel"], r["group"]) for r in grouped} == {
        ("room", "inwoner"),
        ("after", "inwoner"),
        ("together", "inwoner"),
    }
    data = json.loads(render(summary, "json", "nl", store))
    assert data["after_windows"][1]["proposals"][0]["together"]["converged"] is False

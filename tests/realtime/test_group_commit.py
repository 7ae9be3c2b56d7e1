"""Group commit: a batch of jobs in one transaction, each in its own savepoint.

A refused command in the middle of a batch gives back what it wrote (its events, its ``seq``)
and the others commit; the log stays gap-free; a retried command id inside the same batch gets
the original answer; joins share the batch with commands.
"""

from __future__ import annotations

from sqlmodel import col, select

from app.db import session_scope
from app.realtime.commands import CommandError, CommandJob, Outcome, run_in_order
from app.realtime.models import Event
from app.realtime.protocol import CardPostImage, command_adapter
from app.workshops.models import Card, Participant, Workshop
from app.workshops.participants import Joined, JoinJob, JoinRequest
from tests.workshops.scripted import new_room


def _post(actor, cid: str, text: str) -> CommandJob:
    return CommandJob(
        actor,
        command_adapter.validate_python(
            {"type": "card.post", "cid": cid, "kind": "factor", "text": text}
        ),
    )


def _log(engine, workshop_id: int) -> list[Event]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(Event).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
            )
        )


def test_a_refused_job_gives_back_its_writes_and_the_others_commit(engine):
    room = new_room(engine)
    annie = room.join("Annie", "inwoner")
    room.phase("factoren")
    before = _log(engine, room.workshop_id)[-1].seq
    withdraw_other = CommandJob(
        annie,
        command_adapter.validate_python(
            {"type": "card.withdraw", "cid": "w-1", "card_id": 999_999}
        ),
    )
    jobs = [
        _post(annie, "c-1", "Buurthuis dicht"),
        withdraw_other,  # refused: no such card
        _post(annie, "c-2", "Geen bus op zondag"),
        _post(annie, "c-1", "Buurthuis dicht"),  # the same cid again, within the batch
        JoinJob(JoinRequest(code=room.join_code, display_name="Bram", stakeholder_group="beleid")),
    ]
    results = run_in_order(engine, workshop_id=room.workshop_id, jobs=jobs)

    first, refused, second, again, joined = results
    assert isinstance(refused, CommandError) and refused.code == "not_found"
    assert isinstance(first, Outcome) and isinstance(second, Outcome)
    assert first.last_seq == before + 1 and second.last_seq == before + 2  # no seq lost
    assert isinstance(again, Outcome) and again.repeated and again.ack == first.ack
    assert isinstance(joined, Joined) and joined.seq == before + 3

    log = _log(engine, room.workshop_id)
    assert [e.seq for e in log] == list(range(1, before + 4)), "gap-free"
    assert [e.type for e in log[-3:]] == ["card.posted", "card.posted", "participant.joined"]
    with session_scope(engine) as session:
        workshop = session.get(Workshop, room.workshop_id)
        assert workshop is not None and workshop.last_seq == before + 3
        texts = session.exec(select(Card.text).where(Card.workshop_id == room.workshop_id)).all()
        assert sorted(texts) == ["Buurthuis dicht", "Geen bus op zondag"]
        names = session.exec(
            select(Participant.display_name).where(Participant.workshop_id == room.workshop_id)
        ).all()
        assert sorted(n or "" for n in names) == ["Annie", "Bram"]


def test_a_batch_for_a_missing_workshop_refuses_every_job(engine):
    room = new_room(engine)
    annie = room.join("Annie", "inwoner")
    results = run_in_order(
        engine, workshop_id=room.workshop_id + 1000, jobs=[_post(annie, "x", "y")] * 2
    )
    assert all(isinstance(r, CommandError) and r.code == "not_found" for r in results)


def test_a_job_that_fails_unexpectedly_is_rolled_back_alone(engine):
    room = new_room(engine)
    annie = room.join("Annie", "inwoner")
    room.phase("factoren")

    class Broken:
        def run(self, session, workshop, after_commit):
            session.add(Card(workshop_id=workshop.id, kind="factor", text="half"))
            session.flush()
            workshop.last_seq += 5
            raise RuntimeError("bug")

    results = run_in_order(
        engine,
        workshop_id=room.workshop_id,
        jobs=[Broken(), _post(annie, "ok", "Heel")],
    )
    assert isinstance(results[0], RuntimeError)
    assert isinstance(results[1], Outcome)
    with session_scope(engine) as session:
        texts = session.exec(select(Card.text).where(Card.workshop_id == room.workshop_id)).all()
        assert texts == ["Heel"]
    log = _log(engine, room.workshop_id)
    assert [e.seq for e in log] == list(range(1, len(log) + 1))


def _job(actor, **message) -> CommandJob:
    return CommandJob(actor, command_adapter.validate_python(message))


def test_a_vote_burst_in_one_batch_keeps_each_budget_and_sees_its_own_dots(engine):
    """A batch reads the open vote and its senders' dots once; what it reads must stay true as
    its own dots, a refusal (rolled back to its savepoint), a retraction and a close go by."""
    from app.workshops.models import Dot
    from app.workshops.votes import my_dots

    room = new_room(engine)
    annie, bram = room.join("Annie", "inwoner"), room.join("Bram", "inwoner")
    room.phase("factoren")
    card_ids = [
        room.do(annie, type="card.post", kind="factor", text=f"Kaart {n}")["card_id"]
        for n in range(2)
    ]
    room.phase("prioriteren")
    vote_id = room.do(room.facilitator, type="vote.open", budget=3)["vote_id"]
    first, second = card_ids
    room.do(annie, type="vote.cast", target_type="card", target_id=first)  # before the batch

    def cast(actor, cid: str, card: int) -> CommandJob:
        return _job(actor, type="vote.cast", cid=cid, target_type="card", target_id=card)

    jobs = [
        cast(annie, "a-1", first),
        cast(bram, "b-1", second),
        cast(annie, "a-2", second),
        cast(annie, "a-3", second),  # refused: Annie's fourth dot, budget 3
        _job(annie, type="vote.retract", cid="a-4", target_type="card", target_id=first),
        cast(annie, "a-5", second),  # her third again, after taking one back
        cast(annie, "a-6", first),  # refused again
        _job(room.facilitator, type="vote.close", cid="f-1"),
        cast(bram, "b-2", first),  # refused: the vote is closed
    ]
    results = run_in_order(engine, workshop_id=room.workshop_id, jobs=jobs)

    codes = [r.code if isinstance(r, CommandError) else "ok" for r in results]
    assert codes == ["ok", "ok", "ok", "over_budget", "ok", "ok", "over_budget", "ok", "no_vote"]
    log = _log(engine, room.workshop_id)
    assert [e.seq for e in log] == list(range(1, len(log) + 1)), "gap-free"
    annie_lists = [
        e.data["dots"]
        for e in log
        if e.type == "my_dots.changed" and e.audience == annie.participant_id
    ]
    assert [sum(d["count"] for d in dots) for dots in annie_lists] == [1, 2, 3, 2, 3]
    with session_scope(engine) as session:
        stored = my_dots(session, vote_id, annie.participant_id or 0)
        assert [(d.target_id, d.count) for d in stored] == [(first, 1), (second, 2)]
        assert annie_lists[-1] == [d.model_dump(mode="json") for d in stored]
        bram_dots = session.exec(select(Dot).where(Dot.participant_id == bram.participant_id))
        assert [d.target_id for d in bram_dots] == [second]


def test_a_posted_card_is_announced_as_the_database_keeps_it(engine):
    """A posted card is written as a plain row and announced from the values written, not read
    back: the announcement must be what the database holds, in a batch down either pass (a
    refusal sends it down the one with savepoints) and for every kind of card."""
    from app.workshops.participants import is_named
    from app.workshops.schemas import card_view

    room = new_room(engine)
    annie, anonymous = room.join("Annie", "inwoner"), room.join(None, "inwoner")
    wid = room.workshop_id
    photo = f"{wid}/{'0a' * 16}"
    room.phase("beelden")
    beeld = CardPostImage(
        type="card.post_image",
        cid="b-1",
        text="  Het plein  ",
        image_key=photo,
        width=640,
        height=480,
    )
    (done,) = run_in_order(engine, workshop_id=wid, jobs=[CommandJob(annie, beeld)])
    assert isinstance(done, Outcome)
    room.phase("factoren")
    factor = room.do(anonymous, type="card.post", kind="factor", text="Geen bus")["card_id"]
    room.phase("consequenties")
    jobs = [
        _job(
            annie,
            type="card.post",
            cid="c-1",
            kind="consequentie",
            text="Ouderen blijven thuis",
            world="leefwereld",
            factor_ids=[factor, factor],
        ),
        _job(annie, type="card.post", cid="c-2", kind="consequentie", text="Geen wereld"),
        _job(
            anonymous,
            type="card.post",
            cid="c-3",
            kind="consequentie",
            text="Minder omzet",
            world="systeemwereld",
            factor_ids=[factor],
        ),
    ]
    results = run_in_order(engine, workshop_id=wid, jobs=jobs)
    assert isinstance(results[1], CommandError) and results[1].code == "invalid"

    posted = [e for e in _log(engine, wid) if e.type == "card.posted"]
    assert len(posted) == 4
    with session_scope(engine) as session:
        for event in posted:
            card = session.get(Card, event.data["card"]["id"])
            assert card is not None
            stored = card_view(card, author_named=is_named(session, card.author_id))
            assert event.data["card"] == stored.model_dump(mode="json")
        with_photo, _, first, second = (session.get(Card, e.data["card"]["id"]) for e in posted)
        assert with_photo is not None and with_photo.text == "Het plein"
        assert with_photo.image_key == photo
        assert (with_photo.image_width, with_photo.image_height) == (640, 480)
        assert first is not None and first.factor_ids == [factor] and first.world == "leefwereld"
        assert second is not None and second.author_id == anonymous.participant_id
    assert [e.data["card"]["author_named"] for e in posted] == [True, False, True, False]

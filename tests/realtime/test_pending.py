"""Rows kept for a bulk insert are written before the next query and before the commit."""

from __future__ import annotations

from sqlmodel import col, select

from app.clock import utcnow
from app.db import session_scope
from app.realtime.commands import EVENT_TABLE
from app.realtime.models import Event
from app.realtime.pending import drop_pending, insert_later
from tests.workshops.scripted import new_room


def _workshop(engine) -> int:
    return new_room(engine).workshop_id


def _row(workshop_id: int, seq: int) -> dict:
    data = {"type": "timer.changed", "ends_at": None}
    return {
        "workshop_id": workshop_id,
        "seq": seq,
        "type": "timer.changed",
        "audience": None,
        "data": data,
        "created_at": utcnow(),
    }


def _seqs(session, workshop_id: int) -> list[int]:
    return list(
        session.exec(
            select(Event.seq).where(Event.workshop_id == workshop_id).order_by(col(Event.seq))
        )
    )


def test_kept_rows_are_seen_by_the_next_query_and_committed(engine):
    workshop_id = _workshop(engine)
    base = 1000
    with session_scope(engine) as session:
        insert_later(session, EVENT_TABLE, _row(workshop_id, base + 1))
        insert_later(session, EVENT_TABLE, _row(workshop_id, base + 2))
        assert _seqs(session, workshop_id)[-2:] == [base + 1, base + 2]
        insert_later(session, EVENT_TABLE, _row(workshop_id, base + 3))  # only the commit writes it
    with session_scope(engine) as session:
        assert _seqs(session, workshop_id)[-3:] == [base + 1, base + 2, base + 3]


def test_dropped_rows_are_never_written(engine):
    workshop_id = _workshop(engine)
    with session_scope(engine) as session:
        before = _seqs(session, workshop_id)
        insert_later(session, EVENT_TABLE, _row(workshop_id, 2001))
        drop_pending(session)
        assert _seqs(session, workshop_id) == before
    with session_scope(engine) as session:
        assert _seqs(session, workshop_id) == before


def test_a_rolled_back_session_writes_nothing(engine):
    workshop_id = _workshop(engine)
    try:
        with session_scope(engine) as session:
            before = _seqs(session, workshop_id)
            insert_later(session, EVENT_TABLE, _row(workshop_id, 3001))
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        assert _seqs(session, workshop_id) == before


def test_a_savepoint_rolled_back_forgets_only_its_own_rows(engine):
    from app.realtime.pending import write_pending

    workshop_id = _workshop(engine)
    with session_scope(engine) as session:
        insert_later(session, EVENT_TABLE, _row(workshop_id, 4001))
        write_pending(session)  # as group commit does before each savepoint
        savepoint = session.begin_nested()
        insert_later(session, EVENT_TABLE, _row(workshop_id, 4002))
        savepoint.rollback()
        insert_later(session, EVENT_TABLE, _row(workshop_id, 4003))
    with session_scope(engine) as session:
        assert _seqs(session, workshop_id)[-2:] == [4001, 4003]

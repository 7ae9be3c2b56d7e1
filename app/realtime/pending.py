"""Rows a batch of commands inserts in bulk: one multi-row ``INSERT`` per table, not an object each.

A vote burst writes three rows per dot (the dot, its event in the log, the command's receipt).
Built as ORM objects and flushed one by one they cost most of the burst's time; as plain rows
written together they cost a few microseconds each. They are for rows nothing in the same
transaction changes afterwards (append-only: the log, receipts, dots).

:func:`insert_later` keeps a row on the session; the rows are written, in the order they were
kept, before the session runs its next query (so a query in the same transaction still sees
them, as with SQLAlchemy's autoflush) and before it commits. A rollback forgets the rows kept
since the last write. Whoever opens a savepoint writes the kept rows first
(:func:`write_pending`), so that a rollback to it forgets only the rows kept inside it (group
commit, :func:`app.realtime.commands.run_batch`, is the one place that does).
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Insert, Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session

_PENDING = "atelier_pending_rows"


def insert_later(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Insert ``row`` into ``table`` before the session's next query or its commit."""
    pending: dict[Table, list[dict[str, Any]]] = session.info.setdefault(_PENDING, {})
    pending.setdefault(table, []).append(row)


def write_pending(session: Session) -> None:
    """Write the kept rows now: one statement per table, tables in the order first kept."""
    pending: dict[Table, list[dict[str, Any]]] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    # On the session's connection: plain rows need none of the ORM's execution machinery.
    connection = session.connection()
    for table, rows in pending.items():
        connection.execute(_insert(table), rows)


@functools.cache
def _insert(table: Table) -> Insert:
    """One ``INSERT`` statement per table, built once (a statement is immutable)."""
    return insert(table)


def drop_pending(session: Session) -> None:
    """Forget the rows kept since the last write (their job was rolled back)."""
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "do_orm_execute")
def _before_query(state: ORMExecuteState) -> None:
    if _PENDING in state.session.info:
        write_pending(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    drop_pending(session)

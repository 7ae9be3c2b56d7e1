"""Readers never queue behind the writer: a read scope on SQLite starts a plain (deferred)
transaction, so it reads while a write transaction holds the lock."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from app.db import read_scope, session_scope
from app.workshops.models import Workshop


def test_a_reader_does_not_wait_for_a_writer(engine):
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope(engine) as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)"))
            session.execute(text("INSERT INTO scratch VALUES (1)"))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with read_scope(engine, snapshot=True) as session:
            assert session.get(Workshop, 1) is None
            # The uncommitted write is not seen, and reading did not wait for it.
            assert session.execute(text("SELECT count(*) FROM workshop")).scalar_one() == 0
        assert time.monotonic() - started < 5, "the reader waited for the writer's lock"
    finally:
        release.set()
        thread.join(10)


def test_a_read_scope_writes_nothing(engine):
    with read_scope(engine) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS scratch2 (x INTEGER)"))
    with session_scope(engine) as session:
        names = session.execute(
            text(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'scratch2'"
                if engine.dialect.name == "postgresql"
                else "SELECT count(*) FROM sqlite_master WHERE name = 'scratch2'"
            )
        ).scalar_one()
    assert names == 0, "a read scope rolls back whatever it did"

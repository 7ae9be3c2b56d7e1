"""The event log forgets withdrawn and replaced card texts, and SQLite's files forget them too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from app import cli
from app.db import session_scope
from app.realtime.models import Event
from app.workshops.forgetting import forget_superseded
from app.workshops.lifecycle import run_retention
from app.workshops.models import Card
from tests.workshops.scripted import new_room

WITHDRAWN = "Jan Jansen woont op Dorpsstraat 12"
BEFORE_EDIT = "Mijn buurman Piet drinkt te veel"
AFTER_EDIT = "Eenzaamheid in de straat"
KEPT = "Geen bus meer na zessen"


def _files(engine: Engine) -> bytes:
    """The SQLite database file and its WAL, as bytes."""
    path = Path(str(make_url(str(engine.url)).database))
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _log(engine: Engine, workshop_id: int) -> str:
    with session_scope(engine) as session:
        return repr(
            [e.data for e in session.exec(select(Event).where(Event.workshop_id == workshop_id))]
        )


def test_withdrawn_and_replaced_texts_leave_the_log_at_once_and_the_files_at_retention(
    engine: Engine,
):
    room = new_room(engine)
    annie = room.join("Annie", "inwoner")
    room.phase("factoren")
    withdrawn = room.do(annie, type="card.post", kind="factor", text=WITHDRAWN)["card_id"]
    edited = room.do(annie, type="card.post", kind="factor", text=BEFORE_EDIT)["card_id"]
    room.do(annie, type="card.post", kind="factor", text=KEPT)
    room.do(room.facilitator, type="card.hide", card_id=edited, hidden=True)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:  # the search below can find them: they are on disk now
        assert WITHDRAWN.encode() in _files(engine) and BEFORE_EDIT.encode() in _files(engine)

    room.do(annie, type="card.withdraw", card_id=withdrawn)
    room.do(annie, type="card.edit", card_id=edited, text=AFTER_EDIT)

    log = _log(engine, room.workshop_id)
    assert WITHDRAWN not in log and BEFORE_EDIT not in log, "forgotten in the same transaction"
    assert AFTER_EDIT in log and KEPT in log
    with session_scope(engine) as session:
        hidden = [
            e.data["card"]
            for e in session.exec(select(Event).where(Event.workshop_id == room.workshop_id))
            if e.type == "card.updated" and e.data["card"]["hidden"]
        ]
        assert [(c["text"], c["hidden"]) for c in hidden] == [(AFTER_EDIT, True)] * 2, (
            "an earlier event keeps all but the old text"
        )

    run = run_retention(engine, retention_days=0, whole_log=True)
    assert run.checkpointed and run.card_events == 0, "nothing left to forget"
    if sqlite:
        with engine.connect() as connection:  # freed space is zeroed, whatever the build's default
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        on_disk = _files(engine)
        assert WITHDRAWN.encode() not in on_disk, "the withdrawn text is still in the files"
        assert BEFORE_EDIT.encode() not in on_disk, "the replaced text is still in the files"
        assert AFTER_EDIT.encode() in on_disk and KEPT.encode() in on_disk


def test_retention_forgets_what_logs_from_before_kept(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    room = new_room(engine)
    annie = room.join(None, "inwoner")
    room.phase("beelden")
    gone = room.do(annie, type="card.post", kind="beeld", text=WITHDRAWN)["card_id"]
    edited = room.do(annie, type="card.post", kind="beeld", text=BEFORE_EDIT)["card_id"]
    room.do(annie, type="card.withdraw", card_id=gone)
    room.do(annie, type="card.edit", card_id=edited, text=AFTER_EDIT)
    with session_scope(engine) as session:  # as an older version left the log
        for event in session.exec(select(Event).where(Event.workshop_id == room.workshop_id)):
            card = event.data.get("card")
            if card and event.type == "card.posted":
                old, url = (WITHDRAWN, "/gone") if card["id"] == gone else (BEFORE_EDIT, "/kept")
                image = {"display_url": url, "thumb_url": url, "width": 1, "height": 1}
                event.data = {**event.data, "card": {**card, "text": old, "image": image}}
                session.add(event)

    assert forget_superseded(engine) == 2
    log = _log(engine, room.workshop_id)
    assert WITHDRAWN not in log and BEFORE_EDIT not in log and AFTER_EDIT in log
    assert "/gone" not in log, "a withdrawn card's photo goes too"
    assert "/kept" in log, "a card that stays keeps its photo (only its text is rewritten)"
    assert forget_superseded(engine) == 0, "idempotent"
    with session_scope(engine) as session:
        assert session.get(Card, edited).text == AFTER_EDIT  # type: ignore[union-attr]

    monkeypatch.setenv("ATELIER_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["retention"]) == 0
    said = capsys.readouterr().out
    assert "Scrubbed 0 participants" in said and "card texts in 0 events" in said

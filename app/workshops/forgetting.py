"""What the event log forgets about cards: a withdrawn card's text and photo, and the text a card
had before it was edited.

The log is how sockets catch up (``app.realtime.catchup``); nothing else reads card texts from it
(the record and the exports read the tables). So it only needs a card as it is now, and keeping
what its author took back or replaced would keep, for the workshop's life, exactly what they
wanted gone. Withdrawing and editing rewrite the card's earlier events in the same transaction
(:func:`forget_card`, :func:`forget_earlier_texts`); :func:`forget_superseded` does the same over
a whole database, for logs written before they did (``atelier retention``).

Rewritten rows leave no trace in SQLite's file once the WAL is checkpointed (see
:func:`app.db.checkpoint_wal`; the pages' freed space is zeroed, ``secure_delete``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import session_scope
from app.realtime.audience import CARD_EVENTS
from app.realtime.models import Event
from app.workshops.models import Card, Workshop

#: The log's own table: its ``data`` column is JSON, so a card's id can be read in the query.
EVENT_TABLE: Table = Event.__table__  # type: ignore[attr-defined]


def _events_of(session: Session, workshop_id: int, card_id: int) -> list[Event]:
    """The events that carry this card. A scan of the workshop's log, done only when a card is
    withdrawn or its text changes: rare beside posting, which never calls it."""
    return list(
        session.exec(
            select(Event).where(
                Event.workshop_id == workshop_id,
                col(Event.type).in_(CARD_EVENTS),
                EVENT_TABLE.c.data[("card", "id")].as_integer() == card_id,
            )
        )
    )


def _rewrite(session: Session, event: Event, **fields: Any) -> bool:
    """Set ``fields`` of the event's card; whether anything changed."""
    card = event.data["card"]
    if all(card.get(name) == value for name, value in fields.items()):
        return False
    event.data = {**event.data, "card": {**card, **fields}}  # a new dict: JSON is not tracked
    session.add(event)
    return True


def forget_card(session: Session, *, workshop_id: int, card_id: int) -> None:
    """A card is withdrawn: its earlier events keep neither its text nor its photo."""
    for event in _events_of(session, workshop_id, card_id):
        _rewrite(session, event, text="", image=None)


def forget_earlier_texts(session: Session, *, workshop_id: int, card_id: int, text: str) -> None:
    """A card's text changed to ``text``: its earlier events carry that text, not the old one."""
    for event in _events_of(session, workshop_id, card_id):
        _rewrite(session, event, text=text)


def forget_superseded(engine: Engine) -> int:
    """Rewrite every workshop's log as withdrawing and editing now do; how many events changed.

    One transaction per workshop, with the workshop locked as a command locks it, so a card
    edited meanwhile cannot have its new text overwritten by the old.
    """
    with session_scope(engine) as session:
        workshop_ids = list(session.exec(select(Workshop.id).order_by(col(Workshop.id))))
    changed = 0
    for workshop_id in workshop_ids:
        with session_scope(engine) as session:
            session.exec(select(Workshop.id).where(Workshop.id == workshop_id).with_for_update())
            texts = {
                card_id: text
                for card_id, text in session.exec(
                    select(Card.id, Card.text).where(Card.workshop_id == workshop_id)
                )
            }
            events = session.exec(
                select(Event).where(
                    Event.workshop_id == workshop_id, col(Event.type).in_(CARD_EVENTS)
                )
            )
            for event in events:
                card_id = event.data["card"]["id"]
                if card_id in texts:
                    changed += _rewrite(session, event, text=texts[card_id])
                else:
                    changed += _rewrite(session, event, text="", image=None)
    return changed

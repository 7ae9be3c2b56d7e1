"""The before-window: phones send in beelden, factoren and consequenties before the room starts.

The facilitator sets when it opens and closes (``before_opens_at``/``before_closes_at`` in the
workshop's settings). While it is open and the room is still in its lobby (it never moved on),
a phone posts as it would in the room, through the same commands and the same outbox; the card is
``channel = "before"`` and **held**. A held card reaches only its author and the facilitator
(:mod:`app.realtime.audience` reads the row's ``held``, so a snapshot, a replay and a live event
agree). When the room first leaves the lobby, every held card is released with a
``card.updated``: the live room starts with them on the wall, marked "vooraf ingebracht".

Why a card state and not a phase: the projection may depend only on the viewer and the row as it
is now. "Held" is that state; the moment of release is one command (``phase.set``), logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.clock import utcnow
from app.realtime.commands import CommandError, Context
from app.types import Phase
from app.workshops.models import Card, Participant, Workshop, WorkshopSettings
from app.workshops.pooling import workshop_labels
from app.workshops.window_times import parse_moment

BEFORE = "before"
ROOM = "room"


def window_of(settings: WorkshopSettings) -> tuple[datetime, datetime] | None:
    """When the window opens and closes, or ``None`` when the workshop has none."""
    if settings.before_opens_at is None or settings.before_closes_at is None:
        return None
    return parse_moment(settings.before_opens_at), parse_moment(settings.before_closes_at)


def room_started(workshop: Workshop) -> bool:
    """The room has moved off its lobby at least once (the moment its groups were settled),
    or is not in the lobby now: the before-window is over for good then."""
    if workshop.agenda[workshop.phase_index] != Phase.LOBBY.value:
        return True
    return workshop.group_sizes is not None


def window_state(workshop: Workshop, now: datetime) -> str:
    """``none`` (no window), ``not_yet``, ``open`` or ``closed`` (also once the room started)."""
    window = window_of(workshop.workshop_settings())
    if window is None:
        return "none"
    opens, closes = window
    if room_started(workshop) or now >= closes:
        return "closed"
    return "not_yet" if now < opens else "open"


def check_open(ctx: Context) -> None:
    """Refuse a post or change of a card sent in beforehand unless the window is open now.

    ``wrong_phase`` when the workshop has no window (a card is posted in its phase, as always);
    ``window_closed`` before the window opens, after it closes, or once the room has started.
    """
    state = window_state(ctx.workshop, utcnow())
    if state == "none":
        raise CommandError(
            "wrong_phase",
            "Cards are posted once the room is in their phase; this workshop has no window to "
            "send them in beforehand.",
        )
    if state == "not_yet":
        raise CommandError(
            "window_closed",
            f"The window to send in beforehand opens at {ctx.settings.before_opens_at}.",
        )
    if state == "closed":
        raise CommandError(
            "window_closed",
            "The window to send in beforehand is closed "
            f"(until {ctx.settings.before_closes_at}, or the room has started).",
        )


def channel_now(ctx: Context) -> str:
    """The channel of a card posted now: in the lobby only through the open window."""
    if ctx.phase is Phase.LOBBY:
        check_open(ctx)
        return BEFORE
    return ROOM


def release_held(ctx: Context) -> int:
    """The room starts: every card still held goes on the wall (one ``card.updated`` each).

    Returns how many were released. Called by ``phase.set`` whenever the room is somewhere
    other than its lobby; a second call finds nothing held.
    """
    from app.workshops.cards import announce  # cards imports this module

    held = ctx.session.exec(
        select(Card)
        .where(Card.workshop_id == ctx.workshop_id, col(Card.held).is_(True))
        .order_by(col(Card.id))
    ).all()
    for card in held:
        card.held = False
        ctx.session.add(card)
        announce(ctx, card)
    return len(held)


def before_record(session: Session, workshop: Workshop, k: int) -> dict[str, Any] | None:
    """The record's figures of the window (the vertrekpunt keeps them): when it was open, and
    how many cards came in beforehand per shown group (the workshop's labels, the k rule);
    hidden cards, which the room never saw, are not counted. ``None`` without a window and
    without such cards."""
    from app.exports.before_part import before_part  # the summary's part, one rule for both

    assert workshop.id is not None
    rows = session.exec(
        select(Card.channel, Participant.stakeholder_group)
        .outerjoin(Participant, col(Participant.id) == col(Card.author_id))
        .where(Card.workshop_id == workshop.id, col(Card.hidden).is_(False))
    ).all()
    settings = workshop.workshop_settings()
    part = before_part(
        [(channel, group) for channel, group in rows],
        workshop_labels(session, workshop, k),
        opens_at=settings.before_opens_at,
        closes_at=settings.before_closes_at,
        k=k,
    )
    return part.model_dump() if part is not None else None

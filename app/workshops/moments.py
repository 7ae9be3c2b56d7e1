"""A workshop's three moments — before, the room, after — as the draaiboek's timeline shows them.

The method asks that everyone affected takes part at the right moment. A workshop is not only
the evening in the town hall: a window before it for beelden (:mod:`app.workshops.before_window`)
and a window after it to weigh in (:mod:`app.workshops.after_window`). The facilitator plans the
three together; this module says, in one place, when each is and whether it is planned, so the
printed draaiboek and its test read the same facts the room runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from sqlmodel import Session, col, select

from app.workshops.models import AgreementRound, Workshop, WorkshopSettings

Kind = Literal["before", "room", "after"]
State = Literal["unplanned", "planned", "open", "closed"]


@dataclass(frozen=True, slots=True)
class Moment:
    """One moment of a workshop: when it starts and ends (local time), if known.

    ``state`` says where it stands: ``unplanned`` (the facilitator has not set it), ``planned``,
    ``open`` (running now) or ``closed``.
    """

    kind: Kind
    starts: datetime | None
    ends: datetime | None
    state: State
    objection_rule: str | None = None  # the after-window's: counts | reported


def _local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A stored moment in local time. SQLite gives stored moments back without their zone: they
    are UTC (``app.clock``), and must not be read as the server's local time."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def _parse(moment: str | None, zone: tzinfo) -> datetime | None:
    """A stored window edge (``YYYY-MM-DDTHH:MM:SSZ``) in local time."""
    if moment is None:
        return None
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(zone)


def moments(
    session: Session,
    workshop: Workshop,
    *,
    room_minutes: int,
    now: datetime,
    zone: tzinfo,
) -> list[Moment]:
    """Before, the room and after, in that order (always three: an unplanned one says so)."""
    settings: WorkshopSettings = workshop.workshop_settings()
    opens = _parse(settings.before_opens_at, zone)
    closes = _parse(settings.before_closes_at, zone)
    if opens is None or closes is None:
        before = Moment("before", None, None, "unplanned")
    else:
        state: State = "planned" if now < opens else "open" if now < closes else "closed"
        before = Moment("before", opens, closes, state)

    starts = _local(workshop.starts_at, zone)
    ends = starts + timedelta(minutes=room_minutes) if starts else None
    started = workshop.group_sizes is not None  # the room has moved off its lobby
    room = Moment("room", starts, ends, "open" if started else "planned" if starts else "unplanned")

    window = session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == workshop.id,
            col(AgreementRound.after_round_id).is_not(None),
        )
        .order_by(col(AgreementRound.id).desc())
    ).first()
    if window is None:
        after = Moment("after", None, None, "unplanned", settings.window_objection)
    else:
        after = Moment(
            "after",
            _local(window.opened_at, zone),
            _local(window.closed_at or window.window_until, zone),
            "open" if window.is_open else "closed",
            window.window_objection or settings.window_objection,
        )
    return [before, room, after]

"""Who may rate in an after-window, checked inside ``rating.give`` (:mod:`app.workshops.rounds`).

Kept apart from :mod:`app.workshops.after_window` (which opens and closes windows and uses the
round machinery) so the rating handler can ask without the two modules importing each other.
"""

from __future__ import annotations

from sqlmodel import select

from app.clock import utcnow
from app.realtime.commands import CommandError, Context
from app.workshops.models import AgreementRound, Rating

#: ``Rating.channel`` of a rating given in an after-window; the room's are ``"room"``.
AFTER = "after"


def is_window(round_: AgreementRound) -> bool:
    return round_.after_round_id is not None


def check_window_rating(ctx: Context, round_: AgreementRound, participant_id: int) -> None:
    """Refuse a rating the window is not for: after ``until`` (``window_closed``, also before
    the clock closed it), or from someone who rated in the room's round (``already_rated``):
    the window is for those who were not there, or left before it was their turn."""
    until = round_.window_until
    if until is not None and until <= utcnow():
        raise CommandError("window_closed", "The window to weigh in has closed.")
    rated_in_room = ctx.session.exec(
        select(Rating.id).where(
            Rating.round_id == round_.after_round_id, Rating.participant_id == participant_id
        )
    ).first()
    if rated_in_room is not None:
        raise CommandError(
            "already_rated", "You rated these proposals in the room; the window is for others."
        )

"""The check-out question, "Voelde je je gehoord?": opened by the facilitator, answered 1–5 on
every phone, closed once with its figures per group (:mod:`app.workshops.voice`).

An answer is private: the answering phone gets it back (``my_checkout.given``, for itself
only), the room gets nothing per answer, not even a count in the log (the staff's screens count
answers through presence). The figures are sent once, when the question closes, and it is not
reopened: a second set of figures with one more answer would give that answer away.
"""

from __future__ import annotations

from sqlmodel import select

from app.clock import utcnow
from app.realtime.commands import CommandError, Context, handles
from app.realtime.protocol import (
    CheckOutClose,
    CheckOutClosed,
    CheckOutGive,
    CheckOutOpen,
    CheckOutOpened,
    MyCheckOutGiven,
)
from app.types import Phase, Role
from app.workshops.voice import answers_of, check_out_figures
from app.workshops.voice_tables import CheckOut, CheckOutAnswer


def _question(ctx: Context) -> CheckOut:
    """The open question, or a refusal that says why it cannot be answered or closed."""
    question = ctx.session.get(CheckOut, ctx.workshop_id)
    if question is None:
        raise CommandError("not_open", "The check-out question has not been opened.")
    if question.closed_at is not None:
        raise CommandError("closed", "The check-out question is closed.")
    return question


#: Not in the lobby: nobody can have been heard before the room has begun.
AFTER_THE_LOBBY = tuple(phase for phase in Phase if phase is not Phase.LOBBY)


@handles(CheckOutOpen, roles=(Role.FACILITATOR,), phases=AFTER_THE_LOBBY)
def open_(ctx: Context, _command: CheckOutOpen) -> None:
    """Ask every phone the check-out question (once per workshop), after the lobby."""
    question = ctx.session.get(CheckOut, ctx.workshop_id)
    if question is not None:
        raise CommandError(
            "closed" if question.closed_at is not None else "invalid",
            "The check-out question was already asked in this workshop.",
        )
    ctx.session.add(CheckOut(workshop_id=ctx.workshop_id))
    ctx.emit(CheckOutOpened(type="checkout.opened"))


@handles(CheckOutGive, roles=(Role.PARTICIPANT,))
def answer(ctx: Context, command: CheckOutGive) -> None:
    """Answer (or change the answer) while the question is open."""
    participant_id = ctx.require_participant()
    _question(ctx)
    row = ctx.session.exec(
        select(CheckOutAnswer).where(
            CheckOutAnswer.workshop_id == ctx.workshop_id,
            CheckOutAnswer.participant_id == participant_id,
        )
    ).first()
    if row is None:
        row = CheckOutAnswer(
            workshop_id=ctx.workshop_id, participant_id=participant_id, score=command.score
        )
    else:
        row.score, row.answered_at = command.score, utcnow()
    ctx.session.add(row)
    ctx.session.flush()
    ctx.emit(
        MyCheckOutGiven(type="my_checkout.given", score=command.score), audience=participant_id
    )


@handles(CheckOutClose, roles=(Role.FACILITATOR,))
def close(ctx: Context, _command: CheckOutClose) -> None:
    """Close the question; its figures go to the room and stand from now on."""
    question = _question(ctx)
    question.closed_at = utcnow()
    ctx.session.add(question)
    ctx.session.flush()
    figures = check_out_figures(answers_of(ctx.session, ctx.workshop_id), ctx.group_size)
    ctx.emit(CheckOutClosed(type="checkout.closed", figures=figures))

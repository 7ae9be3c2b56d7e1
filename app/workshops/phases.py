"""Moving the room through its agenda, the phase timer, and the projector's spotlight."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.clock import iso, utcnow
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import (
    CardSpotlight,
    PhaseChanged,
    PhaseSet,
    SpotlightChanged,
    TimerChanged,
    TimerStart,
    TimerStop,
    WorkshopConfigure,
    WorkshopConfigured,
)
from app.types import Role
from app.workshops.models import Card, Participant
from app.workshops.schemas import workshop_view
from app.workshops.votes import close_open_vote

FACILITATOR = (Role.FACILITATOR,)


@handles(PhaseSet, roles=FACILITATOR)
def set_phase(ctx: Context, command: PhaseSet) -> Result:
    """Go to any step of the agenda, forward or back; phases may be revisited."""
    if command.index >= len(ctx.workshop.agenda):
        raise CommandError("invalid", f"The agenda has {len(ctx.workshop.agenda)} steps.")
    if command.index == ctx.workshop.phase_index:
        raise CommandError("invalid", "The room is already in that phase.")
    # A vote left open behind the room would stay secret and half-done: close it, in the log.
    close_open_vote(ctx)
    ctx.workshop.phase_index = command.index
    ctx.workshop.timer_ends_at = None
    ctx.emit(
        PhaseChanged(
            type="phase.changed",
            phase_index=command.index,
            phase=ctx.workshop.agenda[command.index],
        )
    )
    ctx.emit(TimerChanged(type="timer.changed", ends_at=None))
    return {"phase_index": command.index}


@handles(WorkshopConfigure, roles=FACILITATOR)
def configure(ctx: Context, command: WorkshopConfigure) -> None:
    """Edit the workshop, also while it runs. The current phase must stay on the agenda."""
    workshop = ctx.workshop
    if command.agenda is not None:
        agenda = [p.value for p in command.agenda]
        current = workshop.agenda[workshop.phase_index]
        if current not in agenda:
            raise CommandError("invalid", f"The current phase ({current}) must stay on the agenda.")
        workshop.agenda = agenda
        workshop.phase_index = agenda.index(current)
    if command.title is not None:
        workshop.title = command.title
    if command.theme_question is not None:
        workshop.theme_question = command.theme_question
    if command.settings is not None:
        if command.settings.anonymous != ctx.settings.anonymous and _anyone_joined(ctx):
            raise CommandError(
                "invalid", "Anonymity is chosen before anyone joins; people joined on that promise."
            )
        workshop.settings = command.settings.model_dump()
    ctx.emit(
        WorkshopConfigured(
            type="workshop.configured", workshop=workshop_view(workshop, ctx.trajectory)
        )
    )


def _anyone_joined(ctx: Context) -> bool:
    return (
        ctx.session.exec(
            select(Participant.id).where(Participant.workshop_id == ctx.workshop_id)
        ).first()
        is not None
    )


@handles(TimerStart, roles=FACILITATOR)
def start_timer(ctx: Context, command: TimerStart) -> None:
    ctx.workshop.timer_ends_at = utcnow() + timedelta(seconds=command.seconds)
    ctx.emit(TimerChanged(type="timer.changed", ends_at=iso(ctx.workshop.timer_ends_at)))


@handles(TimerStop, roles=FACILITATOR)
def stop_timer(ctx: Context, _command: TimerStop) -> None:
    if ctx.workshop.timer_ends_at is None:
        raise CommandError("invalid", "No timer is running.")
    ctx.workshop.timer_ends_at = None
    ctx.emit(TimerChanged(type="timer.changed", ends_at=None))


@handles(CardSpotlight, roles=FACILITATOR)
def spotlight(ctx: Context, command: CardSpotlight) -> None:
    """Enlarge one card (typically a beeld) on the projector for everyone, or clear it."""
    if command.card_id is not None:
        card = ctx.session.get(Card, command.card_id)
        if card is None or card.workshop_id != ctx.workshop_id:
            raise CommandError("not_found", "No such card in this workshop.")
    ctx.workshop.spotlight_card_id = command.card_id
    ctx.emit(SpotlightChanged(type="spotlight.changed", card_id=command.card_id))

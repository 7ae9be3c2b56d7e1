"""Moving the room through its agenda, the phase timer, and the projector's spotlight."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.clock import iso, utcnow
from app.realtime.commands import (
    FACILITATORS_ONLY,
    CommandError,
    Context,
    Result,
    driver_of,
    handles,
)
from app.realtime.protocol import (
    CardSpotlight,
    ConsoleDriver,
    ConsoleTakeOver,
    PhaseChanged,
    PhaseSet,
    ProposalCreated,
    ScreenChanged,
    ScreenView,
    SpotlightChanged,
    TimerChanged,
    TimerStart,
    TimerStop,
    WorkshopConfigure,
    WorkshopConfigured,
)
from app.types import Phase, ProposalKind, Role
from app.workshops.before_window import release_held
from app.workshops.convergence import rule_of
from app.workshops.heard import heard
from app.workshops.models import Card, Cluster, Participant, Proposal, Vertrekpunt
from app.workshops.pooling import settle_workshop
from app.workshops.presets import minutes_for
from app.workshops.redrafts import cancel_redraft, unfinished
from app.workshops.rounds import announce, cancel_round, close_round, open_rounds
from app.workshops.schemas import ScreenState, proposal_view, workshop_view
from app.workshops.votes import cancel_vote, close_vote, current_vote

FACILITATOR = (Role.FACILITATOR,)


@handles(PhaseSet, roles=FACILITATOR)
def set_phase(ctx: Context, command: PhaseSet) -> Result:
    """Go to any step of the agenda, forward or back; phases may be revisited."""
    if command.index >= len(ctx.workshop.agenda):
        raise CommandError("invalid", f"The agenda has {len(ctx.workshop.agenda)} steps.")
    if command.index == ctx.workshop.phase_index:
        raise CommandError("invalid", "The room is already in that phase.")
    # A vote or round left open behind the room would stay half-done: the facilitator says
    # whether it counts (close) or not (cancel), and the choice is in the log.
    vote = current_vote(ctx)
    # An after-window outlives the step it opened in: it is closed by itself or window.close.
    rounds = [r for r in open_rounds(ctx.session, ctx.workshop_id) if r.after_round_id is None]
    redrafts = unfinished(ctx.session, ctx.workshop_id)
    if (vote or rounds or redrafts) and command.open_items is None:
        what = "dot vote" if vote else "agreement round" if rounds else "redraft"
        raise CommandError(
            "open_items", f"The {what} is still open: close it or cancel it before moving on."
        )
    cancel = command.open_items == "cancel"
    if vote is not None:
        (cancel_vote if cancel else close_vote)(ctx, vote)
    for round_ in rounds:
        (cancel_round if cancel else close_round)(ctx, round_)
    for redraft in redrafts:  # unfinished: there is no result to keep, only to drop
        cancel_redraft(ctx, redraft)
    ctx.workshop.phase_index = command.index
    ctx.workshop.timer_ends_at = None
    settle_workshop(ctx.session, ctx.workshop, ctx.group_size)  # who contributed: pooled once
    phase = ctx.workshop.agenda[command.index]
    ctx.emit(PhaseChanged(type="phase.changed", phase_index=command.index, phase=phase))
    if phase != Phase.LOBBY:  # the room starts with what was sent in beforehand on the wall
        release_held(ctx)
    if phase in (Phase.WAAROM, Phase.OPGAVE):
        seed_from_vertrekpunt(ctx, ProposalKind(phase))
    ctx.emit(TimerChanged(type="timer.changed", ends_at=None))
    if ctx.workshop.screen:  # a held page or focus belongs to the phase it was set in
        ctx.workshop.screen = None
        ctx.emit(ScreenChanged(type="screen.changed", screen=ScreenState()))
    return {"phase_index": command.index}


@handles(WorkshopConfigure, roles=FACILITATOR)
def configure(ctx: Context, command: WorkshopConfigure) -> None:
    """Edit the workshop, also while it runs. The current phase must stay on the agenda."""
    workshop = ctx.workshop
    rule_before = rule_of(ctx.settings)
    if command.agenda is not None:
        agenda = [p.value for p in command.agenda]
        current = workshop.agenda[workshop.phase_index]
        if current not in agenda:
            raise CommandError("invalid", f"The current phase ({current}) must stay on the agenda.")
        # Steps may repeat: the room stays at the occurrence of its phase nearest to where it was.
        workshop.phase_index = min(
            (i for i, phase in enumerate(agenda) if phase == current),
            key=lambda i: abs(i - workshop.phase_index),
        )
        workshop.agenda = agenda
        # Minutes belong to steps: a new agenda without its minutes gets the typical ones.
        workshop.phase_minutes = minutes_for(list(command.agenda), command.phase_minutes)
    elif command.phase_minutes is not None:
        if len(command.phase_minutes) != len(workshop.agenda):
            raise CommandError("invalid", "Give planned minutes for each step of the agenda.")
        workshop.phase_minutes = list(command.phase_minutes)
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
    if command.settings is not None and rule_of(command.settings) != rule_before:
        # An open round is measured by the rule as it is now: its figures say so at once.
        for round_ in open_rounds(ctx.session, ctx.workshop_id):
            announce(ctx, round_)


def seed_from_vertrekpunt(ctx: Context, kind: ProposalKind) -> None:
    """A reframing starts its waarom and opgave from the current framing ("zoals het nu is").

    The first time the room enters the phase, the starting point's adopted text (and, for the
    opgave, its scope and core themes) becomes the first proposal, so the room rates the
    existing framing before it changes it. Entering the phase again adds nothing.
    """
    starts_from = ctx.workshop.starts_from_id
    saved = ctx.session.get(Vertrekpunt, starts_from) if starts_from else None
    if saved is None:
        return
    already = ctx.session.exec(
        select(Proposal.id).where(
            Proposal.workshop_id == ctx.workshop_id,
            Proposal.kind == kind.value,
            Proposal.seeded_from_id == saved.id,
        )
    ).first()
    if already is not None:
        return
    part = saved.record[kind.value]
    proposal = Proposal(
        workshop_id=ctx.workshop_id,
        kind=kind.value,
        author_id=None,
        text=part["text"],
        in_scope=list(part.get("in_scope", [])),
        out_of_scope=list(part.get("out_of_scope", [])),
        core_themes=list(part.get("core_themes", [])),
        seeded_from_id=saved.id,
    )
    ctx.session.add(proposal)
    ctx.session.flush()
    ctx.emit(ProposalCreated(type="proposal.created", proposal=proposal_view(proposal)))


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
        if card.held:
            raise CommandError(
                "invalid", "A card sent in beforehand is shown once the room starts."
            )
    ctx.workshop.spotlight_card_id = command.card_id
    ctx.emit(SpotlightChanged(type="spotlight.changed", card_id=command.card_id))


@handles(ScreenView, roles=FACILITATOR)
def screen_view(ctx: Context, command: ScreenView) -> None:
    """Steer the projector: hold a page (it wraps at its own page count), focus one item, or
    show the room who was heard (figures as of now, k-pooled: see :mod:`app.workshops.heard`)."""
    if command.focus is not None:
        _check_focus(ctx, command.focus.kind, command.focus.id)
    figures = heard(ctx.session, ctx.workshop_id, ctx.group_size) if command.heard else None
    screen = ScreenState(page=command.page, focus=command.focus, heard=figures)
    ctx.workshop.screen = screen.model_dump(mode="json") if screen != ScreenState() else None
    ctx.emit(ScreenChanged(type="screen.changed", screen=screen))


def _check_focus(ctx: Context, kind: str, item_id: int) -> None:
    item: Card | Cluster | Proposal | None = (
        ctx.session.get(Card, item_id)
        if kind == "card"
        else ctx.session.get(Cluster, item_id)
        if kind == "cluster"
        else ctx.session.get(Proposal, item_id)
    )
    if item is None or item.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no {kind} {item_id} in this workshop.")
    if isinstance(item, Card) and item.hidden:
        raise CommandError("invalid", "A hidden card cannot be shown on the projector.")
    if isinstance(item, Card) and item.held:
        raise CommandError("invalid", "A card sent in beforehand is shown once the room starts.")


@handles(ConsoleTakeOver, roles=FACILITATOR)
def take_over(ctx: Context, _command: ConsoleTakeOver) -> None:
    """Co-facilitation: this facilitator's console drives from now on."""
    if driver_of(ctx.workshop, ctx.trajectory) == ctx.actor.facilitator_id:
        raise CommandError("invalid", "Your console is already leading this workshop.")
    ctx.workshop.driver_id = ctx.actor.facilitator_id
    ctx.emit(
        ConsoleDriver(type="console.driver", driver_id=ctx.workshop.driver_id),
        audience=FACILITATORS_ONLY,
    )

"""The after-window: after the live session, the last round's proposals open for rating again,
until a date, for those who were not in the room and those who left before they rated.

A window is an agreement round of its own (``AgreementRound.after_round_id`` names the room's
round, ``window_until`` when it closes by itself), so ``rating.give``, the outbox on the phone,
the log and the figures are those of every round. What differs:

- who may rate: not someone who rated in the room's round (:mod:`app.workshops.window_rules`);
- its figures are hidden from everyone, the console too, until it closes
  (:func:`app.realtime.audience.round_for`): the console sees how many rated;
- it closes by the facilitator's ``window.close`` or by itself at ``until``: the next
  ``window.open`` closes an expired one first, and the server sweeps expired windows at start-up
  and every half minute (:func:`close_due`), so a restart in between loses nothing;
- when it closes, the groups it is shown per are decided from who rated in it, and the rule for
  its objections (the workshop's ``window_objection``) is kept with it, so the record says which
  rule applied even if the setting changes later.

The record's figures — the room, the window, and both together, per group — are measured in
:mod:`app.workshops.convergence` (:func:`window_records` only gathers the ratings).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from pydantic import Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.clock import iso, utcnow
from app.db import session_scope
from app.privacy import DEFAULT_K
from app.realtime.commands import (
    Actor,
    Batch,
    CommandError,
    Context,
    Outcome,
    Result,
    handles,
    run_in_order,
)
from app.realtime.protocol import Ack, WindowClose, WindowClosed, WindowOpen, WindowOpened
from app.types import Phase, Role
from app.workshops.convergence import Rated, measure_together
from app.workshops.models import AgreementRound, Participant, Rating, Workshop
from app.workshops.pooling import round_labels
from app.workshops.rounds import figures, full_view
from app.workshops.schemas import Convergence, View

#: Where a window may be opened: after a round in the proposal steps, or in the closing step.
WINDOW_PHASES = (Phase.WAAROM, Phase.OPGAVE, Phase.AFRONDING)
#: The longest a window may stay open: a verslag should not wait for months.
MAX_DAYS = 60
#: How often the server looks for windows whose time has passed.
SWEEP_SECONDS = 30


def open_window(session: Session, workshop_id: int) -> AgreementRound | None:
    """The workshop's open after-window, if any (at most one)."""
    return session.exec(
        select(AgreementRound).where(
            AgreementRound.workshop_id == workshop_id,
            col(AgreementRound.is_open),
            col(AgreementRound.after_round_id).is_not(None),
        )
    ).first()


def last_room_round(session: Session, workshop_id: int) -> AgreementRound | None:
    """The room's newest agreement round (of either kind): the one a window opens again."""
    return session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == workshop_id,
            col(AgreementRound.after_round_id).is_(None),
        )
        .order_by(col(AgreementRound.id).desc())
    ).first()


def expired(round_: AgreementRound) -> bool:
    return round_.window_until is not None and round_.window_until <= utcnow()


@handles(WindowOpen, roles=(Role.FACILITATOR,), phases=WINDOW_PHASES)
def open_(ctx: Context, command: WindowOpen) -> Result:
    """Open the last round's proposals for rating until ``until``."""
    close_expired(ctx)
    if open_window(ctx.session, ctx.workshop_id) is not None:
        raise CommandError("window_open", "A window is already open; close it first.")
    now = utcnow()
    if command.until <= now:
        raise CommandError("invalid", "The window must close later than now.")
    if command.until > now + timedelta(days=MAX_DAYS):
        raise CommandError("invalid", f"A window stays open at most {MAX_DAYS} days.")
    room = last_room_round(ctx.session, ctx.workshop_id)
    if room is None:
        raise CommandError("no_round", "There is no agreement round to open again.")
    if room.is_open:
        raise CommandError("round_open", "Close the round in the room first.")
    if ctx.session.exec(
        select(AgreementRound.id).where(AgreementRound.after_round_id == room.id)
    ).first():
        raise CommandError("window_exists", "This round already had its window.")
    window = AgreementRound(
        workshop_id=ctx.workshop_id,
        kind=room.kind,
        number=room.number,
        proposal_ids=list(room.proposal_ids),
        eligible=1,  # who rates in a window is not known beforehand: counted at close
        reveal="at_close",
        window_until=command.until,
        after_round_id=room.id,
    )
    ctx.session.add(window)
    ctx.session.flush()
    ctx.emit(
        WindowOpened(
            type="window.opened",
            round=full_view(ctx.session, window, ctx.settings, k=ctx.group_size),
        )
    )
    return {"round_id": window.id}


@handles(WindowClose, roles=(Role.FACILITATOR,))
def close(ctx: Context, _command: WindowClose) -> Result:
    """Close the open window now, before its time."""
    window = open_window(ctx.session, ctx.workshop_id)
    if window is None:
        raise CommandError("no_window", "There is no open window.")
    close_window(ctx, window)
    return {"round_id": window.id}


def close_window(ctx: Context, window: AgreementRound) -> None:
    """Close ``window`` with its figures: its groups decided from who rated in it, its
    ``eligible`` the number who did (a window has no room to count), and the objection rule
    that applied kept with it."""
    groups = ctx.session.exec(
        select(Participant.id, Participant.stakeholder_group)
        .join(Rating, col(Rating.participant_id) == col(Participant.id))
        .where(Rating.round_id == window.id)
        .distinct()
    ).all()
    window.group_sizes = dict(sorted(Counter(group for _id, group in groups).items()))
    window.eligible = max(len(groups), 1)
    window.window_objection = ctx.settings.window_objection
    window.is_open = False
    window.closed_at = utcnow()
    ctx.session.add(window)
    ctx.session.flush()
    ctx.emit(
        WindowClosed(
            type="window.closed",
            round=full_view(ctx.session, window, ctx.settings, k=ctx.group_size),
        )
    )


def close_expired(ctx: Context) -> bool:
    """Close the open window if its time has passed; whether it did."""
    window = open_window(ctx.session, ctx.workshop_id)
    if window is None or not expired(window):
        return False
    close_window(ctx, window)
    return True


@dataclass(frozen=True)
class WindowExpiry:
    """A job in a workshop's batch that closes its window once ``until`` has passed: the
    server's own act, logged like any command (no sender, no receipt)."""

    group_size: int = DEFAULT_K

    def run(self, session: Session, workshop: Workshop, batch: Batch) -> Outcome:
        ctx = Context(
            session=session,
            workshop=workshop,
            actor=Actor(Role.SCREEN),
            present=frozenset(),
            group_size=self.group_size,
            after_commit=batch.after_commit,
            logged=batch.logged,
            memo=batch.memo,
        )
        close_expired(ctx)
        ack = Ack(type="ack", cid="window.expired", seq=ctx.last_seq, result={})
        return Outcome(ack, ctx.last_seq)


def due(engine: Engine) -> list[int]:
    """The workshops with an open window whose time has passed."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(AgreementRound.workshop_id, AgreementRound.window_until).where(
                col(AgreementRound.is_open), col(AgreementRound.after_round_id).is_not(None)
            )
        ).all()
    now = utcnow()
    return sorted({wid for wid, until in rows if until is not None and until <= now})


def close_due(engine: Engine, *, group_size: int = DEFAULT_K) -> list[int]:
    """Close every window whose time has passed, without a hub (tests, a single process);
    the workshops it closed one in. The server goes through its lanes instead (app.main)."""
    closed = []
    for workshop_id in due(engine):
        (result,) = run_in_order(
            engine, workshop_id=workshop_id, jobs=[WindowExpiry(group_size=group_size)]
        )
        if isinstance(result, Outcome) and result.last_seq is not None:
            closed.append(workshop_id)
    return closed


# --------------------------------------------------------------------------------- the record


class WindowProposal(View):
    """One proposal's figures: in the room's round, in the window, and both together."""

    proposal_id: int
    room: Convergence
    window: Convergence
    together: Convergence = Field(
        description="room and window added up; `converged` under the rule that applied"
    )


class WindowRecord(View):
    """An after-window as the record keeps it; no figures while it is open."""

    round_id: int
    kind: str
    room_round: int = Field(description="the number of the room's round it opened again")
    until: str | None
    closed_at: str | None
    is_open: bool
    objection_rule: Literal["counts", "reported"] = Field(
        description="what a 1 from the window did: counted as in the room, or reported "
        "without blocking convergence"
    )
    raters: int = Field(description="people who rated in the window")
    proposals: list[WindowProposal] = Field(
        default_factory=list, description="empty while the window is open"
    )


def _rated(session: Session, round_id: int | None) -> dict[int, list[Rated]]:
    rows = session.exec(
        select(Rating, Participant.stakeholder_group)
        .join(Participant, col(Participant.id) == col(Rating.participant_id))
        .where(Rating.round_id == round_id)
        .order_by(col(Rating.id))
    ).all()
    by_proposal: dict[int, list[Rated]] = {}
    for rating, group in rows:
        by_proposal.setdefault(rating.proposal_id, []).append((rating.score, rating.reason, group))
    return by_proposal


def window_records(session: Session, workshop: Workshop, k: int = DEFAULT_K) -> list[WindowRecord]:
    """Every after-window of the workshop with its figures per channel, per group (k rule)."""
    settings = workshop.workshop_settings()
    windows = session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == workshop.id,
            col(AgreementRound.after_round_id).is_not(None),
        )
        .order_by(col(AgreementRound.id))
    ).all()
    records = []
    for window in windows:
        room = session.get(AgreementRound, window.after_round_id)
        assert room is not None and window.id is not None
        rule: Literal["counts", "reported"] = (
            "reported"
            if (window.window_objection or settings.window_objection) == "reported"
            else "counts"
        )
        raters = len(
            set(session.exec(select(Rating.participant_id).where(Rating.round_id == window.id)))
        )
        record = WindowRecord(
            round_id=window.id,
            kind=window.kind,
            room_round=room.number,
            until=iso(window.window_until),
            closed_at=iso(window.closed_at),
            is_open=window.is_open,
            objection_rule=rule,
            raters=raters,
        )
        if not window.is_open:
            applied = settings.model_copy(update={"window_objection": rule})
            in_room, afterwards = _rated(session, room.id), _rated(session, window.id)
            room_figures = figures(session, room, settings, k=k)
            window_figures = figures(session, window, settings, k=k)
            room_labels, window_labels = (
                round_labels(session, room, k),
                round_labels(session, window, k),
            )
            record.proposals = [
                WindowProposal(
                    proposal_id=pid,
                    room=room_figures[pid],
                    window=window_figures[pid],
                    together=measure_together(
                        in_room.get(pid, []),
                        afterwards.get(pid, []),
                        eligible=room.eligible + raters,
                        settings=applied,
                        room_labels=room_labels,
                        window_labels=window_labels,
                        k=k,
                    ),
                )
                for pid in window.proposal_ids
                if pid in room_figures and pid in window_figures
            ]
        records.append(record)
    return records

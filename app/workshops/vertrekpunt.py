"""Saving the vertrekpunt: the adopted waarom and opgave, with the chain and figures behind them.

The record is written once, as a self-contained document on the trajectory, so it still reads
correctly after the workshop moves on or participants are later anonymised.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, col, select

from app.clock import iso, utcnow
from app.privacy import label_of, shown_per_group
from app.realtime.commands import CommandError, Context, Result, handles
from app.realtime.protocol import VertrekpuntSave, VertrekpuntSaved
from app.types import Phase, ProposalKind, Role
from app.workshops.before_window import before_record
from app.workshops.chain import chain, last_tally, lineage, tree, unattributed
from app.workshops.convergence import rule_of
from app.workshops.groups import group_key
from app.workshops.heard import consented, heard
from app.workshops.history import SAVED, becomes_current
from app.workshops.models import (
    AgreementRound,
    Cluster,
    CurrentChange,
    Dot,
    DotVote,
    Participant,
    Proposal,
    Rating,
    Trajectory,
    Vertrekpunt,
    Workshop,
)
from app.workshops.participants import authors
from app.workshops.pooling import count_by_label, workshop_labels
from app.workshops.proposals import adopted
from app.workshops.redrafts import redraft_records, rounds_to_convergence
from app.workshops.remote import from_elsewhere
from app.workshops.rounds import figures
from app.workshops.schemas import cluster_view, dump, proposal_view
from app.workshops.targets import new_voices
from app.workshops.voice import voice

RECORD_VERSION = 2
"""2 added the chain as a tree, who was heard and what people consented to share (see
docs/exports.md); readers of version 1 records fall back to its flat ``chain``."""


def representation(
    session: Session, workshop: Workshop, expected: list[str], k: int
) -> dict[str, Any]:
    """Who was at the table per stakeholder group, who contributed, and who was missing.

    Who was *present* is shown per group as it is (the room saw who was there), beside the
    trajectory's targets; who *contributed*, and who came for the first time (the join question,
    :func:`app.workshops.targets.new_voices`), are about people, so they are pooled by the
    workshop's labels, the same the console and projector showed (:mod:`app.workshops.pooling`),
    and their totals count the people those groups show. Every reader — the trajectory page,
    the console, each export — shows these figures, so none can be set against another.
    """
    participants = session.exec(  # who was never let in (the admit step) was not at the table
        select(Participant).where(
            Participant.workshop_id == workshop.id,
            col(Participant.waiting).is_(False),
            col(Participant.is_helper).is_(False),  # a tafelhulp is not a participant
        )
    ).all()
    group_of = {p.id: p.stakeholder_group for p in participants}
    assert workshop.id is not None
    contributors = authors(session, workshop.id)
    for rater in session.exec(
        select(Rating.participant_id)
        .join(AgreementRound, col(AgreementRound.id) == col(Rating.round_id))
        .where(AgreementRound.workshop_id == workshop.id)
    ):
        contributors.add(rater)
    for voter in session.exec(
        select(Dot.participant_id)
        .join(DotVote, col(DotVote.id) == col(Dot.vote_id))
        .where(DotVote.workshop_id == workshop.id)
    ):
        contributors.add(voter)
    present = Counter(group_of.values())
    labels = workshop_labels(session, workshop, k)
    trajectory = session.get(Trajectory, workshop.trajectory_id)
    contributing = count_by_label((group_of[p] for p in contributors if p in group_of), labels)
    return {
        "expected": list(expected),
        "present": dict(sorted(present.items())),
        "contributing": contributing,
        "people_contributing": sum(contributing.values())
        if shown_per_group(labels)
        else len(contributors & set(group_of)),
        "missing": [g for g in expected if group_key(g) not in {group_key(p) for p in present}],
        "counted_as": {group: label_of(labels, group) for group in sorted(present)},
        "targets": dict(trajectory.group_targets) if trajectory else {},
        "often_missing": list(trajectory.often_missing) if trajectory else [],
        "new_voices": new_voices(session, workshop, k),
        # Who took part from elsewhere, per shown group (app/workshops/remote.py).
        "from_elsewhere": from_elsewhere(session, workshop, k, now=False).model_dump(),
    }


def _adopted_part(ctx: Context, proposal: Proposal) -> dict[str, Any]:
    history = lineage(ctx.session, proposal)
    ids = {p.id for p in history}
    rounds = ctx.session.exec(
        select(AgreementRound)
        .where(
            AgreementRound.workshop_id == ctx.workshop_id,
            AgreementRound.kind == proposal.kind,
            col(AgreementRound.after_round_id).is_(None),  # an after-window is not a room round
        )
        .order_by(col(AgreementRound.number))
    ).all()
    round_figures = []
    deciding = None
    for round_ in rounds:
        measured = figures(ctx.session, round_, ctx.settings, k=ctx.group_size)
        for pid, convergence in measured.items():
            if pid in ids:
                round_figures.append(
                    {"round": round_.number, "proposal_id": pid, **dump(convergence)}
                )
            if pid == proposal.id:
                deciding = round_.number
    return {
        **dump(unattributed(proposal_view(proposal))),
        "adopted_at": iso(proposal.adopted_at),
        "rounds_to_convergence": rounds_to_convergence(
            ctx.session, ctx.workshop, {i for i in ids if i}, proposal.kind, k=ctx.group_size
        ),
        "history": [dump(unattributed(proposal_view(p))) for p in history[1:]],
        "rounds": round_figures,
        # The rule it was measured by, and the round whose figures (with those per group)
        # decided: the adopted proposal's latest round, as the adoption check reads it.
        "rule": dump(rule_of(ctx.settings)),
        "deciding_round": deciding,
    }


def give_waiting_herijkingen(session: Session, trajectory_id: int, vertrekpunt_id: int) -> None:
    """Herijkingen made before the trajectory had a vertrekpunt start from the one just made
    current, as they would have had it existed when they were made.

    Only those that have not reached their waarom or opgave yet (no proposal in them): the
    room rates the starting point as the first proposal there (``seed_from_vertrekpunt``), and a
    herijking that got past that without one keeps what it did.
    """
    waiting = session.exec(
        select(Workshop).where(
            Workshop.trajectory_id == trajectory_id,
            col(Workshop.reframe).is_(True),
            col(Workshop.starts_from_id).is_(None),
        )
    ).all()
    for workshop in waiting:
        begun = session.exec(select(Proposal.id).where(Proposal.workshop_id == workshop.id)).first()
        if begun is None:
            workshop.starts_from_id = vertrekpunt_id
            session.add(workshop)


@handles(VertrekpuntSave, roles=(Role.FACILITATOR,), phases=(Phase.AFRONDING,))
def save(ctx: Context, _command: VertrekpuntSave) -> Result:
    """Save the workshop's result on its trajectory, once.

    It becomes the trajectory's current vertrekpunt unless a newer workshop's result is saved
    already or a choice with a reason came after this workshop was made
    (:func:`app.workshops.history.becomes_current`): then it is kept in the history, and making
    it current is an explicit act on the trajectory page
    (:func:`app.workshops.history.make_current`).
    """
    already = ctx.session.exec(
        select(Vertrekpunt.id).where(Vertrekpunt.workshop_id == ctx.workshop_id)
    ).first()
    if already is not None:
        raise CommandError("already_saved", "This workshop's vertrekpunt is already saved.")
    waarom = adopted(ctx, ProposalKind.WAAROM)
    opgave = adopted(ctx, ProposalKind.OPGAVE)
    if waarom is None or opgave is None:
        raise CommandError("not_adopted", "Adopt a waarom and an opgave before saving.")
    trajectory = ctx.trajectory
    clusters = ctx.session.exec(
        select(Cluster).where(Cluster.workshop_id == ctx.workshop_id).order_by(col(Cluster.id))
    ).all()
    root = tree(ctx.session, ctx.workshop_id, waarom, opgave)
    record = {
        "version": RECORD_VERSION,
        "saved_at": iso(utcnow()),
        "trajectory": {"id": trajectory.id, "theme": trajectory.theme},
        "starts_from_id": ctx.workshop.starts_from_id,
        "workshop": {
            "id": ctx.workshop_id,
            "title": ctx.workshop.title,
            "theme_question": ctx.workshop.theme_question,
            "anonymous": ctx.settings.anonymous,
            "ssd_step": ctx.workshop.ssd_step,
        },
        "waarom": _adopted_part(ctx, waarom),
        "opgave": _adopted_part(ctx, opgave),
        "chain": chain(
            ctx.session,
            ctx.workshop_id,
            [*lineage(ctx.session, waarom), *lineage(ctx.session, opgave)],
        ),
        "tree": dump(root) if root else None,
        "clusters": [dump(cluster_view(c)) for c in clusters],
        "dot_vote": [dump(line) for line in last_tally(ctx.session, ctx.workshop_id)],
        "representation": representation(
            ctx.session, ctx.workshop, trajectory.expected_groups, ctx.group_size
        ),
        "heard": dump(heard(ctx.session, ctx.workshop_id, ctx.group_size)),
        "consented": consented(ctx.session, ctx.workshop_id, ctx.group_size),
        "redrafts": [dump(r) for r in redraft_records(ctx.session, ctx.workshop, k=ctx.group_size)],
        "voice": dump(voice(ctx.session, ctx.workshop_id, ctx.group_size)),
        "before": before_record(ctx.session, ctx.workshop, ctx.group_size),
    }
    current = becomes_current(ctx.session, trajectory, ctx.workshop)
    vertrekpunt = Vertrekpunt(
        trajectory_id=trajectory.id or 0,
        workshop_id=ctx.workshop_id,
        previous_id=trajectory.current_vertrekpunt_id,
        record=record,
    )
    ctx.session.add(vertrekpunt)
    ctx.session.flush()
    assert vertrekpunt.id is not None and trajectory.id is not None
    if current:
        trajectory.current_vertrekpunt_id = vertrekpunt.id
        ctx.session.add(trajectory)
        ctx.session.add(
            CurrentChange(
                trajectory_id=trajectory.id,
                vertrekpunt_id=vertrekpunt.id,
                reason=SAVED,
                made_by=ctx.actor.facilitator_id,
            )
        )
        give_waiting_herijkingen(ctx.session, trajectory.id, vertrekpunt.id)
    ctx.emit(
        VertrekpuntSaved(
            type="vertrekpunt.saved",
            vertrekpunt_id=vertrekpunt.id,
            trajectory_id=trajectory.id,
            current=current,
        )
    )
    return {"vertrekpunt_id": vertrekpunt.id, "current": current}

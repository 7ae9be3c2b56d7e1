"""The room's state: built fresh from the tables (snapshot) or advanced by events (reducer).

:func:`build_snapshot` is what a (re)connecting client gets; :func:`apply_event` is the reference
of what a client does with each event. Tests hold the two to each other: a stale snapshot plus the
events since equals a fresh snapshot, for every event type. Both speak plain JSON dicts, as the
wire does.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlmodel import Session, col, select

from app.privacy import DEFAULT_K
from app.realtime.audience import (
    card_for,
    participant_for,
    proposal_for,
    redraft_for,
    round_for,
    withheld,
)
from app.realtime.commands import Actor, driver_of
from app.types import Role
from app.workshops.models import (
    AgreementRound,
    Card,
    Cluster,
    DotVote,
    Participant,
    Proposal,
    Ranking,
    Rating,
    Redraft,
    Suggestion,
    Trajectory,
    Vertrekpunt,
    Workshop,
)
from app.workshops.participants import assisted_ids
from app.workshops.redrafts import redraft_view
from app.workshops.rounds import full_view
from app.workshops.schemas import (
    CardView,
    MyDot,
    MyRating,
    RoomState,
    StartingPoint,
    card_view,
    cluster_view,
    participant_view,
    proposal_view,
    suggestion_view,
    vote_view,
    workshop_view,
)
from app.workshops.voice import check_out_view, my_answer
from app.workshops.votes import my_dots, tally

JSON = dict[str, Any]


def build_snapshot(
    session: Session, workshop: Workshop, viewer: Actor, *, k: int = DEFAULT_K
) -> RoomState:
    """The whole room as ``viewer`` may see it, read in the caller's transaction.

    ``k`` is the smallest group shown on its own in per-group figures (``min_group_size``).
    """
    assert workshop.id is not None
    wid = workshop.id
    settings = workshop.workshop_settings()
    trajectory = session.get(Trajectory, workshop.trajectory_id)
    assert trajectory is not None
    me = viewer.participant_id if viewer.role is Role.PARTICIPANT else None

    def rows(model: Any) -> list[Any]:
        return list(
            session.exec(select(model).where(model.workshop_id == wid).order_by(col(model.id)))
        )

    votes = rows(DotVote)
    rounds = rows(AgreementRound)
    my_ratings: dict[str, MyRating] = {}
    if me is not None and rounds:
        for rating in session.exec(
            select(Rating).where(
                Rating.participant_id == me, col(Rating.round_id).in_([r.id for r in rounds])
            )
        ):
            key = f"{rating.round_id}:{rating.proposal_id}"
            my_ratings[key] = MyRating(
                round_id=rating.round_id,
                proposal_id=rating.proposal_id,
                score=rating.score,
                reason=rating.reason,
            )
    redrafts = rows(Redraft)
    my_rankings: dict[str, list[int]] = {}
    if me is not None and redrafts:
        for ranking in session.exec(
            select(Ranking).where(
                Ranking.participant_id == me,
                col(Ranking.redraft_id).in_([r.id for r in redrafts]),
            )
        ):
            my_rankings[str(ranking.redraft_id)] = list(ranking.order)
    saved = session.exec(
        select(Vertrekpunt.id)
        .where(Vertrekpunt.workshop_id == wid)
        .order_by(col(Vertrekpunt.id).desc())
    ).first()
    if me is None:  # staff see everyone; a phone sees only itself
        people = rows(Participant)
    else:
        people = list(session.exec(select(Participant).where(Participant.id == me)))
    # Who took part with a name decides whether the facilitator sees a card's author; a phone
    # never sees authors (audience.card_for), so it needs no list of names.
    named = {p.id for p in people if p.display_name is not None} if me is None else set()
    assisted = assisted_ids(session, wid)  # "ingevoerd door tafelhulp" (app.workshops.assisted)
    return RoomState(
        workshop=workshop_view(workshop, trajectory),
        participants={
            str(p.id): participant_for(participant_view(p, anonymous=settings.anonymous), viewer)
            for p in people
        },
        cards={
            str(view.id): card_for(view, viewer)
            for view in (
                card_view(c, author_named=c.author_id in named, assisted=c.author_id in assisted)
                for c in rows(Card)
            )
            if not withheld(view, viewer)
        },
        clusters={str(c.id): cluster_view(c) for c in rows(Cluster)},
        votes={str(v.id): vote_view(v, None if v.is_open else tally(session, v.id)) for v in votes},
        proposals={
            str(p.id): proposal_for(proposal_view(p, author_named=p.author_id in named), viewer)
            for p in rows(Proposal)
        },
        rounds={str(r.id): round_for(full_view(session, r, settings, k=k), viewer) for r in rounds},
        my_dots=_my_dots(session, votes, me),
        my_ratings=my_ratings,
        redrafts={str(r.id): redraft_for(redraft_view(session, r), viewer) for r in redrafts},
        my_rankings=my_rankings,
        vertrekpunt_id=saved,
        vertrekpunt_current=saved is not None and saved == trajectory.current_vertrekpunt_id,
        starts_from=starting_point(session, workshop.starts_from_id),
        suggestions={str(s.id): suggestion_view(s) for s in rows(Suggestion)}
        if viewer.role is Role.FACILITATOR
        else {},
        driver_id=driver_of(workshop, trajectory) if viewer.role is Role.FACILITATOR else None,
        check_out=check_out_view(session, wid, k),
        my_check_out=my_answer(session, wid, me) if me is not None else None,
    )


def cards_now(session: Session, workshop_id: int, ids: Collection[int]) -> dict[int, CardView]:
    """The full views of those of ``ids`` that are cards of the workshop now, read in one query.

    What a replay projects old card events through (:func:`app.realtime.audience.replayed`):
    built as :func:`build_snapshot` builds its cards (an author is named when they took part
    with a name), so a replay and a snapshot give the same card.
    """
    if not ids:
        return {}
    rows = session.exec(
        select(Card, Participant.display_name, Participant.assisted_by_id)
        .outerjoin(Participant, col(Participant.id) == col(Card.author_id))
        .where(Card.workshop_id == workshop_id, col(Card.id).in_(sorted(ids)))
    )
    return {
        card.id: card_view(
            card,
            author_named=card.author_id is not None and name is not None,
            assisted=helper is not None,
        )
        for card, name, helper in rows
        if card.id is not None
    }


def starting_point(session: Session, vertrekpunt_id: int | None) -> StartingPoint | None:
    """The vertrekpunt a reframing workshop starts from, as its lobby and projector show it."""
    saved = session.get(Vertrekpunt, vertrekpunt_id) if vertrekpunt_id else None
    if saved is None:
        return None
    record = saved.record
    assert saved.id is not None
    return StartingPoint(
        id=saved.id,
        saved_at=record.get("saved_at"),
        workshop_title=record.get("workshop", {}).get("title", ""),
        waarom=record["waarom"]["text"],
        opgave=record["opgave"]["text"],
        in_scope=list(record["opgave"].get("in_scope", [])),
        out_of_scope=list(record["opgave"].get("out_of_scope", [])),
        core_themes=list(record["opgave"].get("core_themes", [])),
    )


def _my_dots(session: Session, votes: list[DotVote], me: int | None) -> dict[str, list[MyDot]]:
    """A participant's own dots per vote; votes where they have none are left out."""
    if me is None:
        return {}
    mine = {str(v.id): my_dots(session, v.id or 0, me) for v in votes}
    return {vote_id: dots for vote_id, dots in mine.items() if dots}


def apply_event(state: JSON, event: JSON) -> None:
    """Advance a JSON ``RoomState`` by one event, in place. The reference client reducer."""
    kind = event["type"]
    workshop = state["workshop"]
    if kind == "phase.changed":
        workshop["phase_index"] = event["phase_index"]
        workshop["phase"] = event["phase"]
    elif kind == "workshop.configured":
        state["workshop"] = event["workshop"]
    elif kind == "timer.changed":
        workshop["timer_ends_at"] = event["ends_at"]
    elif kind == "spotlight.changed":
        workshop["spotlight_card_id"] = event["card_id"]
    elif kind == "participant.joined":
        state["participants"][str(event["participant"]["id"])] = event["participant"]
    elif kind == "participant.left":
        state["participants"][str(event["participant_id"])]["left"] = True
    elif kind == "participant.admitted":
        state["participants"][str(event["participant_id"])]["waiting"] = False
    elif kind in ("card.posted", "card.updated"):
        state["cards"][str(event["card"]["id"])] = event["card"]
    elif kind == "card.withdrawn":
        state["cards"].pop(str(event["card_id"]), None)
    elif kind in ("cluster.created", "cluster.updated"):
        state["clusters"][str(event["cluster"]["id"])] = event["cluster"]
    elif kind == "cluster.deleted":
        state["clusters"].pop(str(event["cluster_id"]), None)
    elif kind in ("vote.opened", "vote.closed"):
        state["votes"][str(event["vote"]["id"])] = event["vote"]
    elif kind == "vote.cancelled":
        state["votes"].pop(str(event["vote_id"]), None)
        state["my_dots"].pop(str(event["vote_id"]), None)
    elif kind == "round.cancelled":
        state["rounds"].pop(str(event["round_id"]), None)
        prefix = f"{event['round_id']}:"
        for key in [key for key in state["my_ratings"] if key.startswith(prefix)]:
            del state["my_ratings"][key]
    elif kind in ("suggestion.made", "suggestion.decided"):
        state["suggestions"][str(event["suggestion"]["id"])] = event["suggestion"]
    elif kind == "screen.changed":
        workshop["screen"] = event["screen"]
    elif kind == "console.driver":
        state["driver_id"] = event["driver_id"]
    elif kind == "my_dots.changed":
        if event["dots"]:
            state["my_dots"][str(event["vote_id"])] = event["dots"]
        else:
            state["my_dots"].pop(str(event["vote_id"]), None)
    elif kind in ("proposal.created", "proposal.updated"):
        state["proposals"][str(event["proposal"]["id"])] = event["proposal"]
    elif kind in ("round.opened", "round.updated", "window.opened", "window.closed"):
        state["rounds"][str(event["round"]["id"])] = event["round"]
    elif kind == "my_rating.given":
        rating = event["rating"]
        state["my_ratings"][f"{rating['round_id']}:{rating['proposal_id']}"] = rating
    elif kind in ("redraft.opened", "redraft.updated"):
        state["redrafts"][str(event["redraft"]["id"])] = event["redraft"]
    elif kind == "redraft.cancelled":
        state["redrafts"].pop(str(event["redraft_id"]), None)
        state["my_rankings"].pop(str(event["redraft_id"]), None)
    elif kind == "my_ranking.given":
        state["my_rankings"][str(event["ranking"]["redraft_id"])] = event["ranking"]["order"]
    elif kind == "checkout.opened":
        state["check_out"] = {"open": True, "figures": None}
    elif kind == "checkout.closed":
        state["check_out"] = {"open": False, "figures": event["figures"]}
    elif kind == "my_checkout.given":
        state["my_check_out"] = event["score"]
    elif kind == "vertrekpunt.saved":
        state["vertrekpunt_id"] = event["vertrekpunt_id"]
        state["vertrekpunt_current"] = event["current"]
    else:
        raise ValueError(f"unknown event type {kind!r}")

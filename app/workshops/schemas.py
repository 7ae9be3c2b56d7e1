"""What the outside world sees of the domain: the shapes on the API and inside socket messages.

Each ``*View`` is built from a table row by one function here, so a field is hidden (names in
anonymous mode, tallies before a vote closes) in exactly one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.clock import iso
from app.types import CardKind, ProposalKind, Tag, VoteTarget, World
from app.workshops.check_out_views import CheckOutView
from app.workshops.heard import Heard
from app.workshops.models import (
    AgreementRound,
    Cluster,
    DotVote,
    Participant,
    Proposal,
    Suggestion,
    Trajectory,
    Workshop,
    WorkshopSettings,
)


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Focus(View):
    """One item the projector shows on its own, large."""

    kind: Literal["card", "cluster", "proposal"]
    id: int = Field(ge=1)


class ScreenState(View):
    """What the projector holds: a page (``None``: it pages by itself) and an item in focus;
    ``heard`` holds the "who was heard" figures while the console shows them to the room (their
    view, with the shares worked out, is :class:`app.workshops.heard.Heard`)."""

    page: int | None = Field(default=None, ge=0, le=1000)
    focus: Focus | None = None
    heard: Heard | None = None


class StartingPoint(View):
    """The vertrekpunt a reframing workshop starts from, as the lobby and projector show it."""

    id: int
    saved_at: str | None
    workshop_title: str
    waarom: str
    opgave: str
    in_scope: list[str]
    out_of_scope: list[str]
    core_themes: list[str]


class WorkshopView(View):
    id: int
    trajectory_id: int
    title: str
    theme_question: str
    agenda: list[str]
    phase_index: int
    phase: str
    settings: WorkshopSettings
    join_code: str
    timer_ends_at: str | None
    spotlight_card_id: int | None
    expected_groups: list[str]
    group_targets: dict[str, int] = Field(
        default_factory=dict, description="people the trajectory hopes to see per expected group"
    )
    often_missing: list[str] = Field(
        default_factory=list, description="expected groups that are often not at the table"
    )
    screen: ScreenState = Field(default_factory=ScreenState)
    phase_minutes: list[int] = Field(default_factory=list, description="planned minutes per step")
    ssd_step: int = 1
    starts_at: str | None = Field(
        default=None, description="the planned live start (phones say it around the before-window)"
    )


class ParticipantView(View):
    """A participant. Only the facilitator and the person themself get the personal fields;
    everyone else gets ``None`` there (see ``app/realtime/audience.py``)."""

    id: int
    display_name: str | None = Field(description="None when anonymous or in anonymous mode")
    stakeholder_group: str
    organisation: str | None = Field(description="None: not yours to see")
    drijfveer: str | None = Field(description="None: not yours to see")
    contribution: str | None = Field(description="None: not yours to see")
    drijfveer_use: str | None = Field(
        default=None, description="consent: facilitator | record; None: not yours to see"
    )
    contribution_use: str | None = Field(
        default=None, description="consent: facilitator | record; None: not yours to see"
    )
    left: bool
    waiting: bool = Field(
        default=False, description="waits in the lobby until the facilitator lets them in"
    )
    remote: bool | None = Field(
        default=None,
        description="joined with “Ik ben er niet bij in de zaal”; only the person themself "
        "sees it (None for everyone else: counted per group only, app.workshops.remote)",
    )
    helper: bool = Field(default=False, description="a tafelhulp: never counted as a participant")
    assisted: bool = Field(
        default=False, description="has no phone: a tafelhulp or the facilitator enters for them"
    )


class CardImage(View):
    """A beeld's photo. The card's text is its caption and the image's text alternative."""

    display_url: str
    thumb_url: str
    width: int
    height: int


class CardView(View):
    id: int
    kind: CardKind
    text: str = Field(description="empty for hidden cards, except for facilitators")
    author_id: int | None = Field(
        description="facilitators only, and only for authors who chose to be named"
    )
    author_named: bool = Field(default=False, description="the author took part with a name")
    mine: bool = Field(default=False, description="you posted this (participants only)")
    world: World | None
    factor_ids: list[int]
    tags: list[Tag]
    hidden: bool
    merged_into_id: int | None
    cluster_id: int | None
    image: CardImage | None
    created_at: str
    channel: Literal["room", "before"] = Field(
        default="room", description="before: sent in beforehand (“vooraf ingebracht”)"
    )
    held: bool = Field(
        default=False,
        description="sent in beforehand and not released yet: only its author and the "
        "facilitator receive it, until the room starts",
    )
    assisted: bool = Field(default=False, description="ingevoerd door tafelhulp")


class SuggestionView(View):
    """Facilitators only: phones suggest a card belongs with a card or cluster; never who."""

    id: int
    card_id: int
    target_kind: Literal["card", "cluster"]
    target_id: int
    count: int = Field(description="how many phones suggested this")
    status: Literal["open", "accepted", "declined"]


class ClusterView(View):
    id: int
    title: str
    tags: list[Tag]
    #: Cards that stand for the cluster best; a card that has left the cluster since is left
    #: out by the clients (it is still listed here, as it was taken over).
    core_card_ids: list[int] = []


class TallyLine(View):
    target_type: VoteTarget
    target_id: int
    dots: int


class VoteView(View):
    id: int
    budget: int
    is_open: bool
    results: list[TallyLine] | None = Field(description="None until the vote is closed")


class MyDot(View):
    target_type: VoteTarget
    target_id: int
    count: int


class Shortfall(View):
    """An expected group that was absent or below its target when a proposal was adopted."""

    group: str
    here: int
    target: int | None


class ProposalView(View):
    id: int
    kind: ProposalKind
    author_id: int | None = Field(
        description="facilitators only, and only for authors who chose to be named"
    )
    author_named: bool = Field(default=False, description="the author took part with a name")
    mine: bool = Field(default=False, description="you proposed this (participants only)")
    text: str
    in_scope: list[str]
    out_of_scope: list[str]
    core_themes: list[str]
    cited_card_ids: list[int]
    cited_cluster_ids: list[int] = Field(default_factory=list)
    seeded_from_id: int | None = Field(
        default=None, description="restates this vertrekpunt: a reframing's “zoals het nu is”"
    )
    status: str
    amends_id: int | None
    merged_from: list[int]
    adopted_reason: str | None
    adopted_short: list[Shortfall] | None = Field(
        default=None,
        description="expected groups absent or below target when it was adopted (confirmed by "
        "the facilitator); people present per group are not pooled",
    )


class GroupAgreement(View):
    """Agreement within one stakeholder group (or the pooled "other groups")."""

    group: str
    raters: int
    agree_share: float
    objections: int


class Convergence(View):
    """The measured agreement on one proposal in one round (see docs/protocol.md, “Convergence”)."""

    raters: int
    counts: list[int] = Field(description="number of 1s, 2s, 3s, 4s, 5s")
    agree_share: float
    participation: float
    objections: int
    objection_reasons: list[str]
    converged: bool
    by_group: list[GroupAgreement] = Field(
        default_factory=list, description="per group, small groups pooled; empty below k raters"
    )
    lowest_group_share: float | None = Field(
        default=None,
        description="the group-aware figure: the lowest agree_share of the groups in by_group; "
        "null when by_group is empty",
    )
    not_carried: list[str] = Field(
        default_factory=list,
        description="with carried_by_every_group on: the groups (as by_group shows them) that "
        "have not reached group_agree_share without objection yet, sorted; else empty",
    )


class ConvergenceRule(View):
    """The rule a proposal was measured by: the workshop's convergence settings, as the record
    states them."""

    agree_share: float
    allow_objections: int
    min_participation: float
    carried_by_every_group: bool = False
    group_agree_share: float = 0.6


class RoundView(View):
    id: int
    kind: ProposalKind
    number: int
    proposal_ids: list[int]
    eligible: int
    is_open: bool
    reveal: Literal["live", "at_close"] = "at_close"
    raters: int = Field(default=0, description="people who rated at least one proposal of it")
    figures: dict[str, Convergence] = Field(
        description="empty for the room while an at_close round is open (facilitators see all); "
        "empty for everyone while an after-window is open"
    )
    window_until: str | None = Field(
        default=None, description="an after-window: when it closes by itself"
    )
    after_round_id: int | None = Field(
        default=None, description="an after-window: the room's round it weighs in on"
    )
    closed_at: str | None = Field(
        default=None, description="an after-window: when it closed (null while open)"
    )


class MyRating(View):
    round_id: int
    proposal_id: int
    score: int
    reason: str
    assisted: bool = Field(default=False, description="ingevoerd door tafelhulp")


class VariantView(View):
    """One variant in a redraft. No author for phones or the projector; a named author's id
    for the facilitator only (:mod:`app.realtime.audience`)."""

    id: int
    text: str
    answers: list[int] = Field(description="positions in the redraft's objections it answers")
    author_id: int | None = Field(default=None, description="facilitators only, named authors")
    author_named: bool = False


class RedraftResult(View):
    """The count of a closed redraft (Schulze, :mod:`app.workshops.schulze`).

    ``pairwise[i][j]``: how many ranked ``order_ids[i]`` above ``order_ids[j]`` (``order_ids`` in
    the order the variants were written); only when at least k people ranked, so a ranking of
    one or two people cannot be read back from it. Never anyone's own ranking.
    """

    winner_id: int
    order: list[int] = Field(description="variant ids, the room's preferred first")
    variant_ids: list[int] = Field(description="the variants counted, in the order written")
    pairwise: list[list[int]] | None
    ties_broken: bool = Field(description="the tie-break decided part of the order")
    rankers: int


class RedraftView(View):
    id: int
    kind: ProposalKind
    proposal_id: int
    round_id: int | None
    objections: list[str] = Field(description="the reasons given with the 1s in that round")
    phones_write: bool
    stage: Literal["writing", "ranking", "closed"]
    variants: list[VariantView]
    rankers: int = Field(default=0, description="how many people gave a ranking (never who)")
    result: RedraftResult | None = None
    winner_proposal_id: int | None = None


class MyRanking(View):
    redraft_id: int
    order: list[int]


class RoomState(View):
    """Everything a screen needs to draw the room, as of one ``seq``."""

    workshop: WorkshopView
    participants: dict[str, ParticipantView]
    cards: dict[str, CardView]
    clusters: dict[str, ClusterView]
    votes: dict[str, VoteView]
    proposals: dict[str, ProposalView]
    rounds: dict[str, RoundView]
    my_dots: dict[str, list[MyDot]] = Field(description="per vote id; participants only")
    my_ratings: dict[str, MyRating] = Field(description="per 'round:proposal'; participants only")
    redrafts: dict[str, RedraftView] = Field(default_factory=dict)
    my_rankings: dict[str, list[int]] = Field(
        default_factory=dict, description="per redraft id: one's own ranking; participants only"
    )
    vertrekpunt_id: int | None = Field(description="this workshop's saved vertrekpunt, if any")
    vertrekpunt_current: bool = Field(
        default=False, description="that vertrekpunt is the trajectory's current one"
    )
    starts_from: StartingPoint | None = Field(
        default=None, description="a reframing workshop's starting point"
    )
    suggestions: dict[str, SuggestionView] = Field(
        default_factory=dict, description="facilitators only"
    )
    driver_id: int | None = Field(
        default=None, description="facilitators only: the account whose console drives"
    )
    check_out: CheckOutView | None = Field(
        default=None, description="the check-out question, once opened; figures once closed"
    )
    my_check_out: int | None = Field(
        default=None, description="participants only: their own check-out answer"
    )


def workshop_view(workshop: Workshop, trajectory: Trajectory) -> WorkshopView:
    assert workshop.id is not None
    return WorkshopView(
        id=workshop.id,
        trajectory_id=workshop.trajectory_id,
        title=workshop.title,
        theme_question=workshop.theme_question,
        agenda=list(workshop.agenda),
        phase_index=workshop.phase_index,
        phase=workshop.agenda[workshop.phase_index],
        settings=workshop.workshop_settings(),
        join_code=workshop.join_code,
        timer_ends_at=iso(workshop.timer_ends_at),
        spotlight_card_id=workshop.spotlight_card_id,
        expected_groups=list(trajectory.expected_groups),
        group_targets=dict(trajectory.group_targets),
        often_missing=list(trajectory.often_missing),
        screen=ScreenState.model_validate(workshop.screen or {}),
        phase_minutes=list(workshop.phase_minutes),
        ssd_step=workshop.ssd_step,
        starts_at=iso(workshop.starts_at),
    )


def participant_view(participant: Participant, *, anonymous: bool) -> ParticipantView:
    """The full participant as the log keeps it: what the facilitator and the person see."""
    assert participant.id is not None
    return ParticipantView(
        id=participant.id,
        display_name=None if anonymous else participant.display_name,
        stakeholder_group=participant.stakeholder_group,
        organisation=""
        if anonymous or participant.display_name is None
        else participant.organisation,
        drijfveer=participant.drijfveer,
        contribution=participant.contribution,
        drijfveer_use=participant.drijfveer_use,
        contribution_use=participant.contribution_use,
        left=participant.left_at is not None,
        waiting=participant.waiting,
        remote=participant.remote,
        helper=participant.is_helper,
        assisted=participant.assisted_by_id is not None,
    )


class CardFields(Protocol):
    """What :func:`card_view` reads of a card: a :class:`Card` row, or a card just written as a
    plain row (:mod:`app.workshops.cards` posts without building the ORM object)."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def author_id(self) -> int | None: ...
    @property
    def world(self) -> str | None: ...
    @property
    def factor_ids(self) -> list[int]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def hidden(self) -> bool: ...
    @property
    def merged_into_id(self) -> int | None: ...
    @property
    def cluster_id(self) -> int | None: ...
    @property
    def image_key(self) -> str | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def held(self) -> bool: ...
    @property
    def image_width(self) -> int | None: ...
    @property
    def image_height(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


def card_view(card: CardFields, *, author_named: bool = False, assisted: bool = False) -> CardView:
    """The full card as the log keeps it; :mod:`app.realtime.audience` trims it per viewer."""
    assert card.id is not None
    return CardView(
        id=card.id,
        kind=CardKind(card.kind),
        text=card.text,
        author_id=card.author_id,
        author_named=author_named,
        world=World(card.world) if card.world else None,
        factor_ids=list(card.factor_ids),
        tags=[Tag(t) for t in card.tags],
        hidden=card.hidden,
        merged_into_id=card.merged_into_id,
        cluster_id=card.cluster_id,
        image=card_image(card),
        created_at=iso(card.created_at) or "",
        channel="before" if card.channel == "before" else "room",
        held=card.held,
        assisted=assisted,
    )


def card_image(card: CardFields) -> CardImage | None:
    if not card.image_key:
        return None
    return CardImage(
        display_url=f"/images/{card.image_key}-display.jpg",
        thumb_url=f"/images/{card.image_key}-thumb.jpg",
        width=card.image_width or 0,
        height=card.image_height or 0,
    )


def cluster_view(cluster: Cluster) -> ClusterView:
    assert cluster.id is not None
    return ClusterView(
        id=cluster.id,
        title=cluster.title,
        tags=[Tag(t) for t in cluster.tags],
        core_card_ids=list(cluster.core_card_ids or []),
    )


def vote_view(vote: DotVote, results: list[TallyLine] | None) -> VoteView:
    assert vote.id is not None
    return VoteView(
        id=vote.id,
        budget=vote.budget,
        is_open=vote.is_open,
        results=None if vote.is_open else results,
    )


def proposal_view(proposal: Proposal, *, author_named: bool = False) -> ProposalView:
    """The full proposal as the log keeps it; :mod:`app.realtime.audience` trims it per viewer."""
    assert proposal.id is not None
    return ProposalView(
        id=proposal.id,
        kind=ProposalKind(proposal.kind),
        author_id=proposal.author_id,
        author_named=author_named,
        text=proposal.text,
        in_scope=list(proposal.in_scope),
        out_of_scope=list(proposal.out_of_scope),
        core_themes=list(proposal.core_themes),
        cited_card_ids=list(proposal.cited_card_ids),
        cited_cluster_ids=list(proposal.cited_cluster_ids),
        seeded_from_id=proposal.seeded_from_id,
        status=proposal.status,
        amends_id=proposal.amends_id,
        merged_from=list(proposal.merged_from),
        adopted_reason=proposal.adopted_reason,
        adopted_short=None
        if proposal.adopted_short is None
        else [Shortfall.model_validate(s) for s in proposal.adopted_short],
    )


def round_view(
    round_: AgreementRound, figures: dict[int, Convergence], *, raters: int = 0
) -> RoundView:
    """The full round as the log keeps it; :mod:`app.realtime.audience` hides live figures."""
    assert round_.id is not None
    return RoundView(
        id=round_.id,
        kind=ProposalKind(round_.kind),
        number=round_.number,
        proposal_ids=list(round_.proposal_ids),
        eligible=round_.eligible,
        is_open=round_.is_open,
        reveal="live" if round_.reveal == "live" else "at_close",
        raters=raters,
        figures={str(k): v for k, v in figures.items()},
        window_until=iso(round_.window_until),
        after_round_id=round_.after_round_id,
        closed_at=iso(round_.closed_at) if round_.after_round_id is not None else None,
    )


def suggestion_view(suggestion: Suggestion) -> SuggestionView:
    assert suggestion.id is not None
    return SuggestionView(
        id=suggestion.id,
        card_id=suggestion.card_id,
        target_kind="cluster" if suggestion.target_kind == "cluster" else "card",
        target_id=suggestion.target_id,
        count=suggestion.count,
        status=suggestion.status,
    )


def dump(view: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of a view, as it is stored in the event log and sent on the wire."""
    return view.model_dump(mode="json")


class ChainNode(View):
    """One link of the chain behind a vertrekpunt: opgave ← waarom ← clusters ← cards.

    ``kind`` is ``opgave``, ``waarom``, ``cluster`` or a card kind. A consequentie's children are
    the factoren it follows from; a cluster's are its cards (beelden, factoren, consequenties).
    Nodes never name an author: the chain says what grew from what, not who wrote it.
    """

    kind: str
    id: int
    text: str
    tags: list[str] = Field(default_factory=list)
    world: str | None = None
    dots: int | None = Field(default=None, description="dots in the last closed vote")
    image_key: str | None = None
    children: list[ChainNode] = Field(default_factory=list)

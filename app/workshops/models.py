"""Tables of the domain: trajectory, workshop, participant, and what the room makes together.

These are storage shapes only; what goes over the API and the socket lives in
:mod:`app.workshops.schemas`. Lists (links, tags, scope lines) are JSON columns, replaced whole
on change rather than mutated in place, so SQLAlchemy sees every write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PField
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.defaults import empty_dict, empty_list
from app.types import DEFAULT_AGENDA


def _json_list() -> Any:
    return Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))


def _workshop_fk() -> Any:
    return Field(
        sa_column=Column(
            Integer, ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


def _optional_fk(target: str) -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete="SET NULL"), nullable=True),
    )


class WorkshopSettings(BaseModel):
    """Per-workshop knobs. Convergence defaults: docs/protocol.md, “Convergence”."""

    model_config = ConfigDict(extra="forbid")

    anonymous: bool = False
    dot_budget: int = PField(default=5, ge=1, le=50)
    agree_share: float = PField(default=0.75, gt=0, le=1, description="share of 4s and 5s")
    min_participation: float = PField(
        default=2 / 3, gt=0, le=1, description="share of those present who must rate"
    )
    allow_objections: int = PField(default=0, ge=0, description="how many 1s still converge")
    language: str = PField(default="nl", pattern="^(nl|en)$")
    participants_cluster: bool = False
    admit: bool = PField(
        default=False,
        description="joins wait in the lobby until the facilitator lets them in",
    )
    carried_by_every_group: bool = PField(
        default=False,
        description="convergence also needs every group shown per group to agree, without "
        "objection (app.workshops.convergence)",
    )
    group_agree_share: float = PField(
        default=0.6, gt=0, le=1, description="share of 4s and 5s each group needs, with the rule on"
    )
    nudge_minutes: int | None = PField(
        default=None,
        ge=1,
        le=60,
        description="after this many minutes of a posting phase, a phone whose person has "
        "shared nothing asks gently whether they want to (only that phone; null: never)",
    )
    window_objection: str = PField(
        default="counts",
        pattern="^(counts|reported)$",
        description="what a 1 given in the after-window does: counts (as in the room) or "
        "reported (in the record, without blocking convergence) (app.workshops.after_window)",
    )
    before_opens_at: str | None = PField(
        default=None,
        description="from this moment (ISO 8601, stored in UTC) phones may send in beelden, "
        "factoren and consequenties before the room starts (app.workshops.before_window)",
    )
    before_closes_at: str | None = PField(
        default=None, description="until this moment (ISO 8601, UTC); both or neither"
    )

    @field_validator("before_opens_at", "before_closes_at")
    @classmethod
    def _moment(cls, value: str | None) -> str | None:
        """One spelling for a moment on the wire and in the database: UTC with ``Z``."""
        from app.workshops.window_times import normalised

        return normalised(value)

    @model_validator(mode="after")
    def _window(self) -> WorkshopSettings:
        from app.workshops.window_times import check_window

        check_window(self.before_opens_at, self.before_closes_at)
        return self


class Trajectory(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="facilitator.id", index=True)
    theme: str = Field(max_length=300)
    description: str = Field(default="", max_length=4000)
    expected_groups: list[str] = _json_list()
    group_targets: dict[str, int] = Field(
        default_factory=empty_dict,
        sa_column=Column(JSON, nullable=False),
        description="how many people it hopes to see per expected group (app.workshops.targets)",
    )
    often_missing: list[str] = Field(
        default_factory=empty_list,
        sa_column=Column(JSON, nullable=False),
        description="expected groups that are often not at the table",
    )
    ssd_step: int = Field(default=1, ge=1, le=5, description="where the trajectory stands (§2)")
    current_vertrekpunt_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class Workshop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("trajectory.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    title: str = Field(max_length=200)
    theme_question: str = Field(default="", max_length=1000)
    agenda: list[str] = Field(
        default_factory=lambda: [p.value for p in DEFAULT_AGENDA],
        sa_column=Column(JSON, nullable=False),
    )
    phase_index: int = 0
    settings: dict[str, Any] = Field(
        default_factory=lambda: WorkshopSettings().model_dump(),
        sa_column=Column(JSON, nullable=False),
    )
    join_code: str = Field(max_length=12, unique=True, index=True)
    screen_token_hash: str = Field(max_length=64, index=True)
    last_seq: int = 0
    timer_ends_at: datetime | None = None
    spotlight_card_id: int | None = None
    screen: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="what the projector holds: {page, focus}; None = it pages by itself",
    )
    driver_id: int | None = Field(
        default=None, description="the facilitator account whose console drives (co-facilitation)"
    )
    group_sizes: dict[str, int] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="who contributed per group is pooled by these: people let in per group when "
        "the room first moved on (app.workshops.pooling); None until then",
    )
    starts_from_id: int | None = Field(
        default=None, description="the vertrekpunt this (reframing) workshop starts from"
    )
    reframe: bool = Field(
        default=False,
        description="made as a reframing (herijking): it starts from the current vertrekpunt, "
        "or from the first one saved while it waits (app.workshops.vertrekpunt)",
    )
    phase_minutes: list[int] = Field(
        default_factory=empty_list,
        sa_column=Column(JSON, nullable=False),
        description="planned minutes per agenda step (same length as agenda; empty = unplanned)",
    )
    ssd_step: int = Field(default=1, ge=1, le=5, description="the SSD step it is held in")
    starts_at: datetime | None = Field(default=None, description="planned start, for the draaiboek")
    created_at: datetime = Field(default_factory=utcnow)

    def workshop_settings(self) -> WorkshopSettings:
        """The stored settings, leaving out keys this version does not know: a newer version
        may have stored them, and during a rolling upgrade or after a rollback this version
        must still open the workshop (a facilitator's ``workshop.configure`` stays strict)."""
        known = WorkshopSettings.model_fields
        return WorkshopSettings.model_validate(
            {key: value for key, value in self.settings.items() if key in known}
        )


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    token_hash: str = Field(max_length=64, unique=True, index=True)
    display_name: str | None = Field(default=None, max_length=60)
    stakeholder_group: str = Field(max_length=60)
    organisation: str = Field(default="", max_length=120)
    drijfveer: str = Field(default="", max_length=500)
    contribution: str = Field(default="meeformuleren", max_length=20)
    drijfveer_use: str = Field(
        default="facilitator", max_length=12, description="consent: facilitator | record"
    )
    contribution_use: str = Field(
        default="facilitator", max_length=12, description="consent: facilitator | record"
    )
    name_in_verslag: bool = Field(
        default=False,
        description="consent: this person's name may stand beside their cards and proposals, "
        "and in the list of participants, in the record's exports (never in an anonymous "
        "workshop, never without a name)",
    )
    joined_at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = None
    waiting: bool = Field(
        default=False,
        description="joined while the workshop admits people, and not let in (yet): may not "
        "post, rate or vote, and is not counted as present",
    )
    been_before: str | None = Field(
        default=None,
        max_length=10,
        description="was at a meeting of this trajectory before: ja | nee | weet_niet; only "
        "ever counted per group (app.workshops.targets.new_voices), never sent per person",
    )
    remote: bool = Field(
        default=False,
        description="joined with “Ik ben er niet bij in de zaal” (takes part from elsewhere): "
        "counted per group only (app.workshops.remote); per person only on their own phone",
    )
    is_helper: bool = Field(
        default=False,
        description="a tafelhulp's own row (app.workshops.assisted): acts only for the people it "
        "added, never counted as a participant in presence, eligibility or any figure",
    )
    assisted_by_id: int | None = Field(
        default=None,
        description="this person has no phone: the helper row (a tafelhulp's, or the console's) "
        "that added them and enters their cards and ratings (app.workshops.assisted)",
    )


class HelperCode(SQLModel, table=True):
    """A one-time code that makes a phone a tafelhulp (app.workshops.assisted).

    Only its hash is kept; it works once, until ``expires_at``, while not revoked, and only under
    the join code it was made with: a renewed join code ends it, and nothing revives it.
    """

    __tablename__ = "helper_code"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    code_hash: str = Field(max_length=64, unique=True, index=True)
    join_code: str = Field(max_length=12, description="the workshop's join code when made")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    helper_id: int | None = _optional_fk("participant.id")


class Cluster(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    title: str = Field(max_length=200)
    tags: list[str] = _json_list()
    #: The most central cards of a cluster taken over from the model's suggestion (0017).
    core_card_ids: list[int] = _json_list()
    created_at: datetime = Field(default_factory=utcnow)


class Suggestion(SQLModel, table=True):
    """A phone's "this card belongs with that card or cluster", for the facilitator to decide.

    The same suggestion from several phones is one row with a ``count``; who suggested it is not
    kept, so accepting or declining it never singles anyone out.
    """

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    card_id: int = Field(
        sa_column=Column(Integer, ForeignKey("card.id", ondelete="CASCADE"), nullable=False)
    )
    target_kind: str = Field(max_length=10)
    target_id: int
    count: int = 1
    status: str = Field(default="open", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)


class Card(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    kind: str = Field(max_length=20)
    text: str = Field(max_length=1000)
    author_id: int | None = _optional_fk("participant.id")
    world: str | None = Field(default=None, max_length=20)
    factor_ids: list[int] = _json_list()
    tags: list[str] = _json_list()
    hidden: bool = False
    merged_into_id: int | None = None
    cluster_id: int | None = _optional_fk("cluster.id")
    image_key: str | None = Field(default=None, max_length=80, description="see app.images")
    image_width: int | None = None
    image_height: int | None = None
    channel: str = Field(
        default="room", max_length=10, description="room | before (app.workshops.before_window)"
    )
    held: bool = Field(
        default=False,
        description="sent in beforehand and not yet released: only its author and the "
        "facilitator see it, until the room starts (app.realtime.audience)",
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DotVote(SQLModel, table=True):
    __tablename__ = "dot_vote"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    budget: int
    is_open: bool = True
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Dot(SQLModel, table=True):
    # A vote burst reads the dots of a batch's senders (vote_id, participant_id IN ...) and the
    # tally counts the voters of a vote: one index serves both without scanning the whole vote.
    __table_args__ = (Index("ix_dot_vote_participant", "vote_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("dot_vote.id", ondelete="CASCADE"), nullable=False)
    )
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=False)
    )
    target_type: str = Field(max_length=10)
    target_id: int
    created_at: datetime = Field(default_factory=utcnow)


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    kind: str = Field(max_length=10)
    author_id: int | None = _optional_fk("participant.id")
    text: str = Field(max_length=2000)
    in_scope: list[str] = _json_list()
    out_of_scope: list[str] = _json_list()
    core_themes: list[str] = _json_list()
    cited_card_ids: list[int] = _json_list()
    cited_cluster_ids: list[int] = _json_list()
    seeded_from_id: int | None = Field(
        default=None, description="the vertrekpunt it restates (a reframing's “zoals het nu is”)"
    )
    status: str = Field(default="open", max_length=12)
    amends_id: int | None = None
    merged_from: list[int] = _json_list()
    adopted_reason: str | None = Field(default=None, max_length=2000)
    adopted_at: datetime | None = None
    adopted_short: list[dict[str, Any]] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="expected groups absent or below target when adopted (the facilitator "
        "confirmed): [{group, here, target}] (app.workshops.targets)",
    )
    created_at: datetime = Field(default_factory=utcnow)


class AgreementRound(SQLModel, table=True):
    __tablename__ = "agreement_round"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    kind: str = Field(max_length=10)
    number: int
    proposal_ids: list[int] = _json_list()
    eligible: int = Field(description="people present when the round opened")
    group_sizes: dict[str, int] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="the figures per group are pooled by these: people let in per group when "
        "the round opened (app.workshops.pooling); None in rounds from before",
    )
    reveal: str = Field(default="at_close", max_length=10, description="live | at_close")
    window_until: datetime | None = Field(
        default=None, description="an after-window: when it closes by itself (0019)"
    )
    after_round_id: int | None = Field(
        default=None,
        description="an after-window: the room's round whose proposals it opens again; None "
        "for a round in the room (app.workshops.after_window)",
    )
    window_objection: str | None = Field(
        default=None,
        max_length=10,
        description="an after-window: the workshop's window_objection when it closed (the "
        "rule the record says applied)",
    )
    is_open: bool = True
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Rating(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("round_id", "proposal_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("agreement_round.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    proposal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False)
    )
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=False)
    )
    score: int
    reason: str = Field(default="", max_length=1000)
    channel: str = Field(
        default="room", max_length=10, description="room | after (given in an after-window)"
    )
    updated_at: datetime = Field(default_factory=utcnow)


class Vertrekpunt(SQLModel, table=True):
    """The adopted result of a workshop, kept on its trajectory with the chain behind it."""

    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("trajectory.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    workshop_id: int | None = _optional_fk("workshop.id")
    previous_id: int | None = None
    record: dict[str, Any] = Field(
        default_factory=empty_dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow)


class CurrentChange(SQLModel, table=True):
    """One entry in a trajectory's history of which vertrekpunt is current, and why.

    Saving a workshop's result writes one; making an older vertrekpunt current again is an explicit
    act with a written reason, and writes one too, so nothing replaces the current one silently.
    """

    __tablename__ = "current_change"

    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("trajectory.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    vertrekpunt_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vertrekpunt.id", ondelete="CASCADE"), nullable=False)
    )
    reason: str = Field(default="", max_length=1000)
    made_by: int | None = _optional_fk("facilitator.id")
    at: datetime = Field(default_factory=utcnow)


class TrajectoryStep(SQLModel, table=True):
    """The team's thread through one SSD step of a trajectory: notes, links and dates."""

    __tablename__ = "trajectory_step"
    __table_args__ = (UniqueConstraint("trajectory_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("trajectory.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    step: int = Field(ge=1, le=5)
    notes: str = Field(default="", max_length=20000)
    links: list[dict[str, str]] = _json_list()
    started_on: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    ended_on: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    updated_at: datetime = Field(default_factory=utcnow)


class Redraft(SQLModel, table=True):
    """A proposal that did not converge, being rewritten: variants, then the room ranks them.

    ``objections`` are the reasons given with the 1s in ``round_id`` (as that round's figures
    show them, sorted), copied here so each variant can say which it answers by position, and
    so the ledger keeps them after the round's ratings are forgotten. ``stage`` goes
    ``writing`` → ``ranking`` → ``closed``; ``result`` holds the count once closed
    (:mod:`app.workshops.schulze`), ``winner_proposal_id`` the proposal it became.
    """

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = _workshop_fk()
    kind: str = Field(max_length=10)
    proposal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False)
    )
    round_id: int | None = _optional_fk("agreement_round.id")
    objections: list[str] = _json_list()
    phones_write: bool = False
    stage: str = Field(default="writing", max_length=10)
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    winner_proposal_id: int | None = _optional_fk("proposal.id")
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Variant(SQLModel, table=True):
    """One rewrite in a redraft, and the objections (positions in ``Redraft.objections``) it
    answers: the ledger of which variant answered which objection."""

    id: int | None = Field(default=None, primary_key=True)
    redraft_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("redraft.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    author_id: int | None = _optional_fk("participant.id")
    text: str = Field(max_length=2000)
    answers: list[int] = _json_list()
    withdrawn: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Ranking(SQLModel, table=True):
    """One person's order of a redraft's variants, best first. Never shown to anyone else."""

    __table_args__ = (UniqueConstraint("redraft_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    redraft_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("redraft.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participant.id", ondelete="CASCADE"), nullable=False)
    )
    order: list[int] = _json_list()
    updated_at: datetime = Field(default_factory=utcnow)

"""The wire protocol of a workshop room: every message, in both directions, as a typed model.

This module is the single source of truth for what travels over ``/ws/workshops/{id}``;
``docs/protocol.md`` documents each ``type`` here and a test keeps the two in step. All models
forbid unknown fields, so a misspelt field is an error instead of being silently dropped.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from app.inputs import WithoutNul
from app.types import MAX_ID, CardKind, Phase, ProposalKind, Role, Tag, VoteTarget, World
from app.workshops.check_out_views import CheckOutFigures
from app.workshops.models import WorkshopSettings
from app.workshops.remote import Elsewhere
from app.workshops.schemas import (
    CardView,
    ClusterView,
    Focus,
    MyDot,
    MyRanking,
    MyRating,
    ParticipantView,
    ProposalView,
    RedraftView,
    RoomState,
    RoundView,
    ScreenState,
    SuggestionView,
    VoteView,
    WorkshopView,
)

Text = Annotated[str, Field(min_length=1, max_length=1000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Line = Annotated[str, Field(min_length=1, max_length=300)]
CommandId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # a bigger number names no row: a clean refusal


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Inbound(Message, WithoutNul):
    """Base of every message a client sends: no text in it may hold a NUL (``app/inputs.py``)."""


# --------------------------------------------------------------------------- client → server


class Hello(Inbound):
    """First message on every connection: who I am, the last ``seq`` I have and its ``epoch``.

    A ``last_seq`` is replayed from only within the epoch it was seen in: without ``epoch`` (or
    with another one) the client gets a snapshot (:mod:`app.realtime.epoch`).
    """

    type: Literal["hello"]
    token: str | None = Field(default=None, max_length=200)
    last_seq: int | None = Field(default=None, ge=0)
    epoch: str | None = Field(default=None, max_length=32)


class Ping(Inbound):
    type: Literal["ping"]


class Command(Inbound):
    """Base of every command: ``cid`` is the client's id, used to apply it exactly once."""

    cid: CommandId


class PhaseSet(Command):
    """Go to another step. ``open_items`` says what happens to a vote or round still open:
    ``close`` it (counted as usual) or ``cancel`` it (discarded); without it the server refuses."""

    type: Literal["phase.set"]
    index: int = Field(ge=0)
    open_items: Literal["close", "cancel"] | None = None


class WorkshopConfigure(Command):
    """Change the workshop's title, question, agenda or settings; omitted fields stay."""

    type: Literal["workshop.configure"]
    title: Title | None = None
    theme_question: Annotated[str, Field(max_length=1000)] | None = None
    agenda: list[Phase] | None = Field(
        default=None, min_length=1, max_length=30, description="steps may repeat"
    )
    phase_minutes: list[Annotated[int, Field(ge=1, le=240)]] | None = Field(
        default=None, max_length=30, description="planned minutes per agenda step"
    )
    settings: WorkshopSettings | None = None


class TimerStart(Command):
    type: Literal["timer.start"]
    seconds: int = Field(ge=10, le=7200)


class TimerStop(Command):
    type: Literal["timer.stop"]


class CardPost(Command):
    type: Literal["card.post"]
    kind: CardKind
    text: Text
    world: World | None = None
    factor_ids: list[Id] = Field(default_factory=list, max_length=20)
    on_behalf_of: Id | None = Field(
        default=None,
        description="a tafelhulp (or the facilitator) enters this for a person without a "
        "phone they added (app.workshops.assisted); refused for anyone else",
    )


class CardPostImage(Command):
    """Internal: a beeld with a stored photo, posted by the upload route, never by a socket."""

    type: Literal["card.post_image"]
    text: Text
    image_key: Annotated[str, Field(pattern=r"^[0-9]+/[0-9a-f]{32}$")]
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    on_behalf_of: Id | None = Field(
        default=None,
        description="a tafelhulp (or the facilitator) enters this for a person without a "
        "phone they added (app.workshops.assisted); refused for anyone else",
    )


#: Commands that exist only inside the server (not in ClientMessage).
INTERNAL_COMMANDS = ("card.post_image",)


class CardEdit(Command):
    type: Literal["card.edit"]
    card_id: Id
    text: Text | None = None
    world: World | None = None
    factor_ids: list[Id] | None = Field(default=None, max_length=20)


class CardWithdraw(Command):
    type: Literal["card.withdraw"]
    card_id: Id


class CardHide(Command):
    type: Literal["card.hide"]
    card_id: Id
    hidden: bool


class CardMerge(Command):
    type: Literal["card.merge"]
    card_id: Id
    into_id: Id


class CardTag(Command):
    type: Literal["card.tag"]
    card_id: Id
    tags: list[Tag] = Field(max_length=3)


class CardSpotlight(Command):
    type: Literal["card.spotlight"]
    card_id: Id | None


class ClusterCreate(Command):
    type: Literal["cluster.create"]
    title: Title
    card_ids: list[Id] = Field(default_factory=list, max_length=200)
    #: Of ``card_ids``, the ones that stand for the cluster best (a taken-over suggestion's
    #: most central cards): marked on the board, first in the projector's overview.
    core_card_ids: list[Id] = Field(default_factory=list, max_length=3)


class ClusterRename(Command):
    type: Literal["cluster.rename"]
    cluster_id: Id
    title: Title


class ClusterAssign(Command):
    type: Literal["cluster.assign"]
    card_id: Id
    cluster_id: Id | None


class ClusterTag(Command):
    type: Literal["cluster.tag"]
    cluster_id: Id
    tags: list[Tag] = Field(max_length=3)


class ClusterDelete(Command):
    type: Literal["cluster.delete"]
    cluster_id: Id


class ClusterMove(Command):
    """Move many cards at once (a multi-selection dragged on the board); ``None``: unclustered."""

    type: Literal["cluster.move"]
    card_ids: list[Id] = Field(min_length=1, max_length=200)
    cluster_id: Id | None


class CardPlacement(Message):
    """One card and the cluster it goes into."""

    card_id: Id
    cluster_id: Id


class ClusterPlace(Command):
    """Place many cards, each into its own cluster, as one step (the console's "Plaats alle
    zekere": the model's confident placements, taken over together and undone together)."""

    type: Literal["cluster.place"]
    placements: list[CardPlacement] = Field(min_length=1, max_length=200)


class CardUnmerge(Command):
    """Undo :class:`CardMerge`: the card stands on its own again."""

    type: Literal["card.unmerge"]
    card_id: Id


class Target(Message):
    """A card or a cluster a suggestion points at."""

    kind: Literal["card", "cluster"]
    id: Id


class SuggestionMake(Command):
    """A phone's "this card belongs with that card or cluster", for the facilitator to decide."""

    type: Literal["suggestion.make"]
    card_id: Id
    target: Target


class SuggestionDecide(Command):
    type: Literal["suggestion.decide"]
    suggestion_id: Id
    accept: bool


class ScreenView(Command):
    """The facilitator steers the projector: hold a page, step pages, focus one item."""

    type: Literal["screen.view"]
    page: int | None = Field(default=None, ge=0, le=1000)
    focus: Focus | None = None
    heard: bool = Field(default=False, description="show who was heard, per group, to the room")


class ConsoleTakeOver(Command):
    """Co-facilitation: this facilitator's console drives from now on; the others watch."""

    type: Literal["console.take_over"]


class VoteOpen(Command):
    type: Literal["vote.open"]
    budget: int | None = Field(default=None, ge=1, le=50)


class VoteCast(Command):
    type: Literal["vote.cast"]
    target_type: VoteTarget
    target_id: Id


class VoteRetract(Command):
    type: Literal["vote.retract"]
    target_type: VoteTarget
    target_id: Id


class VoteClose(Command):
    type: Literal["vote.close"]


class ProposalFields(Command):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    in_scope: list[Line] = Field(default_factory=list, max_length=20)
    out_of_scope: list[Line] = Field(default_factory=list, max_length=20)
    core_themes: list[Line] = Field(default_factory=list, max_length=10)
    cited_card_ids: list[Id] = Field(default_factory=list, max_length=50)
    cited_cluster_ids: list[Id] = Field(default_factory=list, max_length=30)


class ProposalCreate(ProposalFields):
    type: Literal["proposal.create"]
    kind: ProposalKind


class ProposalAmend(ProposalFields):
    type: Literal["proposal.amend"]
    proposal_id: Id


class ProposalMerge(ProposalFields):
    type: Literal["proposal.merge"]
    proposal_ids: list[Id] = Field(min_length=2, max_length=10)


class ProposalWithdraw(Command):
    type: Literal["proposal.withdraw"]
    proposal_id: Id


class RoundOpen(Command):
    """``reveal``: show the figures to the room while it rates (``live``) or only at close."""

    type: Literal["round.open"]
    kind: ProposalKind
    reveal: Literal["live", "at_close"] = "at_close"


class RatingGive(Command):
    type: Literal["rating.give"]
    round_id: Id
    proposal_id: Id
    score: int = Field(ge=1, le=5)
    reason: str = Field(default="", max_length=1000)
    on_behalf_of: Id | None = Field(
        default=None,
        description="a tafelhulp (or the facilitator) enters this for a person without a "
        "phone they added (app.workshops.assisted); refused for anyone else",
    )


class RoundClose(Command):
    type: Literal["round.close"]
    round_id: Id


class WindowOpen(Command):
    """Facilitator, after the live session: open the last round's proposals for rating until
    ``until`` (an after-window, :mod:`app.workshops.after_window`)."""

    type: Literal["window.open"]
    until: AwareDatetime


class WindowClose(Command):
    """Facilitator: close the open after-window now (it also closes by itself at ``until``)."""

    type: Literal["window.close"]


class RedraftOpen(Command):
    """Facilitator: rewrite a proposal that did not converge in its latest round as variants.
    ``phones_write``: participants may write variants too."""

    type: Literal["redraft.open"]
    proposal_id: Id
    phones_write: bool = False


class VariantCreate(Command):
    """A variant of the proposal in a redraft; ``answers`` are the positions (from 0) of the
    objections in ``redraft.objections`` it answers."""

    type: Literal["variant.create"]
    redraft_id: Id
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    answers: list[Annotated[int, Field(ge=0, le=999)]] = Field(default_factory=list, max_length=50)


class VariantWithdraw(Command):
    type: Literal["variant.withdraw"]
    variant_id: Id


class RankingOpen(Command):
    """Facilitator: stop writing, let the room rank the redraft's two to four variants."""

    type: Literal["ranking.open"]
    redraft_id: Id


class RankingGive(Command):
    """Participant: one's order of all the redraft's variants, best first; again replaces it."""

    type: Literal["ranking.give"]
    redraft_id: Id
    order: list[Id] = Field(min_length=1, max_length=10)


class RedraftClose(Command):
    """Facilitator: count the rankings (Schulze); the winner becomes the proposal's new text."""

    type: Literal["redraft.close"]
    redraft_id: Id


class RedraftCancel(Command):
    """Facilitator: drop a redraft that is not closed, with its variants and rankings."""

    type: Literal["redraft.cancel"]
    redraft_id: Id


class ProposalAdopt(Command):
    type: Literal["proposal.adopt"]
    proposal_id: Id
    reason: str = Field(default="", max_length=2000)
    representation_confirmed: bool = Field(
        default=False,
        description="the facilitator saw which expected groups are absent or below target and "
        "adopts anyway (app/workshops/targets.py); without it such an adoption is refused",
    )


class VertrekpuntSave(Command):
    type: Literal["vertrekpunt.save"]


class ParticipantRemove(Command):
    """Facilitator only: take someone out of the room; their token stops working at once."""

    type: Literal["participant.remove"]
    participant_id: Id


class ParticipantRemoveMany(Command):
    """Facilitator only: take several people out of the room at once (a flood of bots, a
    table that went home); each as :class:`ParticipantRemove` does."""

    type: Literal["participant.remove_many"]
    participant_ids: list[Id] = Field(min_length=1, max_length=1000)


class ParticipantAdmit(Command):
    """Facilitator only: let people who wait in the lobby in (one, or everyone waiting)."""

    type: Literal["participant.admit"]
    participant_ids: list[Id] = Field(min_length=1, max_length=1000)


class ParticipantLeave(Command):
    type: Literal["participant.leave"]


class AssistedAdd(Command):
    """A tafelhulp (or the facilitator) adds a person without a phone, with their group and
    their consent for the record, to enter cards and ratings for them (``on_behalf_of``)."""

    type: Literal["assisted.add"]
    display_name: Annotated[str, Field(max_length=60)] | None = None
    stakeholder_group: Annotated[str, Field(min_length=1, max_length=60)]
    name_in_verslag: bool = Field(
        default=False, description="consent: the name may stand in the record (as when joining)"
    )


class CheckOutOpen(Command):
    """Facilitator only: put the check-out question ("Voelde je je gehoord?") on every phone."""

    type: Literal["checkout.open"]


class CheckOutGive(Command):
    """A participant's answer to the check-out question, 1–5; may change while it is open."""

    type: Literal["checkout.answer"]
    score: int = Field(ge=1, le=5)


class CheckOutClose(Command):
    """Facilitator only: close the check-out question; its figures then stand (no reopening)."""

    type: Literal["checkout.close"]


AnyCommand = Annotated[
    PhaseSet
    | WorkshopConfigure
    | TimerStart
    | TimerStop
    | CardPost
    | CardEdit
    | CardWithdraw
    | CardHide
    | CardMerge
    | CardTag
    | CardSpotlight
    | ClusterCreate
    | ClusterRename
    | ClusterAssign
    | ClusterTag
    | ClusterDelete
    | ClusterMove
    | ClusterPlace
    | CardUnmerge
    | SuggestionMake
    | SuggestionDecide
    | ScreenView
    | ConsoleTakeOver
    | VoteOpen
    | VoteCast
    | VoteRetract
    | VoteClose
    | ProposalCreate
    | ProposalAmend
    | ProposalMerge
    | ProposalWithdraw
    | RoundOpen
    | RatingGive
    | RoundClose
    | WindowOpen
    | WindowClose
    | RedraftOpen
    | VariantCreate
    | VariantWithdraw
    | RankingOpen
    | RankingGive
    | RedraftClose
    | RedraftCancel
    | ProposalAdopt
    | VertrekpuntSave
    | ParticipantLeave
    | ParticipantRemove
    | ParticipantRemoveMany
    | ParticipantAdmit
    | AssistedAdd
    | CheckOutOpen
    | CheckOutGive
    | CheckOutClose,
    Field(discriminator="type"),
]

ClientMessage = Annotated[Hello | Ping | AnyCommand, Field(discriminator="type")]
client_message_adapter: TypeAdapter[Hello | Ping | AnyCommand] = TypeAdapter(ClientMessage)
command_adapter: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)


# --------------------------------------------------------------------------- events (in the log)


class PhaseChanged(Message):
    type: Literal["phase.changed"]
    phase_index: int
    phase: str


class WorkshopConfigured(Message):
    type: Literal["workshop.configured"]
    workshop: WorkshopView


class TimerChanged(Message):
    type: Literal["timer.changed"]
    ends_at: str | None


class SpotlightChanged(Message):
    type: Literal["spotlight.changed"]
    card_id: int | None


class ParticipantJoined(Message):
    type: Literal["participant.joined"]
    participant: ParticipantView


class ParticipantLeft(Message):
    type: Literal["participant.left"]
    participant_id: int
    removed: bool = Field(default=False, description="taken out by the facilitator")


class ParticipantAdmitted(Message):
    """Someone who waited in the lobby was let in: they may take part and count as present."""

    type: Literal["participant.admitted"]
    participant_id: int


class CardPosted(Message):
    type: Literal["card.posted"]
    card: CardView


class CardUpdated(Message):
    type: Literal["card.updated"]
    card: CardView


class CardWithdrawn(Message):
    type: Literal["card.withdrawn"]
    card_id: int


class ClusterCreated(Message):
    type: Literal["cluster.created"]
    cluster: ClusterView


class ClusterUpdated(Message):
    type: Literal["cluster.updated"]
    cluster: ClusterView


class ClusterDeleted(Message):
    type: Literal["cluster.deleted"]
    cluster_id: int


class VoteOpened(Message):
    type: Literal["vote.opened"]
    vote: VoteView


class VoteClosed(Message):
    type: Literal["vote.closed"]
    vote: VoteView


class VoteCancelled(Message):
    """The facilitator discarded an open vote (when leaving its phase); its dots are gone."""

    type: Literal["vote.cancelled"]
    vote_id: int


class RoundCancelled(Message):
    """The facilitator discarded an open round (when leaving its phase); its ratings are gone."""

    type: Literal["round.cancelled"]
    round_id: int


class SuggestionMade(Message):
    """Facilitators only: a new or repeated suggestion from the phones."""

    type: Literal["suggestion.made"]
    suggestion: SuggestionView


class SuggestionDecided(Message):
    """Facilitators only: a suggestion was accepted or declined."""

    type: Literal["suggestion.decided"]
    suggestion: SuggestionView


class ScreenChanged(Message):
    type: Literal["screen.changed"]
    screen: ScreenState


class ConsoleDriver(Message):
    """Facilitators only: whose console drives now."""

    type: Literal["console.driver"]
    driver_id: int | None


class MyDotsChanged(Message):
    """Private to one participant: their own dots in a vote, whole."""

    type: Literal["my_dots.changed"]
    vote_id: int
    dots: list[MyDot]


class ProposalCreated(Message):
    type: Literal["proposal.created"]
    proposal: ProposalView


class ProposalUpdated(Message):
    type: Literal["proposal.updated"]
    proposal: ProposalView


class RoundOpened(Message):
    type: Literal["round.opened"]
    round: RoundView


class RoundUpdated(Message):
    type: Literal["round.updated"]
    round: RoundView


class WindowOpened(Message):
    """An after-window opened: a round of its own on the last round's proposals; its figures
    stay empty for everyone until it closes."""

    type: Literal["window.opened"]
    round: RoundView


class WindowClosed(Message):
    """The after-window closed (by the facilitator, or by itself at ``window_until``), with
    its figures."""

    type: Literal["window.closed"]
    round: RoundView


class MyRatingGiven(Message):
    """Private to one participant: the rating they gave."""

    type: Literal["my_rating.given"]
    rating: MyRating


class RedraftOpened(Message):
    type: Literal["redraft.opened"]
    redraft: RedraftView


class RedraftUpdated(Message):
    """A variant written or withdrawn, the ranking opened, a ranking given (the count only), or
    the redraft closed with its result."""

    type: Literal["redraft.updated"]
    redraft: RedraftView


class RedraftCancelled(Message):
    type: Literal["redraft.cancelled"]
    redraft_id: int


class MyRankingGiven(Message):
    """Private to one participant: the ranking they gave."""

    type: Literal["my_ranking.given"]
    ranking: MyRanking


class VertrekpuntSaved(Message):
    """``current`` is false when a newer workshop's vertrekpunt stays the trajectory's current
    one: an older result never replaces it silently (see ``app/workshops/history.py``)."""

    type: Literal["vertrekpunt.saved"]
    vertrekpunt_id: int
    trajectory_id: int
    current: bool = True


class CheckOutOpened(Message):
    """The check-out question is open: every phone asks it."""

    type: Literal["checkout.opened"]


class CheckOutClosed(Message):
    """The check-out question is closed, with its figures (per group by the k rule)."""

    type: Literal["checkout.closed"]
    figures: CheckOutFigures


class MyCheckOutGiven(Message):
    """Private to one participant: their own answer to the check-out question."""

    type: Literal["my_checkout.given"]
    score: int = Field(ge=1, le=5)


AnyEvent = Annotated[
    PhaseChanged
    | WorkshopConfigured
    | TimerChanged
    | SpotlightChanged
    | ParticipantJoined
    | ParticipantLeft
    | ParticipantAdmitted
    | CardPosted
    | CardUpdated
    | CardWithdrawn
    | ClusterCreated
    | ClusterUpdated
    | ClusterDeleted
    | VoteOpened
    | VoteClosed
    | VoteCancelled
    | RoundCancelled
    | SuggestionMade
    | SuggestionDecided
    | ScreenChanged
    | ConsoleDriver
    | MyDotsChanged
    | ProposalCreated
    | ProposalUpdated
    | RoundOpened
    | RoundUpdated
    | WindowOpened
    | WindowClosed
    | MyRatingGiven
    | RedraftOpened
    | RedraftUpdated
    | RedraftCancelled
    | MyRankingGiven
    | VertrekpuntSaved
    | CheckOutOpened
    | CheckOutClosed
    | MyCheckOutGiven,
    Field(discriminator="type"),
]
event_adapter: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


# --------------------------------------------------------------------------- server → client


class Welcome(Message):
    type: Literal["welcome"]
    role: Role
    workshop_id: int
    participant_id: int | None
    seq: int = Field(description="newest seq in the log when you connected")
    epoch: str = Field(description="the log's epoch: seqs of another epoch name other events")


class Snapshot(Message):
    """The whole room as of ``seq``. ``recovered`` is false when a resume was not possible."""

    type: Literal["snapshot"]
    seq: int
    epoch: str
    recovered: bool
    state: RoomState


class EventMessage(Message):
    """One event of the log. ``prev`` is the ``seq`` of the message this socket got before it.

    ``seq`` is gap-free in the log, but a socket does not see every event (another participant's
    own dots and ratings are not for it). ``prev`` lets every client tell a complete stream from
    a lossy one: it equals the ``seq`` of the last event (or ``synced``/``snapshot``) this socket
    was sent. A client whose last ``seq`` is lower than ``prev`` has missed something and resumes.
    """

    type: Literal["event"]
    seq: int
    prev: int
    event: AnyEvent


class Synced(Message):
    """Catch-up is over: everything up to ``seq`` has been sent; live events follow."""

    type: Literal["synced"]
    seq: int
    replayed: int


class Ack(Message):
    type: Literal["ack"]
    cid: str
    seq: int | None = Field(description="seq of the last event the command wrote")
    result: dict[str, bool | int | None] = Field(default_factory=dict)


class Error(Message):
    type: Literal["error"]
    cid: str | None
    code: str
    message: str


class Presence(Message):
    """Who is connected now. Ephemeral: never in the log."""

    type: Literal["presence"]
    participants: int
    by_group: dict[str, int]
    contributing: dict[str, int] = Field(
        default_factory=dict,
        description="people per group who posted a card or proposal; groups below k merged",
    )
    counted_as: dict[str, str | None] = Field(
        default_factory=dict,
        description="each group's label in contributing: its own, the pooled row's, or null",
    )
    participant_ids: list[int] | None = Field(
        default=None, description="facilitators only: who is online"
    )
    not_yet: dict[str, int] = Field(
        default_factory=dict,
        description="people taking part per group who posted no card or proposal yet; "
        "groups below k merged, by the same labels as contributing",
    )
    not_yet_ids: list[int] | None = Field(
        default=None,
        description="facilitators only: the named people among them (never anonymous ones)",
    )
    checked_out: int | None = Field(
        default=None, description="answers to the check-out question while it is open"
    )
    from_elsewhere: Elsewhere | None = Field(
        default=None,
        description="facilitators only: people taking part from elsewhere (“Ik ben er niet bij "
        "in de zaal”) per shown group, groups below k merged, and in total",
    )
    facilitators: int
    screens: int


class Tally(Message):
    """Progress of an open dot vote, coalesced: how many voted, never for what."""

    type: Literal["tally"]
    vote_id: int
    voters: int
    dots: int


class Pong(Message):
    type: Literal["pong"]


ServerMessage = Annotated[
    Welcome | Snapshot | EventMessage | Synced | Ack | Error | Presence | Tally | Pong,
    Field(discriminator="type"),
]
server_message_adapter: TypeAdapter[
    Welcome | Snapshot | EventMessage | Synced | Ack | Error | Presence | Tally | Pong
] = TypeAdapter(ServerMessage)


#: Close codes the server uses, besides the standard ones (1003 unsupported data, 1008 policy).
CLOSE_UNAUTHORISED = 4001
CLOSE_REVOKED = 4003
CLOSE_NOT_FOUND = 4004
CLOSE_TOO_SLOW = 4008
CLOSE_REPLACED = 4009
CLOSE_LEFT = 4010
CLOSE_REMOVED = 4011
#: The page was opened under an address the socket does not accept (its ``Origin``): the close
#: reason is the public URL, so the page can say which address to open (final).
CLOSE_WRONG_ADDRESS = 4012
#: Too many sockets from this address (IPv6: its /64) have not said ``hello`` yet: try again
#: in a few seconds (not final: the crowd or the flood passes).
CLOSE_ADDRESS_BUSY = 4029


def command_types() -> list[str]:
    return _literal_types(AnyCommand)


def event_types() -> list[str]:
    return _literal_types(AnyEvent)


def server_types() -> list[str]:
    return _literal_types(ServerMessage)


def client_types() -> list[str]:
    return _literal_types(ClientMessage)


def _literal_types(union: object) -> list[str]:
    from typing import get_args

    members = get_args(get_args(union)[0])
    names: list[str] = []
    for member in members:
        if get_args(member) and not hasattr(member, "model_fields"):
            names.extend(_literal_types(member))
        else:
            names.extend(get_args(member.model_fields["type"].annotation))
    return names

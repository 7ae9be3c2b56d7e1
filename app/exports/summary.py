"""Everything needed to rebuild a workshop's record, as one versioned document.

``Summary`` is what every export renders, and its JSON form is the export for machines: it
validates against ``docs/schema/summary-v1.json`` and reads back into an equal ``Summary``.
Names appear only for people who took part with a name in a workshop that is not anonymous and
agreed at joining to have it in the record (``name_in_verslag``); only they are named as
authors, everyone else is treated as anonymous. Ratings never carry who gave them. Every figure
per stakeholder group (ratings, cards, people present and contributing) shows groups as
:mod:`app.privacy` allows: groups smaller than k are pooled as "overige groepen", or left out
when even pooled they are fewer than k, counting the people behind that figure. Organisations
are left out, and drijfveren and wished contributions appear only as people agreed at joining
(``consented``): drijfveren without names or groups, contributions as k-pooled counts per group
— never per person. Hidden (moderated) cards are in no part of the summary: the room did not
see them.

Version 1 grew compatibly: ``tree``, ``heard`` and ``consented`` were added with defaults, so a
summary written before them still validates and reads back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import session_scope
from app.exports.before_part import BeforePart, before_part
from app.images.storage import ImageStore
from app.privacy import DEFAULT_K, OTHER_GROUPS, Labels, label_of
from app.types import ProposalStatus
from app.workshops.after_window import WindowRecord, window_records
from app.workshops.assisted import AssistedPart, assisted_figures
from app.workshops.chain import chain, lineage, tree
from app.workshops.convergence import rule_of
from app.workshops.heard import Heard, consented, heard
from app.workshops.models import (
    AgreementRound,
    Card,
    Cluster,
    DotVote,
    Participant,
    Proposal,
    Rating,
    Trajectory,
    Vertrekpunt,
    Workshop,
)
from app.workshops.pooling import round_labels, workshop_labels
from app.workshops.redrafts import RedraftRecord, redraft_records, rounds_to_convergence
from app.workshops.reframing import Difference, difference
from app.workshops.remote import Elsewhere, from_elsewhere
from app.workshops.rounds import figures
from app.workshops.schemas import (
    ChainNode,
    Convergence,
    ConvergenceRule,
    ProposalView,
    TallyLine,
    proposal_view,
)
from app.workshops.vertrekpunt import representation
from app.workshops.voice import Voice, voice
from app.workshops.votes import tally

SCHEMA_VERSION = "atelier.summary/1"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schema" / "summary-v1.json"
#: k when the caller passes none: the operator setting's default (``ATELIER_MIN_GROUP_SIZE``).
DEFAULT_MIN_GROUP_SIZE: int = DEFAULT_K


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrajectoryPart(Part):
    id: int
    theme: str
    expected_groups: list[str]
    ssd_step: int


class WorkshopPart(Part):
    id: int
    title: str
    theme_question: str
    agenda: list[str]
    anonymous: bool
    language: str


class ParticipantPart(Part):
    id: int
    display_name: str | None
    stakeholder_group: str | None = Field(
        description="as typed for people who took part with a name; for others the label their "
        "group may be shown under (small groups merged), null when it may not be shown"
    )
    contribution: str | None = Field(
        default=None,
        description="always null: a wished contribution is in the record only with consent, "
        "and then as a count per group (consented.contributions), never beside a person",
    )
    left: bool


class CardPart(Part):
    id: int
    kind: str
    text: str
    world: str | None
    factor_ids: list[int]
    tags: list[str]
    cluster_id: int | None
    hidden: bool = Field(description="always false: hidden cards are left out of the record")
    merged_into_id: int | None
    author_id: int | None = Field(
        description="only for authors who took part with a name and agreed to it in the record"
    )
    author_name: str | None
    stakeholder_group: str | None = Field(
        description="the label the author's group may be shown under (small groups merged, "
        "counting the people who posted cards), null when it may not be shown"
    )
    image_key: str | None
    channel: Literal["room", "before"] = Field(
        default="room", description="before: sent in beforehand (“vooraf ingebracht”)"
    )
    assisted: bool = Field(default=False, description="ingevoerd door tafelhulp")


class ClusterPart(Part):
    id: int
    title: str
    tags: list[str]
    card_ids: list[int]


class VotePart(Part):
    id: int
    budget: int
    is_open: bool
    results: list[TallyLine]


class RoundPart(Part):
    id: int
    kind: str
    number: int
    eligible: int
    is_open: bool
    figures: dict[str, Convergence]


class RatingPart(Part):
    round_id: int
    round_number: int
    kind: str
    proposal_id: int
    score: int
    reason: str
    stakeholder_group: str | None = Field(
        description="the label the rater's group may be shown under (the round's labels, "
        "decided when it opened; small groups merged), null when it may not be shown (fewer "
        "than k rated this proposal in this round)"
    )


class AdoptedPart(Part):
    proposal: ProposalView
    converged: bool
    adopted_reason: str | None
    lineage: list[int]
    rounds_to_convergence: int | None = Field(
        default=None,
        description="rounds it and its forerunners were rated in up to the first that converged",
    )
    rule: ConvergenceRule | None = Field(
        default=None, description="the convergence rule it was measured by (the settings)"
    )
    deciding_round: int | None = Field(
        default=None,
        description="the number of its latest round (of its kind), whose figures decided "
        "whether it converged; null when it was never rated",
    )


class NewVoices(Part):
    """Who came for the first time: per shown group, and the total of the groups shown."""

    by_group: dict[str, dict[str, int]]
    total: dict[str, int]


class RepresentationPart(Part):
    expected: list[str]
    present: dict[str, int] = Field(
        description="people per group as they were: who was present is not pooled"
    )
    contributing: dict[str, int] = Field(
        description="contributors per shown group, small groups merged by the workshop's labels"
    )
    missing: list[str]
    people_present: int | None = Field(default=None, description="everyone")
    people_contributing: int | None = Field(
        default=None, description="everyone in the groups shown (everyone when none is shown)"
    )
    min_group_size: int | None = Field(
        default=None, description="k: smaller groups are merged as 'overige groepen' or left out"
    )
    counted_as: dict[str, str | None] = Field(
        default_factory=dict,
        description="per group present, the key of `contributing` its contributors are counted "
        "under: the group itself, 'overige groepen', or null when not per group",
    )
    targets: dict[str, int] = Field(
        default_factory=dict, description="people the trajectory hoped to see per expected group"
    )
    often_missing: list[str] = Field(
        default_factory=list, description="expected groups the trajectory marked often missing"
    )
    new_voices: NewVoices | None = Field(
        default=None,
        description="answers to 'Was je eerder bij een bijeenkomst van dit traject?' per shown "
        "group (small groups merged by the workshop's labels) and in total; never per person",
    )

    def table_rows(self) -> list[TableRow]:
        """The rows of the table *Who was at the table*, the same in every format: each group
        as it was present, with its contributors when they are shown per group; then the pool
        of groups whose contributors are counted together, naming its groups."""
        shown = [g for g in self.expected if g in self.present or g in self.missing]
        shown += sorted(g for g in self.present if g not in shown and g != OTHER_GROUPS)
        old = not self.counted_as  # a summary from before: contributing by present's keys
        rows = [
            TableRow(
                group=g,
                present=self.present.get(g, 0),
                contributing=self.contributing.get(g, 0)
                if old or self.counted_as.get(g, g) == g
                else None,
            )
            for g in shown
        ]
        pooled = sorted(g for g, label in self.counted_as.items() if label == OTHER_GROUPS)
        if pooled or (old and OTHER_GROUPS in self.present):
            rows.append(
                TableRow(
                    group=OTHER_GROUPS,
                    present=sum(self.present.get(g, 0) for g in pooled)
                    if pooled
                    else self.present.get(OTHER_GROUPS, 0),
                    contributing=self.contributing.get(OTHER_GROUPS, 0),
                    pooled=pooled,
                )
            )
        return rows


class TableRow(BaseModel):
    """A row of *Who was at the table*: ``contributing`` is ``None`` for a group whose
    contributors are counted in the pool (or not per group); ``pooled`` names the pool's groups."""

    group: str
    present: int
    contributing: int | None
    pooled: list[str] = Field(default_factory=list)


class ConsentedPart(Part):
    """What people agreed to have in the record about why they came and how they take part."""

    drijfveren: list[str] = Field(
        description="drijfveren of people who chose 'in the record without name'; no names, "
        "no groups"
    )
    contributions: dict[str, dict[str, int]] = Field(
        description="per shown group (small groups merged), how many of those who agreed wish "
        "each way of contributing"
    )


class Summary(Part):
    schema_version: Literal["atelier.summary/1"]
    generated_at: str
    trajectory: TrajectoryPart
    workshop: WorkshopPart
    participants: list[ParticipantPart]
    cards: list[CardPart]
    clusters: list[ClusterPart]
    votes: list[VotePart]
    proposals: list[ProposalView]
    rounds: list[RoundPart]
    ratings: list[RatingPart]
    waarom: AdoptedPart | None
    opgave: AdoptedPart | None
    chain: list[int]
    representation: RepresentationPart
    vertrekpunt_id: int | None
    starts_from_id: int | None
    changes: Difference | None
    tree: ChainNode | None = Field(
        default=None,
        description="the chain as one tree: opgave ← waarom ← clusters ← cards; null when "
        "nothing was adopted",
    )
    heard: Heard | None = Field(
        default=None, description="who was heard: per shown group its people against what it said"
    )
    consented: ConsentedPart | None = Field(
        default=None, description="drijfveren and contributions people agreed to share"
    )
    redrafts: list[RedraftRecord] = Field(
        default_factory=list,
        description="closed redrafts: variants, the objections each answered, the Schulze "
        "count and the agreement gained (per group only as the rounds showed it)",
    )
    voice: Voice | None = Field(
        default=None,
        description="equal voice: the check-out question's figures and how evenly people "
        "contributed (per shown group)",
    )
    after_windows: list[WindowRecord] = Field(
        default_factory=list,
        description="after-windows (na afloop meewegen): per proposal the figures of the room, "
        "of the window and together, per shown group, and the objection rule that applied; "
        "`rounds` and `ratings` hold the room's only",
    )
    from_elsewhere: Elsewhere | None = Field(
        default=None,
        description="people who took part from elsewhere ('Ik ben er niet bij in de zaal') per "
        "shown group (small groups merged by the workshop's labels) and in total; never per "
        "person",
    )
    before: BeforePart | None = Field(
        default=None,
        description="the before-window: when it was open and how many cards came in, per "
        "shown group; null when the workshop had none",
    )
    assisted: AssistedPart | None = Field(
        default=None,
        description="entries a tafelhulp (or the console) made for people without a phone, "
        "per shown group and in total; null when nobody was assisted",
    )


def json_file(summary: Summary, *, language: str, images: ImageStore | None) -> str:
    """The summary itself, for machines: the renderer of ``json`` in
    :mod:`app.exports.registry` (the same in every language, photos by key only)."""
    return summary.model_dump_json(indent=2) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of the summary (committed as docs/schema/summary-v1.json)."""
    generated = Summary.model_json_schema()
    generated["$id"] = "https://opgave-atelier.example/schema/summary-v1.json"
    generated["title"] = "Opgave Atelier workshop summary, version 1"
    return generated


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def _not_hidden(cards: list[Card]) -> list[Card]:
    """The cards the record may show: not hidden, nor merged into a hidden card (a duplicate
    goes with the card it was merged into). The facilitator hid them from the room as
    moderation, so no export carries their text, photo or author."""
    hidden = {c.id for c in cards if c.hidden}
    return [c for c in cards if not c.hidden and c.merged_into_id not in hidden]


def build_summary(
    engine: Engine, *, workshop_id: int, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> Summary | None:
    """The summary of a workshop as it is now (blocking: one read transaction).

    ``min_group_size`` is k of :mod:`app.privacy`; pass ``settings.min_group_size``.
    """
    with session_scope(engine) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return None
        trajectory = session.get(Trajectory, workshop.trajectory_id)
        assert trajectory is not None and trajectory.id is not None and workshop.id is not None
        return _Builder(session, workshop, min_group_size).summary(trajectory)


class _Builder:
    """One workshop's summary, read in one session: a method per part of it.

    It reads the rows every part shares once, and works out who is behind each figure shown
    per group first, since that decides which groups are too small to be named (k of
    :mod:`app.privacy`).
    """

    def __init__(self, session: Session, workshop: Workshop, k: int) -> None:
        assert workshop.id is not None
        self.session = session
        self.workshop = workshop
        self.workshop_id = workshop.id
        self.k = k
        self.settings = workshop.workshop_settings()
        self.people: dict[int | None, Participant] = {p.id: p for p in self.rows(Participant)}
        self.cards: list[Card] = _not_hidden(self.rows(Card))
        self.card_ids = {c.id for c in self.cards}
        self.proposals: list[Proposal] = self.rows(Proposal)
        # The room's rounds; an after-window's figures are in ``after_windows``, beside them.
        self.rounds: list[AgreementRound] = [
            r for r in self.rows(AgreementRound) if r.after_round_id is None
        ]
        self.measured = {r.id: figures(session, r, self.settings, k=k) for r in self.rounds}
        self.ratings = list(
            session.exec(
                select(Rating)
                .where(col(Rating.round_id).in_([r.id for r in self.rounds] or [0]))
                .order_by(col(Rating.id))
            )
        )
        # Groups are shown under the labels the room's own figures used, decided once per
        # workshop and per round (app.workshops.pooling), so no export differs from another,
        # or from what the room saw, by a group below k.
        self.labels = workshop_labels(session, workshop, k)
        raters: dict[tuple[int, int], set[int]] = {}
        for x in self.ratings:
            raters.setdefault((x.round_id, x.proposal_id), set()).add(x.participant_id)
        labels_of_round = {r.id: round_labels(session, r, k) for r in self.rounds}
        no_labels: Labels = {}
        self.rating_labels = {
            (round_id, proposal_id): labels_of_round[round_id] if len(who) >= k else no_labels
            for (round_id, proposal_id), who in raters.items()
        }

    def rows(self, model: Any) -> list[Any]:
        return list(
            self.session.exec(
                select(model).where(model.workshop_id == self.workshop_id).order_by(col(model.id))
            )
        )

    def name(self, participant_id: int | None) -> str | None:
        """The name of someone who took part with one and agreed at joining to have it in the
        record; ``None`` for everyone else, who is then anonymous in every export (the console
        still shows the facilitator who wrote what)."""
        person = self.people.get(participant_id)
        if self.settings.anonymous or person is None or not person.name_in_verslag:
            return None
        return person.display_name

    def author(self, participant_id: int | None) -> int | None:
        return participant_id if self.name(participant_id) is not None else None

    def group_of(self, participant_id: int | None) -> str:
        return self.people[participant_id].stakeholder_group

    def shown_proposal(self, proposal: Proposal) -> ProposalView:
        named = self.name(proposal.author_id) is not None
        view = proposal_view(proposal, author_named=named)
        return view.model_copy(update={"author_id": self.author(proposal.author_id)})

    def adopted_row(self, kind: str) -> Proposal | None:
        return next(
            (p for p in self.proposals if p.kind == kind and p.status == ProposalStatus.ADOPTED),
            None,
        )

    def adopted(self, kind: str) -> AdoptedPart | None:
        chosen = self.adopted_row(kind)
        if chosen is None or chosen.id is None:
            return None
        history = lineage(self.session, chosen)
        deciding = next((r for r in reversed(self.rounds) if chosen.id in r.proposal_ids), None)
        latest = self.measured[deciding.id][chosen.id] if deciding is not None else None
        return AdoptedPart(
            proposal=self.shown_proposal(chosen),
            converged=latest is not None and latest.converged,
            adopted_reason=chosen.adopted_reason,
            lineage=[p.id for p in history if p.id is not None],
            rule=rule_of(self.settings),
            deciding_round=deciding.number if deciding is not None else None,
            rounds_to_convergence=rounds_to_convergence(
                self.session, self.workshop, {p.id for p in history if p.id}, kind, k=self.k
            ),
        )

    def summary(self, trajectory: Trajectory) -> Summary:
        assert trajectory.id is not None
        session, workshop_id, k = self.session, self.workshop_id, self.k
        waarom, opgave = self.adopted("waarom"), self.adopted("opgave")
        traced = [
            p for part in (waarom, opgave) if part for p in self.proposals if p.id in part.lineage
        ]
        saved = session.exec(
            select(Vertrekpunt)
            .where(Vertrekpunt.workshop_id == workshop_id)
            .order_by(col(Vertrekpunt.id).desc())
        ).first()
        return Summary(
            schema_version=SCHEMA_VERSION,
            generated_at=datetime.now(UTC)
            .replace(microsecond=0)
            .isoformat()
            .replace("+00:00", "Z"),
            trajectory=TrajectoryPart(
                id=trajectory.id,
                theme=trajectory.theme,
                expected_groups=list(trajectory.expected_groups),
                ssd_step=trajectory.ssd_step,
            ),
            workshop=WorkshopPart(
                id=workshop_id,
                title=self.workshop.title,
                theme_question=self.workshop.theme_question,
                agenda=list(self.workshop.agenda),
                anonymous=self.settings.anonymous,
                language=self.settings.language,
            ),
            participants=self.participants(),
            cards=self.card_parts(),
            clusters=[
                ClusterPart(
                    id=cl.id,
                    title=cl.title,
                    tags=list(cl.tags),
                    card_ids=[c.id for c in self.cards if c.cluster_id == cl.id],
                )
                for cl in self.rows(Cluster)
            ],
            votes=[
                VotePart(
                    id=v.id,
                    budget=v.budget,
                    is_open=v.is_open,
                    results=[] if v.is_open else self.shown_results(tally(session, v.id)),
                )
                for v in self.rows(DotVote)
            ],
            proposals=[self.shown_proposal(p) for p in self.proposals],
            rounds=[
                RoundPart(
                    id=r.id,
                    kind=r.kind,
                    number=r.number,
                    eligible=r.eligible,
                    is_open=r.is_open,
                    figures={str(pid): f for pid, f in self.measured[r.id].items()},
                )
                for r in self.rounds
            ],
            ratings=self.rating_parts(),
            waarom=waarom,
            opgave=opgave,
            chain=[card["id"] for card in chain(session, workshop_id, traced)],
            representation=self.representation_part(trajectory),
            vertrekpunt_id=saved.id if saved else None,
            starts_from_id=self.workshop.starts_from_id,
            changes=self.changes(saved),
            tree=tree(session, workshop_id, self.adopted_row("waarom"), self.adopted_row("opgave")),
            heard=heard(session, workshop_id, k),
            consented=self.consented_part(),
            redrafts=redraft_records(session, self.workshop, k=k),
            voice=voice(session, workshop_id, k),
            after_windows=window_records(session, self.workshop, k),
            from_elsewhere=from_elsewhere(session, self.workshop, k, now=False),
            before=before_part(
                [
                    (c.channel, self.group_of(c.author_id) if c.author_id in self.people else None)
                    for c in self.cards
                ],
                self.labels,
                opens_at=self.settings.before_opens_at,
                closes_at=self.settings.before_closes_at,
                k=k,
            ),
            assisted=assisted_figures(session, self.workshop, k),
        )

    def participants(self) -> list[ParticipantPart]:
        """People named in the record with their own group; everyone else, named in the room
        or not, with the group as shown (pooled). Nobody with their wished contribution: that is
        in :meth:`consented_part`, as counts per group of those who agreed."""
        return [
            ParticipantPart(
                id=p.id,
                display_name=self.name(p.id),
                stakeholder_group=p.stakeholder_group
                if self.name(p.id) is not None
                else label_of(self.labels, p.stakeholder_group),
                left=p.left_at is not None,
            )
            for p in self.people.values()
            if not p.is_helper  # a tafelhulp is not a participant
        ]

    def shown_results(self, lines: list[TallyLine]) -> list[TallyLine]:
        """A dot vote's result without the cards the record leaves out (hidden since)."""
        return [
            line
            for line in lines
            if line.target_type.value != "card" or line.target_id in self.card_ids
        ]

    def card_parts(self) -> list[CardPart]:
        return [
            CardPart(
                id=c.id,
                kind=c.kind,
                text=c.text,
                world=c.world,
                factor_ids=list(c.factor_ids),
                tags=list(c.tags),
                cluster_id=c.cluster_id,
                hidden=c.hidden,
                merged_into_id=c.merged_into_id,
                author_id=self.author(c.author_id),
                author_name=self.name(c.author_id),
                stakeholder_group=label_of(self.labels, self.group_of(c.author_id))
                if c.author_id in self.people
                else None,
                image_key=c.image_key,
                channel="before" if c.channel == "before" else "room",
                assisted=c.author_id in self.people
                and self.people[c.author_id].assisted_by_id is not None,
            )
            for c in self.cards
        ]

    def rating_parts(self) -> list[RatingPart]:
        """Each rating with the group it may show for its figure, never who gave it.

        Sorted by round, proposal and score (then group and reason), never in the order they
        were given: someone who watched the room rate could otherwise match the rows to people.
        """
        round_of = {r.id: r for r in self.rounds}
        parts = [
            RatingPart(
                round_id=x.round_id,
                round_number=round_of[x.round_id].number,
                kind=round_of[x.round_id].kind,
                proposal_id=x.proposal_id,
                score=x.score,
                reason=x.reason,
                stakeholder_group=label_of(
                    self.rating_labels[(x.round_id, x.proposal_id)],
                    self.group_of(x.participant_id),
                ),
            )
            for x in self.ratings
        ]
        return sorted(
            parts,
            key=lambda r: (r.round_id, r.proposal_id, r.score, r.stakeholder_group or "", r.reason),
        )

    def representation_part(self, trajectory: Trajectory) -> RepresentationPart:
        # The figures the record and the trajectory page show: present as it is, contributing
        # pooled by the labels the room's own figures used.
        seen = representation(self.session, self.workshop, list(trajectory.expected_groups), self.k)
        return RepresentationPart(
            expected=seen["expected"],
            present=seen["present"],
            contributing=seen["contributing"],
            missing=seen["missing"],
            people_present=sum(seen["present"].values()),
            people_contributing=seen["people_contributing"],
            counted_as=seen["counted_as"],
            min_group_size=self.k,
            targets=seen["targets"],
            often_missing=seen["often_missing"],
            new_voices=NewVoices.model_validate(seen["new_voices"]),
        )

    def changes(self, saved: Vertrekpunt | None) -> Difference | None:
        """Against the vertrekpunt this workshop started from, once it has saved its own."""
        starts_from = self.workshop.starts_from_id
        before = self.session.get(Vertrekpunt, starts_from) if starts_from else None
        return difference(before.record, saved.record) if before and saved else None

    def consented_part(self) -> ConsentedPart:
        shared = consented(self.session, self.workshop_id, self.k)
        return ConsentedPart(
            drijfveren=list(shared["drijfveren"]),
            contributions={g: dict(c) for g, c in shared["contributions"].items()},
        )

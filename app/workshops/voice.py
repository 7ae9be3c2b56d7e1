"""Equal voice: who has not contributed yet, did people feel heard, and how evenly they spoke.

Three measures beside "who was heard" (:mod:`app.workshops.heard`), each a figure about groups,
never about one person, and each pooled by the k rule of :mod:`app.privacy`:

- **Not yet contributed** (live): per group, the people taking part who have posted no card and
  no proposal yet. Counted under the workshop's labels decided once (as "contributing"), so two
  consecutive figures never single out a group below k. The facilitator also gets the named
  people among them (:func:`not_yet`); someone who takes part anonymously is only ever counted,
  or the moment they leave the list would say which card was theirs.
- **Check-out** ("Voelde je je gehoord?", 1–5): per group the number of answers, the average and
  how many gave each score (:func:`check_out_figures`). Shown only once the question is closed,
  and only when at least k people answered; groups with fewer than k answers are pooled over the
  *answers* (the people behind this figure).
- **Evenness**: the share of all cards and proposals written by the most active fifth of the
  people (:func:`evenness`). The fifth is rounded up and is at least one person: of 24 people the
  5 most active, of 3 people the 1 most active. Everyone let in counts, also who wrote nothing.
  Beside it stands what that share would be if everyone wrote as much (``even_share``: the fifth's
  part of the people), so a group of 3 (one person is a third of it) is read fairly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app.privacy import Labels, label_of, merge_small_groups, shown_per_group
from app.workshops.check_out_views import CheckOutFigures, CheckOutView, ScoreLine
from app.workshops.models import Card, Participant, Proposal, Workshop
from app.workshops.participants import authors
from app.workshops.pooling import decide, workshop_labels
from app.workshops.voice_tables import CheckOut, CheckOutAnswer

SCORES = (1, 2, 3, 4, 5)
#: The part of the people whose share of what was said is the evenness figure.
FIFTH = 5


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- not yet contributed


def not_yet(
    people: Mapping[int, str], said: Iterable[int], labels: Labels | None, named: Iterable[int]
) -> tuple[dict[str, int], list[int]]:
    """Per shown label, how many of ``people`` (id → group, those taking part) have not said
    anything yet (0 for a label whose people all did); and which of the ``named`` people among
    them (ids, sorted).

    Nothing per group while the labels are not decided (``None``), as for "contributing".
    """
    spoke = set(said)
    silent = {pid: group for pid, group in people.items() if pid not in spoke}
    counts: dict[str, int] = {}
    if labels is not None:
        for pid, group in people.items():
            label = label_of(labels, group)
            if label is not None:
                counts[label] = counts.get(label, 0) + (pid in silent)
    names = set(named)
    return dict(sorted(counts.items())), sorted(pid for pid in silent if pid in names)


def not_yet_now(session: Session, workshop: Workshop, k: int) -> tuple[dict[str, int], list[int]]:
    """:func:`not_yet` for the room as it is: everyone let in and not left."""
    assert workshop.id is not None
    rows = session.exec(
        select(Participant.id, Participant.stakeholder_group, Participant.display_name).where(
            Participant.workshop_id == workshop.id,
            col(Participant.left_at).is_(None),
            col(Participant.waiting).is_(False),
            col(Participant.is_helper).is_(False),  # a tafelhulp is not a participant
        )
    ).all()
    people = {pid: group for pid, group, _ in rows if pid is not None}
    named = [pid for pid, _, name in rows if pid is not None and name is not None]
    labels = decide(workshop.group_sizes, k) if workshop.group_sizes is not None else None
    return not_yet(people, authors(session, workshop.id), labels, named)


# --------------------------------------------------------------------------- check-out


def _score_line(group: str, scores: list[int]) -> ScoreLine:
    return ScoreLine(
        group=group,
        answers=len(scores),
        average=round(sum(scores) / len(scores), 1),
        counts=[scores.count(s) for s in SCORES],
    )


def check_out_figures(answers: Iterable[tuple[str, int]], k: int) -> CheckOutFigures:
    """Figures of (group, score) answers: overall and per group, groups pooled by the k rule
    over the people who answered (:func:`app.privacy.merge_small_groups`)."""
    rows = list(answers)
    labels = merge_small_groups(Counter(group for group, _ in rows), k)
    if len(rows) < k:
        return CheckOutFigures(answers=len(rows), total=None, groups=[], min_group_size=k)
    pooled: dict[str, list[int]] = {}
    for group, score in rows:
        label = labels.get(group)
        if label is not None:
            pooled.setdefault(label, []).append(score)
    return CheckOutFigures(
        answers=len(rows),
        total=_score_line("", [score for _, score in rows]),
        groups=[_score_line(label, scores) for label, scores in sorted(pooled.items())],
        min_group_size=k,
    )


def answers_of(session: Session, workshop_id: int) -> list[tuple[str, int]]:
    """Every answer as (the answerer's group, score), never with who gave it."""
    return [
        (group, score)
        for score, group in session.exec(
            select(CheckOutAnswer.score, Participant.stakeholder_group)
            .join(Participant, col(Participant.id) == col(CheckOutAnswer.participant_id))
            .where(CheckOutAnswer.workshop_id == workshop_id)
        )
    ]


def answer_count(session: Session, workshop_id: int) -> int:
    return len(
        session.exec(
            select(CheckOutAnswer.id).where(CheckOutAnswer.workshop_id == workshop_id)
        ).all()
    )


def check_out_view(session: Session, workshop_id: int, k: int) -> CheckOutView | None:
    """The question's state for every viewer alike; ``None`` when it was never opened."""
    question = session.get(CheckOut, workshop_id)
    if question is None:
        return None
    if question.closed_at is None:
        return CheckOutView(open=True)
    return CheckOutView(open=False, figures=check_out_figures(answers_of(session, workshop_id), k))


def my_answer(session: Session, workshop_id: int, participant_id: int) -> int | None:
    """A participant's own answer: for their own phone only."""
    return session.exec(
        select(CheckOutAnswer.score).where(
            CheckOutAnswer.workshop_id == workshop_id,
            CheckOutAnswer.participant_id == participant_id,
        )
    ).first()


# --------------------------------------------------------------------------- evenness


class EvenLine(View):
    """How evenly one group (``group`` "" for everyone) spoke.

    ``said``: its cards and proposals; ``top``: the number of people in its most active fifth
    (rounded up, at least one); ``top_said``: what they wrote; ``share``: ``top_said`` as a whole
    percentage of ``said`` (``None`` when nothing was said); ``even_share``: the percentage it
    would be if everyone wrote as much (``top`` of ``people``).
    """

    group: str
    people: int
    said: int
    top: int
    top_said: int
    share: int | None
    even_share: int | None


class Evenness(View):
    """Evenness overall (``total``) and per shown group, by the labels of "who was heard"."""

    total: EvenLine
    groups: list[EvenLine]
    min_group_size: int


def even_line(group: str, counts: list[int]) -> EvenLine:
    """The figure for one group from what each of its people said (zeros included)."""
    people = len(counts)
    top = math.ceil(people / FIFTH) if people else 0
    said = sum(counts)
    top_said = sum(sorted(counts, reverse=True)[:top])
    return EvenLine(
        group=group,
        people=people,
        said=said,
        top=top,
        top_said=top_said,
        share=round(100 * top_said / said) if said else None,
        even_share=round(100 * top / people) if people else None,
    )


def evenness_of(
    people: Mapping[int, str], said: Mapping[int, int], labels: Labels, k: int
) -> Evenness:
    """:class:`Evenness` of ``people`` (id → group) who each said ``said[id]`` (cards and
    proposals), groups shown by ``labels``; the total counts the people the groups show (else
    a late group left out of them would be the total's remainder), or everyone when nothing is
    shown per group."""
    shown: dict[str, list[int]] = {}
    for pid, group in people.items():
        label = label_of(labels, group)
        if label is not None:
            shown.setdefault(label, []).append(pid)
    everyone = (
        [pid for members in shown.values() for pid in members]
        if shown_per_group(labels)
        else list(people)
    )
    return Evenness(
        total=even_line("", [said.get(pid, 0) for pid in everyone]),
        groups=[
            even_line(label, [said.get(pid, 0) for pid in members])
            for label, members in sorted(shown.items())
        ],
        min_group_size=k,
    )


def evenness(session: Session, workshop_id: int, k: int) -> Evenness:
    """Evenness of one workshop: everyone let in (also who left), their cards and proposals."""
    people = {
        pid: group
        for pid, group in session.exec(
            select(Participant.id, Participant.stakeholder_group).where(
                Participant.workshop_id == workshop_id,
                col(Participant.waiting).is_(False),
                col(Participant.is_helper).is_(False),
            )
        )
        if pid is not None
    }
    said: Counter[int] = Counter()
    for model in (Card, Proposal):
        said.update(
            a
            for a in session.exec(
                select(model.author_id).where(
                    model.workshop_id == workshop_id, col(model.author_id).is_not(None)
                )
            )
            if a is not None
        )
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None
    return evenness_of(people, said, workshop_labels(session, workshop, k), k)


class Voice(View):
    """Equal voice in the record: the check-out (if it was asked) and how evenly people spoke."""

    check_out: CheckOutFigures | None = Field(
        description="null when the check-out question was not closed"
    )
    evenness: Evenness


def voice(session: Session, workshop_id: int, k: int) -> Voice:
    """The record's equal-voice figures of one workshop."""
    view = check_out_view(session, workshop_id, k)
    return Voice(
        check_out=view.figures if view is not None else None,
        evenness=evenness(session, workshop_id, k),
    )

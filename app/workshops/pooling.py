"""Which groups are pooled, decided once: per round when it opens, per workshop when it starts.

The rule itself (k, the pool, the late group) is :mod:`app.privacy`; this module decides *when*
and from *whom*, and keeps what it decided from — the people per group who may take part at
that moment (``group_sizes``) — with the round or the workshop, so that the facilitator's screen,
the projector, the phones, the exports and the record all derive the same labels. The labels
follow from those sizes and k alone: an operator who changes ``ATELIER_MIN_GROUP_SIZE`` changes
them everywhere alike, never for one reader. Who may take part is everyone let in and not left —
a phone that sleeps at that moment still counts, so its group is not pooled away because a
screen went dark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from app.privacy import Labels, label_of, merge_small_groups
from app.workshops.models import AgreementRound, Participant, Workshop


def taking_part(session: Session, workshop_id: int) -> Counter[str]:
    """People per stakeholder group who may take part now: let in and not left."""
    return Counter(
        session.exec(
            select(Participant.stakeholder_group).where(
                Participant.workshop_id == workshop_id,
                col(Participant.left_at).is_(None),
                col(Participant.waiting).is_(False),
                col(Participant.is_helper).is_(False),  # a tafelhulp is not a participant
            )
        ).all()
    )


def everyone_who_took_part(session: Session, workshop_id: int) -> Counter[str]:
    """People per group who were let in at any time (also if they left): records from before
    labels were kept are read with labels decided from them."""
    return Counter(
        session.exec(
            select(Participant.stakeholder_group).where(
                Participant.workshop_id == workshop_id,
                col(Participant.waiting).is_(False),
                col(Participant.is_helper).is_(False),
            )
        ).all()
    )


def decide(sizes: Mapping[str, int], k: int) -> dict[str, str | None]:
    """The labels for kept sizes: :func:`app.privacy.merge_small_groups` over who may take part."""
    return merge_small_groups(sizes, k)


def round_labels(session: Session, round_: AgreementRound, k: int) -> Labels:
    """The round's labels: as decided when it opened (rounds from before: from everyone)."""
    if round_.group_sizes is not None:
        return decide(round_.group_sizes, k)
    return decide(everyone_who_took_part(session, round_.workshop_id), k)


def settle_workshop(session: Session, workshop: Workshop, k: int) -> None:
    """Decide the workshop's labels for who contributed, once: the first time the room moves on
    (or opens a round) with someone let in.

    Later arrivals go by :func:`app.privacy.label_of`: into the pool if there is one; a new group
    with no pool to join is left out of every per-group figure and of the totals beside them
    (growing the pool for it would make it the difference between two messages).
    """
    if workshop.group_sizes is not None or workshop.id is None:
        return
    sizes = everyone_who_took_part(session, workshop.id)  # who left early did take part
    if sizes:
        workshop.group_sizes = dict(sorted(sizes.items()))
        session.add(workshop)


def workshop_labels(session: Session, workshop: Workshop, k: int) -> Labels:
    """The workshop's labels as kept, or (a workshop from before, or one that never moved on)
    decided from everyone who took part, as exports of a finished workshop read it."""
    if workshop.group_sizes is not None:
        return decide(workshop.group_sizes, k)
    assert workshop.id is not None
    return decide(everyone_who_took_part(session, workshop.id), k)


def count_by_label(groups: Iterable[str], labels: Labels) -> dict[str, int]:
    """People per shown label (one entry in ``groups`` per person); unshown people left out."""
    shown: Counter[str] = Counter()
    for group in groups:
        label = label_of(labels, group)
        if label is not None:
            shown[label] += 1
    return dict(sorted(shown.items()))

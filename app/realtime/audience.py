"""Who sees what: the one place that trims the room's state and events for each viewer.

The event log and :func:`app.realtime.state.build_snapshot` start from the full views (what the
facilitator may see); everything a phone or the projector receives passes through here first.

- **Facilitator** (owner of the workshop): everything, except who wrote what for authors who
  take part anonymously (``author_id`` only where ``author_named``).
- **Projector** (screen token): the room's public content — no authors, no hidden card's text,
  no one's organisation, drijfveer or wish to contribute.
- **Participant** (phone): its own profile in full and nobody else's (not even a name); its own
  cards and proposals marked ``mine``, never another person's id as an author; hidden cards
  without their text; its own private events only. Presence and vote progress are for the
  staff's screens, not for phones (:func:`is_staff`).
- **Held cards** (sent in beforehand, the room not started yet: ``held``): only their author and
  the facilitator receive them at all (:func:`withheld`); not other phones, not the projector.

Projection depends only on the viewer's *class* (facilitator, screen, participant) and on
whether the event is about the viewer themself, so the hub serialises an event at most a few
times per room, not once per socket (:func:`viewer_key`).

A **replay** (a socket resuming from an older ``seq``) gives each viewer the old events as they
may see them *now* (:func:`replayed`): a card event carries the card as it is today, so a card
hidden since comes back without its text and photo, an edited card with its current text only,
and the events of a withdrawn card not at all. A live event is the same projection with "now"
being the moment it was written, so live delivery and replay agree, and a snapshot plus either
ends in the same state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.realtime.commands import FACILITATORS_ONLY, Actor
from app.realtime.models import LogEntry
from app.realtime.protocol import (
    AnyEvent,
    CardPosted,
    CardUpdated,
    ParticipantJoined,
    ProposalCreated,
    ProposalUpdated,
    RedraftOpened,
    RedraftUpdated,
    RoundOpened,
    RoundUpdated,
    WindowClosed,
    WindowOpened,
    event_adapter,
)
from app.types import Role
from app.workshops.schemas import (
    CardView,
    ParticipantView,
    ProposalView,
    RedraftView,
    RoundView,
)

JSON = dict[str, Any]


def card_for(card: CardView, viewer: Actor) -> CardView:
    """A card as ``viewer`` may see it."""
    if viewer.role is Role.FACILITATOR:
        return card.model_copy(
            update={"author_id": card.author_id if card.author_named else None, "mine": False}
        )
    mine = viewer.role is Role.PARTICIPANT and card.author_id == viewer.participant_id
    hidden = {"text": "", "image": None} if card.hidden else {}
    return card.model_copy(
        update={
            "author_id": None,
            "author_named": False,
            "mine": mine and card.author_id is not None,
            **hidden,
        }
    )


def withheld(card: CardView, viewer: Actor) -> bool:
    """A card sent in beforehand stays with its author and the facilitator until the room
    starts (:mod:`app.workshops.before_window`): nobody else gets it, not even without text.
    Decided by the card's current ``held`` only, so snapshot, replay and live agree."""
    if not card.held or viewer.role is Role.FACILITATOR:
        return False
    return not (viewer.role is Role.PARTICIPANT and card.author_id == viewer.participant_id)


def proposal_for(proposal: ProposalView, viewer: Actor) -> ProposalView:
    """A proposal as ``viewer`` may see it."""
    if viewer.role is Role.FACILITATOR:
        return proposal.model_copy(
            update={
                "author_id": proposal.author_id if proposal.author_named else None,
                "mine": False,
            }
        )
    mine = (
        viewer.role is Role.PARTICIPANT
        and proposal.author_id is not None
        and proposal.author_id == viewer.participant_id
    )
    return proposal.model_copy(update={"author_id": None, "author_named": False, "mine": mine})


def participant_for(participant: ParticipantView, viewer: Actor) -> ParticipantView:
    """A participant as ``viewer`` may see them: personal fields for them and the facilitator.

    Whether someone takes part from elsewhere (``remote``) is for the person only: the console
    and the record count it per group (:mod:`app.workshops.remote`), nobody gets it per person.
    """
    if viewer.role is Role.PARTICIPANT and viewer.participant_id == participant.id:
        return participant
    if viewer.role is Role.FACILITATOR:
        return participant.model_copy(update={"remote": None})
    return participant.model_copy(
        update={
            "remote": None,
            "organisation": None,
            "drijfveer": None,
            "contribution": None,
            "drijfveer_use": None,
            "contribution_use": None,
        }
    )


def round_for(round_: RoundView, viewer: Actor) -> RoundView:
    """A round as ``viewer`` may see it: while an ``at_close`` round is open, only the
    facilitator sees its figures; the room sees how many have rated, so nobody anchors on the
    others' scores before giving their own.

    An open after-window hides its figures from everyone, the facilitator too: the console
    shows how many rated, so nobody steers the window (or tells the room) by how it goes."""
    if round_.after_round_id is not None and round_.is_open:
        return round_.model_copy(update={"figures": {}})
    if viewer.role is Role.FACILITATOR or not round_.is_open or round_.reveal == "live":
        return round_
    return round_.model_copy(update={"figures": {}})


def redraft_for(redraft: RedraftView, viewer: Actor) -> RedraftView:
    """A redraft as ``viewer`` may see it: a variant's author only for the facilitator, and only
    when they take part with a name. Nobody's ranking is in it, for anyone: the room gets the
    count of rankings, and the pairwise counts from k rankers up (:mod:`app.workshops.redrafts`)."""
    if viewer.role is Role.FACILITATOR:
        variants = [
            v.model_copy(update={"author_id": v.author_id if v.author_named else None})
            for v in redraft.variants
        ]
    else:
        variants = [
            v.model_copy(update={"author_id": None, "author_named": False})
            for v in redraft.variants
        ]
    return redraft.model_copy(update={"variants": variants})


#: Events about one person coming, being let in or going. A phone shows only its own profile,
#: so it gets these only about itself: others' names never reach it, and a room of a thousand
#: phones does not send a million messages while it fills up.
ABOUT_ONE_PERSON = frozenset({"participant.joined", "participant.admitted", "participant.left"})


def subject_of(event: LogEntry) -> int | None:
    """The participant a ``participant.*`` event is about."""
    data = event.data
    subject = data["participant"].get("id") if "participant" in data else data.get("participant_id")
    return subject if isinstance(subject, int) else None


def visible(event: LogEntry, viewer: Actor) -> bool:
    """Private events (own dots, own ratings) reach only their participant; facilitator-only
    events (:data:`~app.realtime.commands.FACILITATORS_ONLY`) only facilitators; someone's
    joining or leaving reaches the staff (facilitators, projector) and that person only; a card
    event of a held card only its author and the facilitators (:func:`withheld`)."""
    if not reaches(event, viewer):
        return False
    if event.type in CARD_EVENTS and event.data["card"].get("held"):
        return not withheld(CardView.model_validate(event.data["card"]), viewer)
    return True


def reaches(event: LogEntry, viewer: Actor) -> bool:
    """The event's audience includes ``viewer`` (whatever card it carries)."""
    if event.audience is None:
        if viewer.role is Role.PARTICIPANT and event.type in ABOUT_ONE_PERSON:
            return subject_of(event) == viewer.participant_id
        return True
    if event.audience == FACILITATORS_ONLY:
        return viewer.role is Role.FACILITATOR
    return viewer.role is Role.PARTICIPANT and event.audience == viewer.participant_id


def is_staff(viewer: Actor) -> bool:
    """Facilitators and projectors: the few screens that show the room as a whole (presence,
    vote progress, everyone who joined)."""
    return viewer.role is not Role.PARTICIPANT


def personal_to(event: LogEntry) -> int | None:
    """The participant an event is personal to (its private audience, author or subject)."""
    if event.audience is not None:
        return event.audience
    data = event.data
    for key in ("card", "proposal"):
        if key in data:
            author = data[key].get("author_id")
            return author if isinstance(author, int) else None
    if "participant" in data:
        subject = data["participant"].get("id")
        return subject if isinstance(subject, int) else None
    return None


def viewer_key(event: LogEntry, viewer: Actor, about: int | None) -> str | None:
    """Viewers with the same key get the same bytes for ``event``; ``None``: not for them.

    ``about`` is :func:`personal_to` of the event, computed once per event by the caller.
    """
    if not visible(event, viewer):
        return None
    if viewer.role is not Role.PARTICIPANT:
        return viewer.role.value
    if about is not None and about == viewer.participant_id:
        return f"participant:{viewer.participant_id}"
    return "participant"


def project(event: AnyEvent, viewer: Actor) -> AnyEvent:
    """A typed event as ``viewer`` may see it."""
    if isinstance(event, CardPosted | CardUpdated):
        return event.model_copy(update={"card": card_for(event.card, viewer)})
    if isinstance(event, ProposalCreated | ProposalUpdated):
        return event.model_copy(update={"proposal": proposal_for(event.proposal, viewer)})
    if isinstance(event, ParticipantJoined):
        return event.model_copy(update={"participant": participant_for(event.participant, viewer)})
    if isinstance(event, RoundOpened | RoundUpdated | WindowOpened | WindowClosed):
        return event.model_copy(update={"round": round_for(event.round, viewer)})
    if isinstance(event, RedraftOpened | RedraftUpdated):
        return event.model_copy(update={"redraft": redraft_for(event.redraft, viewer)})
    return event


def event_body(event: AnyEvent, viewer: Actor) -> str:
    """The JSON text of a typed event as ``viewer`` may see it (what goes inside a frame)."""
    return event_adapter.dump_json(project(event, viewer)).decode()


def event_for(event: LogEntry, viewer: Actor) -> JSON | None:
    """The event's data as ``viewer`` may see it, or ``None`` when it is not for them."""
    if not visible(event, viewer):
        return None
    return project(event_adapter.validate_python(event.data), viewer).model_dump(mode="json")


#: Events that carry a whole card (``card``): what a replay brings up to date (:func:`replayed`).
CARD_EVENTS = frozenset({"card.posted", "card.updated"})


def cards_in(events: Iterable[LogEntry]) -> set[int]:
    """The cards the card events among ``events`` carry: what a replay reads the current state
    of, once for all of them."""
    return {event.data["card"]["id"] for event in events if event.type in CARD_EVENTS}


def replayed(event: LogEntry, viewer: Actor, cards_now: Mapping[int, CardView]) -> AnyEvent | None:
    """An old event as ``viewer`` may see it now, or ``None`` when it is not for them.

    ``cards_now`` holds the full view (as the log would keep it) of every card of
    :func:`cards_in` that still exists. A card event carries the card as it is now, trimmed as a
    snapshot trims it; a card withdrawn since is not replayed at all: its ``card.withdrawn``
    still removes it from a client that had it.
    """
    if not reaches(event, viewer):
        return None
    typed = event_adapter.validate_python(event.data)
    if isinstance(typed, CardPosted | CardUpdated):
        current = cards_now.get(typed.card.id)
        if current is None or withheld(current, viewer):
            return None
        typed = typed.model_copy(update={"card": current})
    return project(typed, viewer)

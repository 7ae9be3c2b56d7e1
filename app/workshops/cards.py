"""Beelden, factoren and consequenties: posting, editing, withdrawing and moderating cards.

Withdrawing a card, or changing its text, also rewrites the card's earlier events in the log
(:mod:`app.workshops.forgetting`): what the author took back or replaced does not stay behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import select

from app.clock import utcnow
from app.images.storage import delete_image_files
from app.realtime.commands import FACILITATORS_ONLY, CommandError, Context, Result, handles
from app.realtime.protocol import (
    CardEdit,
    CardHide,
    CardMerge,
    CardPost,
    CardPosted,
    CardPostImage,
    CardTag,
    CardUnmerge,
    CardUpdated,
    CardWithdraw,
    CardWithdrawn,
)
from app.types import CARD_PHASE, TAGGING_PHASES, CardKind, Phase, Role, World
from app.workshops.before_window import BEFORE, channel_now, check_open
from app.workshops.forgetting import forget_card, forget_earlier_texts
from app.workshops.models import Card, Dot
from app.workshops.participants import is_assisted, is_named
from app.workshops.schemas import CardFields, CardView, card_view
from app.workshops.votes import freeze_targets

EVERYONE_WHO_POSTS = (Role.PARTICIPANT, Role.FACILITATOR)
POSTING_PHASES = tuple(CARD_PHASE.values())
#: The lobby too: while the before-window is open (app.workshops.before_window).
POSTING_OR_BEFORE = (*POSTING_PHASES, Phase.LOBBY)


def get_card(ctx: Context, card_id: int) -> Card:
    card = ctx.session.get(Card, card_id)
    if card is None or card.workshop_id != ctx.workshop_id:
        raise CommandError("not_found", f"There is no card {card_id} in this workshop.")
    return card


def _full_view(ctx: Context, card: CardFields) -> CardView:
    """The card as the log keeps it (trimmed per viewer on the way out)."""
    return card_view(
        card,
        author_named=is_named(ctx.session, card.author_id),
        assisted=is_assisted(ctx.session, card.author_id),
    )


#: The card table itself: a posted card goes in as a plain row (see :func:`_insert_card`).
CARD_TABLE: Table = Card.__table__  # type: ignore[attr-defined]
_INSERT_CARD = insert(CARD_TABLE).returning(CARD_TABLE.c.id)


@dataclass(frozen=True, slots=True)
class PostedCard:
    """A card just written as a plain row: what :func:`card_view` reads, without an ORM object."""

    id: int
    workshop_id: int
    kind: str
    text: str
    author_id: int | None
    world: str | None
    factor_ids: list[int]
    tags: list[str]
    hidden: bool
    merged_into_id: int | None
    cluster_id: int | None
    image_key: str | None
    image_width: int | None
    image_height: int | None
    channel: str
    held: bool
    created_at: datetime
    updated_at: datetime


def _insert_card(
    ctx: Context,
    kind: CardKind,
    text: str,
    *,
    world: World | None = None,
    factor_ids: list[int] | None = None,
    image: tuple[str, int, int] | None = None,
    channel: str = "room",
) -> PostedCard:
    """Write a new card as one ``INSERT … RETURNING id`` on the session's connection.

    When 200 phones post at once, each post is its own small batch, and building the ``Card``
    object and letting the ORM flush it was a third of the batch worker's time. Nothing in the
    same transaction holds the new card, so there is no ORM state to keep in step; a later
    command that reads it (``session.get``) reads the row from the database, as for any card
    the batch has not loaded yet.
    """
    now = utcnow()
    image_key, image_width, image_height = image if image else (None, None, None)
    row: dict[str, Any] = {
        "workshop_id": ctx.workshop_id,
        "kind": kind.value,
        "text": text.strip() or text,
        "author_id": ctx.actor.participant_id,
        "world": world.value if world else None,
        "factor_ids": factor_ids or [],
        "tags": [],
        "hidden": False,
        "merged_into_id": None,
        "cluster_id": None,
        "image_key": image_key,
        "image_width": image_width,
        "image_height": image_height,
        "channel": channel,
        "held": channel == BEFORE,
        "created_at": now,
        "updated_at": now,
    }
    card_id = ctx.session.connection().execute(_INSERT_CARD, row).scalar_one()
    return PostedCard(id=card_id, **row)


def _announce_posted(ctx: Context, card: PostedCard) -> Result:
    ctx.emit(CardPosted(type="card.posted", card=_full_view(ctx, card)))
    return {"card_id": card.id}


def announce(ctx: Context, card: Card) -> None:
    ctx.emit(CardUpdated(type="card.updated", card=_full_view(ctx, card)))


def _check_links(ctx: Context, kind: CardKind, world: World | None, factor_ids: list[int]) -> None:
    if kind is CardKind.CONSEQUENTIE:
        if world is None:
            raise CommandError(
                "invalid", "A consequentie says where it lands: leefwereld or systeemwereld."
            )
    elif world is not None or factor_ids:
        raise CommandError("invalid", "Only a consequentie has a world and links to factoren.")
    for factor_id in factor_ids:
        factor = ctx.session.get(Card, factor_id)
        if (
            factor is None
            or factor.workshop_id != ctx.workshop_id
            or factor.kind != CardKind.FACTOR
            or (factor.held and factor.author_id != ctx.actor.participant_id)
        ):
            raise CommandError("invalid", f"Card {factor_id} is not a factor in this workshop.")


def _may_change(ctx: Context, card: Card) -> None:
    """Authors change their own cards while the card's phase is open (a card sent in beforehand
    also while the window is open); facilitators always."""
    if ctx.actor.role is Role.FACILITATOR:
        return
    if card.author_id != ctx.actor.participant_id:
        raise CommandError("forbidden", "You can only change your own cards.")
    if card.channel == BEFORE and ctx.phase is Phase.LOBBY:
        check_open(ctx)
        return
    if ctx.phase is not CARD_PHASE[CardKind(card.kind)]:
        raise CommandError("wrong_phase", "This card's phase is closed; it can no longer change.")


@handles(CardPost, roles=EVERYONE_WHO_POSTS, phases=POSTING_OR_BEFORE)
def post(ctx: Context, command: CardPost) -> Result:
    """A card in its phase, or any kind in the lobby while the before-window is open."""
    channel = channel_now(ctx)
    if channel != BEFORE and CARD_PHASE[command.kind] is not ctx.phase:
        raise CommandError(
            "wrong_phase",
            f"A {command.kind.value} is posted in phase {CARD_PHASE[command.kind].value}.",
        )
    factor_ids = list(dict.fromkeys(command.factor_ids))
    _check_links(ctx, command.kind, command.world, factor_ids)
    card = _insert_card(
        ctx, command.kind, command.text, world=command.world, factor_ids=factor_ids, channel=channel
    )
    return _announce_posted(ctx, card)


@handles(CardPostImage, roles=EVERYONE_WHO_POSTS, phases=(Phase.BEELDEN, Phase.LOBBY))
def post_image(ctx: Context, command: CardPostImage) -> Result:
    """A beeld with a photo the upload route has already checked and stored."""
    channel = channel_now(ctx)
    if not command.image_key.startswith(f"{ctx.workshop_id}/"):
        raise CommandError("invalid", "This image belongs to another workshop.")
    image = (command.image_key, command.width, command.height)
    card = _insert_card(ctx, CardKind.BEELD, command.text, image=image, channel=channel)
    return _announce_posted(ctx, card)


@handles(CardEdit, roles=EVERYONE_WHO_POSTS)
def edit(ctx: Context, command: CardEdit) -> None:
    card = get_card(ctx, command.card_id)
    _may_change(ctx, card)
    kind = CardKind(card.kind)
    world = (
        command.world if command.world is not None else (World(card.world) if card.world else None)
    )
    factor_ids = (
        list(dict.fromkeys(command.factor_ids))
        if command.factor_ids is not None
        else card.factor_ids
    )
    _check_links(ctx, kind, world, factor_ids)
    if command.text is not None and command.text != card.text:
        card.text = command.text
        forget_earlier_texts(
            ctx.session, workshop_id=ctx.workshop_id, card_id=command.card_id, text=card.text
        )
    card.world = world.value if world else None
    card.factor_ids = list(factor_ids)
    card.updated_at = utcnow()
    ctx.session.add(card)
    announce(ctx, card)


@handles(CardWithdraw, roles=EVERYONE_WHO_POSTS)
def withdraw(ctx: Context, command: CardWithdraw) -> None:
    """Remove a card for good; links from consequenties to it are dropped and announced."""
    card = get_card(ctx, command.card_id)
    freeze_targets(ctx, "Withdrawing a card")
    _may_change(ctx, card)
    dotted = ctx.session.exec(
        select(Dot).where(Dot.target_type == "card", Dot.target_id == card.id)
    ).first()
    if dotted is not None:
        raise CommandError("in_use", "This card has votes; hide it instead.")
    linked = ctx.session.exec(
        select(Card).where(Card.workshop_id == ctx.workshop_id, Card.kind == CardKind.CONSEQUENTIE)
    ).all()
    for other in linked:
        if card.id in other.factor_ids:
            other.factor_ids = [f for f in other.factor_ids if f != card.id]
            ctx.session.add(other)
            announce(ctx, other)
    for merged in ctx.session.exec(select(Card).where(Card.merged_into_id == card.id)).all():
        merged.merged_into_id = None
        ctx.session.add(merged)
        announce(ctx, merged)
    forget_card(ctx.session, workshop_id=ctx.workshop_id, card_id=command.card_id)
    ctx.session.delete(card)
    withdrawn = CardWithdrawn(type="card.withdrawn", card_id=command.card_id)
    if card.held:  # nobody else ever had it: they are not told it existed
        ctx.emit(withdrawn, audience=FACILITATORS_ONLY)
        if card.author_id is not None:
            ctx.emit(withdrawn, audience=card.author_id)
    else:
        ctx.emit(withdrawn)
    if card.image_key and ctx.images is not None:
        store, key = ctx.images, card.image_key
        ctx.after_commit.append(lambda: delete_image_files(store, key))


@handles(CardHide, roles=(Role.FACILITATOR,))
def hide(ctx: Context, command: CardHide) -> None:
    card = get_card(ctx, command.card_id)
    if card.hidden == command.hidden:
        raise CommandError(
            "invalid", "The card is already " + ("hidden." if card.hidden else "shown.")
        )
    card.hidden = command.hidden
    ctx.session.add(card)
    announce(ctx, card)


@handles(CardMerge, roles=(Role.FACILITATOR,))
def merge(ctx: Context, command: CardMerge) -> None:
    """Fold a duplicate into another card of the same kind; the duplicate is kept, marked."""
    if command.card_id == command.into_id:
        raise CommandError("invalid", "A card cannot be merged into itself.")
    freeze_targets(ctx, "Merging cards")
    card = get_card(ctx, command.card_id)
    into = get_card(ctx, command.into_id)
    if card.kind != into.kind:
        raise CommandError("invalid", "Only cards of the same kind can be merged.")
    if into.merged_into_id is not None:
        raise CommandError("invalid", "That card was itself merged into another.")
    card.merged_into_id = into.id
    card.cluster_id = into.cluster_id
    ctx.session.add(card)
    announce(ctx, card)


@handles(CardUnmerge, roles=(Role.FACILITATOR,))
def unmerge(ctx: Context, command: CardUnmerge) -> None:
    """Undo a merge: the card stands on its own again (it stays in the cluster it joined)."""
    card = get_card(ctx, command.card_id)
    if card.merged_into_id is None:
        raise CommandError("invalid", "This card was not merged into another.")
    freeze_targets(ctx, "Separating merged cards")
    card.merged_into_id = None
    ctx.session.add(card)
    announce(ctx, card)


@handles(CardTag, roles=(Role.FACILITATOR, Role.PARTICIPANT), phases=TAGGING_PHASES)
def tag(ctx: Context, command: CardTag) -> None:
    if ctx.actor.role is Role.PARTICIPANT and not ctx.settings.participants_cluster:
        raise CommandError("forbidden", "Only the facilitator tags cards in this workshop.")
    card = get_card(ctx, command.card_id)
    card.tags = [t.value for t in dict.fromkeys(command.tags)]
    ctx.session.add(card)
    announce(ctx, card)

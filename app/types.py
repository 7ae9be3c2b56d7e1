"""Shared vocabulary: the enumerations the domain, the protocol and the pages all speak.

Values are the Dutch method words; they travel over the wire unchanged and are translated
only for display.
"""

from __future__ import annotations

from enum import StrEnum

#: Largest id the id columns hold everywhere: they are ``INTEGER``, which PostgreSQL keeps in 32
#: bits (SQLite in 64). A larger number cannot name a row, and would overflow in the driver.
MAX_ID = 2**31 - 1


class Role(StrEnum):
    """Who is on the other end of a socket. Every command is authorised against it."""

    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    SCREEN = "screen"


class Phase(StrEnum):
    """Kinds of agenda step. A workshop's agenda is an ordered list of these."""

    LOBBY = "lobby"
    BEELDEN = "beelden"
    FACTOREN = "factoren"
    CONSEQUENTIES = "consequenties"
    CLUSTEREN = "clusteren"
    PRIORITEREN = "prioriteren"
    WAAROM = "waarom"
    OPGAVE = "opgave"
    AFRONDING = "afronding"


DEFAULT_AGENDA: tuple[Phase, ...] = tuple(Phase)


class CardKind(StrEnum):
    BEELD = "beeld"
    FACTOR = "factor"
    CONSEQUENTIE = "consequentie"


#: The phase in which each kind of card is posted, edited and withdrawn.
CARD_PHASE: dict[CardKind, Phase] = {
    CardKind.BEELD: Phase.BEELDEN,
    CardKind.FACTOR: Phase.FACTOREN,
    CardKind.CONSEQUENTIE: Phase.CONSEQUENTIES,
}

#: The phases in which cards and clusters get their tags (angel, kiem, hefboom).
TAGGING_PHASES = (Phase.CLUSTEREN, Phase.PRIORITEREN, Phase.WAAROM, Phase.OPGAVE)


class World(StrEnum):
    """Where a consequentie lands: people's lives or the system."""

    LEEFWERELD = "leefwereld"
    SYSTEEMWERELD = "systeemwereld"


class Tag(StrEnum):
    ANGEL = "angel"
    KIEM = "kiem"
    HEFBOOM = "hefboom"


class ProposalKind(StrEnum):
    WAAROM = "waarom"
    OPGAVE = "opgave"


class ProposalStatus(StrEnum):
    OPEN = "open"
    SUPERSEDED = "superseded"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


class Contribution(StrEnum):
    """How a stakeholder chooses to take part (seed 004): formulate, support, or a full seat."""

    MEEFORMULEREN = "meeformuleren"
    ONDERSTEUNEN = "ondersteunen"
    AAN_TAFEL = "aan_tafel"


class VoteTarget(StrEnum):
    CARD = "card"
    CLUSTER = "cluster"


#: Suggested stakeholder groups (the method's glossary). Trajectories may expect others.
STAKEHOLDER_GROUPS: tuple[str, ...] = (
    "inwoner",
    "ervaringsdeskundige",
    "ketenpartner",
    "uitvoering",
    "beleid",
    "bestuur",
)

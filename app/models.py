"""Imports every table so ``SQLModel.metadata`` is complete (Alembic and tests rely on it)."""

from app.accounts.models import Facilitator, SetupToken
from app.realtime.models import CommandReceipt, Event
from app.workshops.models import (
    AgreementRound,
    Card,
    Cluster,
    Dot,
    DotVote,
    Participant,
    Proposal,
    Ranking,
    Rating,
    Redraft,
    Suggestion,
    Trajectory,
    Variant,
    Vertrekpunt,
    Workshop,
)
from app.workshops.pairing import ScreenPairing
from app.workshops.sharing import TrajectoryShare
from app.workshops.voice_tables import CheckOut, CheckOutAnswer

__all__ = [
    "AgreementRound",
    "Card",
    "CheckOut",
    "CheckOutAnswer",
    "Cluster",
    "CommandReceipt",
    "Dot",
    "DotVote",
    "Event",
    "Facilitator",
    "Participant",
    "Proposal",
    "Ranking",
    "Rating",
    "Redraft",
    "ScreenPairing",
    "SetupToken",
    "Suggestion",
    "Trajectory",
    "TrajectoryShare",
    "Variant",
    "Vertrekpunt",
    "Workshop",
]

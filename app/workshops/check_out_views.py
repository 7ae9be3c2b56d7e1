"""The check-out question's figures and state as every reader gets them (wire, snapshot, record).

Plain shapes only, so the protocol and the room's state can name them without importing how
they are worked out (:mod:`app.workshops.voice`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreLine(View):
    """Answers of one group (``group`` "" for everyone): how many, their average (one decimal)
    and how many gave each score (``counts[0]`` the 1s … ``counts[4]`` the 5s)."""

    group: str
    answers: int
    average: float
    counts: list[int] = Field(min_length=5, max_length=5)


class CheckOutFigures(View):
    """The check-out's figures: ``total`` and ``groups`` only when at least k people answered."""

    answers: int
    total: ScoreLine | None
    groups: list[ScoreLine]
    min_group_size: int


class CheckOutView(View):
    """The check-out question as every screen sees it; figures only once it is closed."""

    open: bool
    figures: CheckOutFigures | None = None

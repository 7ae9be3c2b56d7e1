"""The before-window in the record's summary: when it was open and how many cards came in, per
group. Built with the summary (:mod:`app.exports.summary`); written down by
:mod:`app.exports.before_section`. The figures per group follow the workshop's labels
(:mod:`app.workshops.pooling`, the k rule): a group too small to show on its own counts as
"overige groepen", or only in the total.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.privacy import Labels, label_of


class BeforePart(BaseModel):
    """Cards sent in beforehand, counted (hidden ones left out, as everywhere in the record)."""

    model_config = ConfigDict(extra="forbid")

    opens_at: str | None = Field(description="when the window opened (UTC), if it was set")
    closes_at: str | None = Field(description="when it closed (UTC)")
    cards: int = Field(description="cards sent in beforehand that the record shows")
    by_group: dict[str, int] = Field(
        description="those cards per shown group (small groups merged by the workshop's labels, "
        "or only in the total)"
    )
    min_group_size: int


def before_part(
    channels: list[tuple[str, str | None]],
    labels: Labels,
    *,
    opens_at: str | None,
    closes_at: str | None,
    k: int,
) -> BeforePart | None:
    """``channels``: per card of the record its channel and its author's group (or None).

    ``None`` when the workshop had no window and no card came in beforehand."""
    before = [group for channel, group in channels if channel == "before"]
    if not before and opens_at is None:
        return None
    by_group: dict[str, int] = {}
    for group in before:
        shown = label_of(labels, group) if group is not None else None
        if shown is not None:
            by_group[shown] = by_group.get(shown, 0) + 1
    return BeforePart(
        opens_at=opens_at,
        closes_at=closes_at,
        cards=len(before),
        by_group=dict(sorted(by_group.items())),
        min_group_size=k,
    )

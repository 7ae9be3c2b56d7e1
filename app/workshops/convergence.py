"""Measured agreement: when has a proposal converged? (rule and defaults: docs/protocol.md)

Pure functions over the ratings of one round, so the rule is written once and the projector,
the record and the adoption check all agree on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.workshops.models import WorkshopSettings
from app.workshops.schemas import Convergence


def measure(
    ratings: Sequence[tuple[int, str]], *, eligible: int, settings: WorkshopSettings
) -> Convergence:
    """Figures for one proposal from its ``(score, reason)`` ratings.

    ``eligible`` is how many people were present when the round opened; the share who rated is
    measured against it, so a proposal cannot converge on the say of a few early raters.
    """
    counts = [0, 0, 0, 0, 0]
    for score, _reason in ratings:
        counts[score - 1] += 1
    raters = len(ratings)
    agree = counts[3] + counts[4]
    objections = counts[0]
    agree_share = agree / raters if raters else 0.0
    participation = raters / eligible if eligible else 0.0
    converged = (
        raters > 0
        and agree_share >= settings.agree_share - 1e-9
        and objections <= settings.allow_objections
        and participation >= settings.min_participation - 1e-9
    )
    return Convergence(
        raters=raters,
        counts=counts,
        agree_share=round(agree_share, 4),
        participation=round(min(participation, 1.0), 4),
        objections=objections,
        # Sorted, not in the order given: with the figures per group beside them, the order
        # would tell whose reason came when.
        objection_reasons=sorted(reason for score, reason in ratings if score == 1 and reason),
        converged=converged,
    )

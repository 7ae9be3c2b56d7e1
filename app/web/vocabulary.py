"""The workshop's vocabulary as the pages' scripts get it: sent by the server once per page.

Card kinds and the phase each is posted in, the phases with their typical minutes (and whether
cards are tagged in them), the worlds,
tags, stakeholder groups, scores, contributions and the name of pooled groups all live in Python
(:mod:`app.types`, :mod:`app.labels`, :mod:`app.workshops.presets`, :mod:`app.privacy`). Scripts
do not declare them again: :func:`vocabulary` builds them, with their names translated into the
page's language, and the page embeds the result as ``<script type="application/json"
id="vocabulary">`` (``templates/base.html``), which ``static/js/labels.js`` reads. A new card
kind, phase or tag is then added in Python only.

Ordered tables are lists of entries (``{"key": …, "name": …}``), not objects: a JSON object with
keys ``"5"`` … ``"1"`` would be read back in ascending order.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from app import labels
from app.i18n import translations
from app.privacy import OTHER_GROUPS
from app.types import (
    CARD_PHASE,
    STAKEHOLDER_GROUPS,
    TAGGING_PHASES,
    CardKind,
    Contribution,
    Phase,
    Tag,
    World,
)
from app.workshops.presets import TYPICAL_MINUTES


@cache
def vocabulary(language: str) -> dict[str, Any]:
    """Everything a script needs to name and order the method's words, in ``language``."""
    gettext = translations(language).gettext
    posted_in = {phase: kind for kind, phase in CARD_PHASE.items()}

    def named(keys: list[str], table: dict[str, str]) -> list[dict[str, Any]]:
        return [{"key": key, "name": gettext(table[key])} for key in keys]

    return {
        "phases": [
            {
                "key": phase.value,
                "name": gettext(labels.PHASES[phase.value]),
                "minutes": TYPICAL_MINUTES[phase],
                "kind": posted_in[phase].value if phase in posted_in else None,
                "tagging": phase in TAGGING_PHASES,
            }
            for phase in Phase
        ],
        "kinds": [
            {
                "key": kind.value,
                "name": gettext(labels.CARD_KINDS[kind.value]),
                "phase": CARD_PHASE[kind].value,
            }
            for kind in CardKind
        ],
        "worlds": named([w.value for w in World], labels.WORLDS),
        "tags": named([tag.value for tag in Tag], labels.TAGS),
        "groups": named(list(STAKEHOLDER_GROUPS), labels.GROUPS),
        "pooled_group": {"key": OTHER_GROUPS, "name": gettext(labels.POOLED_GROUPS)},
        "scores": [{"key": score, "name": gettext(name)} for score, name in labels.SCORES.items()],
        "contributions": named([c.value for c in Contribution], labels.CONTRIBUTIONS),
    }

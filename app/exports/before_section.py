"""The record's part on the before-window: which cards came in beforehand, how many per group.

Kept in a module of its own (the channels of issue #26 each add theirs). The figures per group
follow the workshop's labels (:mod:`app.workshops.pooling`, the k rule): a group too small to
show on its own counts as "overige groepen", or only in the total.
"""

from __future__ import annotations

from app.exports.before_part import BeforePart
from app.exports.blocks import Heading, Paragraph, Table
from app.exports.dates import long_date
from app.exports.people import Add, Writer, k_note


def before(w: Writer, add: Add, part: BeforePart, *, language: str) -> None:
    """How many cards came in before the room, per group; the cards themselves are marked
    "sent in beforehand" where they are listed."""
    _ = w._
    add(Heading(2, _("Cards sent in beforehand")))
    if part.opens_at and part.closes_at:
        add(
            Paragraph(
                _("Phones could send in cards from %(opens)s until %(closes)s.")
                % {
                    "opens": long_date(part.opens_at, language),
                    "closes": long_date(part.closes_at, language),
                }
            )
        )
    add(Paragraph(_("%(n)s cards were sent in beforehand.") % {"n": part.cards}))
    if part.by_group:
        add(
            Table(
                [_("Stakeholder group"), _("Cards")],
                [[w.group(group), str(n)] for group, n in part.by_group.items()]
                + [[_("Total"), str(part.cards)]],
            )
        )
        k_note(w, add, part.min_group_size)

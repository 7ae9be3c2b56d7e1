"""The record's section on assisted entries: how many cards and ratings a tafelhulp (or the
facilitator) entered for people without a phone, per group as :mod:`app.privacy` allows. Worked
out in :mod:`app.workshops.assisted`; this module only writes it down."""

from __future__ import annotations

from app.exports.blocks import Heading, Paragraph, Table
from app.exports.people import Add, Writer, k_note
from app.workshops.assisted import AssistedPart


def assisted(w: Writer, add: Add, figures: AssistedPart) -> None:
    _ = w._
    add(Heading(2, _("Entered by a table helper")))
    add(
        Paragraph(
            _(
                "People without a phone took part through a table helper, who entered their "
                "cards and ratings with their consent. These entries count like every other; "
                "in the lists above they are marked “entered by a table helper”."
            )
        )
    )
    lines = [*figures.groups, figures.total]
    add(
        Table(
            [_("Stakeholder group"), _("People"), _("Cards"), _("Ratings")],
            [
                [
                    w.group(line.group) if line.group else _("Total"),
                    str(line.people),
                    str(line.cards),
                    str(line.ratings),
                ]
                for line in lines
            ],
        )
    )
    k_note(w, add, figures.min_group_size)

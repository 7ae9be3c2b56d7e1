"""The record's section on who took part from elsewhere ("Ik ben er niet bij in de zaal").

The figures are worked out in :mod:`app.workshops.remote` — per group by the workshop's labels
(k rule), never per person; this module only writes them down, in every document format (the
blocks of :mod:`app.exports.blocks`) and as a sheet of the workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.exports.blocks import Heading, Paragraph, Table
from app.exports.people import Add, Writer, k_note
from app.privacy import OTHER_GROUPS
from app.workshops.remote import Elsewhere


def from_elsewhere(w: Writer, add: Add, figures: Elsewhere | None) -> None:
    """ "From elsewhere": people per shown group and the total; nothing when nobody was."""
    if figures is None or not figures.total:
        return
    _ = w._
    add(Heading(3, _("From elsewhere")))
    add(
        Paragraph(
            _(
                "At joining, people could say they were not in the room: they followed the "
                "screen on their phone and took part from there. Counted per group only."
            )
        )
    )
    rows = [[w.group(g), str(n)] for g, n in figures.by_group.items()]
    rows.append([_("Total"), str(figures.total)])
    add(Table([_("Stakeholder group"), _("From elsewhere")], rows))
    if OTHER_GROUPS in figures.by_group or not figures.by_group:
        k_note(w, add, w.summary.representation.min_group_size)


def sheet_rows(
    figures: Elsewhere | None, group: Callable[[str | None], str], total: str
) -> list[list[Any]] | None:
    """The workbook's rows (group, people from elsewhere), or ``None`` when nobody was."""
    if figures is None or not figures.total:
        return None
    return [*([group(g), n] for g, n in figures.by_group.items()), [total, figures.total]]

"""The record's section on equal voice: did people feel heard (the check-out question), and how
evenly they contributed. Both are worked out in :mod:`app.workshops.voice`, per group as
:mod:`app.privacy` allows; this module only writes them down, beside "who was heard".
"""

from __future__ import annotations

from app.exports.blocks import Heading, Paragraph, Table
from app.exports.people import Add, Writer, k_note, percent
from app.workshops.check_out_views import CheckOutFigures
from app.workshops.voice import Evenness, Voice


def voice(w: Writer, add: Add, figures: Voice, *, language: str) -> None:
    """The check-out (when it was asked and closed) and the evenness figure."""
    add(Heading(2, w._("Equal voice")))
    if figures.check_out is not None:
        check_out(w, add, figures.check_out, language=language)
    evenness(w, add, figures.evenness)


def _decimal(language: str, value: float) -> str:
    """One decimal, with a comma in Dutch (3,5) and a point in English (3.5)."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "nl" else text


def check_out(w: Writer, add: Add, figures: CheckOutFigures, *, language: str) -> None:
    _ = w._
    add(Heading(3, _("Did people feel heard?")))
    add(
        Paragraph(
            _(
                "At the end everyone could answer “Did you feel heard?” on their phone, from 1 "
                "(not at all) to 5 (fully). %(n)s people answered."
            )
            % {"n": figures.answers}
        )
    )
    if figures.total is None:
        add(Paragraph(_("Too few people answered to show figures without identifying anyone.")))
        k_note(w, add, figures.min_group_size)
        return
    lines = [*figures.groups, figures.total]
    add(
        Table(
            [_("Stakeholder group"), _("Answers"), _("Average"), "1", "2", "3", "4", "5"],
            [
                [
                    w.group(line.group) if line.group else _("Total"),
                    str(line.answers),
                    _decimal(language, line.average),
                    *(str(n) for n in line.counts),
                ]
                for line in lines
            ],
        )
    )
    k_note(w, add, figures.min_group_size)


def evenness(w: Writer, add: Add, figures: Evenness) -> None:
    _ = w._
    add(Heading(3, _("How evenly people contributed")))
    add(
        Paragraph(
            _(
                "The share of all cards and proposals written by the most active fifth of the "
                "people (a fifth rounded up, at least one person). If everyone wrote as much, "
                "that share would be the fifth's share of the people, given beside it."
            )
        )
    )
    lines = [*figures.groups, figures.total]
    add(
        Table(
            [
                _("Stakeholder group"),
                _("People"),
                _("Cards and proposals"),
                _("Most active fifth"),
                _("Their share"),
                _("If everyone wrote as much"),
            ],
            [
                [
                    w.group(line.group) if line.group else _("Total"),
                    str(line.people),
                    str(line.said),
                    str(line.top),
                    percent(line.share),
                    percent(line.even_share),
                ]
                for line in lines
            ],
        )
    )
    k_note(w, add, figures.min_group_size)

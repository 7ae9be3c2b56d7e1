"""The sections of the record about people: who was at the table, and who was heard.

Every figure here is per stakeholder group as :mod:`app.privacy` allows (small groups pooled as
"overige groepen" or only in the total); drijfveren only of people who agreed, without names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app import labels
from app.exports.blocks import Block, Chart, Heading, Items, Paragraph, Table
from app.exports.summary import Summary
from app.privacy import OTHER_GROUPS
from app.workshops.heard import COUNTS, Heard, HeardGroup
from app.workshops.schemas import Shortfall
from app.workshops.targets import UNANSWERED

Add = Callable[[Block], None]


class Writer(Protocol):
    """What these sections need of the document writer: the summary and its language."""

    @property
    def summary(self) -> Summary: ...

    def _(self, message: str) -> str: ...

    def group(self, name: str | None) -> str: ...


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage ("—" of nothing)."""
    return f"{round(100 * part / whole)}%" if whole else "—"


def counted(part: int, whole: int) -> str:
    """A figure with its share of the total: "4 (25%)"."""
    return f"{part} ({share(part, whole)})"


def percent(value: int | None) -> str:
    """A share worked out by the figures' owner (whole percent), "—" where there is none."""
    return "—" if value is None else f"{value}%"


def _with_share(line: HeardGroup, figure: str) -> str:
    """A heard figure with its share of the total, as :func:`counted` writes it."""
    return f"{getattr(line, figure)} ({percent(getattr(line.shares, figure))})"


def k_note(w: Writer, add: Add, k: int | None) -> None:
    if k is None:
        return
    add(
        Paragraph(
            w._(
                "To keep people unrecognisable, groups of fewer than %(k)s people are "
                "counted together as “other groups”, or only in the total when even "
                "together they are fewer than %(k)s."
            )
            % {"k": k}
        )
    )


def pooled_name(w: Writer, groups: list[str]) -> str:
    """The pool's row: "Overige groepen (beleid, bestuur)" — who was present is no secret."""
    return f"{w.group(OTHER_GROUPS)} ({', '.join(w.group(g) for g in groups)})"


def table(w: Writer, add: Add) -> None:
    """Who was at the table, and what they agreed to share about why and how they came."""
    summary = w.summary
    _, group = w._, w.group
    rep = summary.representation
    add(Heading(2, _("Who was at the table")))
    # Who was present, per group as it was; who contributed, per group as the room's own
    # figures showed it (small groups counted together, in a row of their own).
    rows = [
        [
            pooled_name(w, row.pooled) if row.pooled else group(row.group),
            str(row.present),
            _("in “%(pool)s”") % {"pool": group(OTHER_GROUPS)}
            if row.contributing is None and rep.contributing
            else "—"
            if row.contributing is None
            else str(row.contributing),
        ]
        for row in rep.table_rows()
    ]
    if rep.people_present is not None and rep.people_contributing is not None:
        rows.append([_("Total"), str(rep.people_present), str(rep.people_contributing)])
    add(Table([_("Stakeholder group"), _("Present"), _("Contributing")], rows))
    merged = any(row.contributing is None or row.pooled for row in rep.table_rows())
    if merged:
        k_note(w, add, rep.min_group_size)
    if rep.missing:
        add(
            Paragraph(
                _("Missing at the table: %(groups)s")
                % {"groups": ", ".join(group(g) for g in rep.missing)},
                emphasis=True,
            )
        )
    targets(w, add)
    new_voices(w, add)
    if not summary.workshop.anonymous:
        named = [p for p in summary.participants if p.display_name]
        if named:
            add(Heading(3, _("Participants")))
            add(Items([f"{p.display_name} ({group(p.stakeholder_group)})" for p in named]))
    if summary.consented is None:
        return
    add(Heading(3, _("Why people came")))
    if summary.consented.drijfveren:
        add(Paragraph(_("Shared by people who agreed to it, without their names.")))
        add(Items(list(summary.consented.drijfveren)))
    else:
        add(Paragraph(_("Nobody chose to share their drijfveer in the record.")))
    add(Heading(3, _("How people want to contribute")))
    wishes = summary.consented.contributions
    if wishes:
        ways = list(labels.CONTRIBUTIONS)
        add(
            Table(
                [_("Stakeholder group"), *(_(labels.CONTRIBUTIONS[w]) for w in ways)],
                [
                    [group(name), *(str(counts.get(w, 0)) for w in ways)]
                    for name, counts in wishes.items()
                ],
            )
        )
    else:
        add(Paragraph(_("Nobody chose to share how they want to contribute in the record.")))


def heard(w: Writer, add: Add, heard: Heard) -> None:
    """Per shown group, its share of the people against its share of what was said."""
    _, group = w._, w.group
    total = heard.total
    add(Heading(2, _("Who was heard")))
    if not heard.groups:
        add(Paragraph(_("Too few people took part to show figures per group.")))
        k_note(w, add, heard.min_group_size)
        return
    names = [group(g.group) for g in heard.groups]
    # The chart draws fractions; the shares are whole percentages (none: no bar).
    people = [(g.shares.people or 0) / 100 for g in heard.groups]
    spoke = [(g.shares.said or 0) / 100 for g in heard.groups]
    people_label, said_label = _("Share of the people"), _("Share of cards and proposals")
    add(
        Chart(
            title=_("Share of the people against share of what was said, per group"),
            description=_(
                "A group whose bar for cards and proposals is much shorter than its bar for "
                "people mostly listened."
            ),
            categories=names,
            series=[people_label, said_label],
            values=[[p, s] for p, s in zip(people, spoke, strict=True)],
            percent=True,
            table=Table(
                [_("Stakeholder group"), people_label, said_label],
                [
                    [name, percent(g.shares.people), percent(g.shares.said)]
                    for name, g in zip(names, heard.groups, strict=True)
                ],
            ),
        )
    )
    add(
        Table(
            [
                _("Stakeholder group"),
                _("People"),
                _("Cards"),
                _("Proposals"),
                _("Dots"),
                _("Objections"),
            ],
            [
                [
                    group(g.group),
                    *(_with_share(g, figure) for figure in COUNTS),
                ]
                for g in heard.groups
            ]
            + [
                [
                    _("Total"),
                    str(total.people),
                    str(total.cards),
                    str(total.proposals),
                    str(total.dots),
                    str(total.objections),
                ]
            ],
        )
    )
    if heard.under_heard:
        add(
            Paragraph(
                _(
                    "Mostly listened: %(groups)s. Their share of cards and proposals is less "
                    "than half their share of the people."
                )
                % {"groups": ", ".join(group(g) for g in heard.under_heard)},
                emphasis=True,
            )
        )
    else:
        add(
            Paragraph(
                _(
                    "Every group shown had at least half as large a share of the cards and "
                    "proposals as of the people."
                )
            )
        )
    shown = sum(g.people for g in heard.groups)
    if shown < total.people or any(g.group == OTHER_GROUPS for g in heard.groups):
        k_note(w, add, heard.min_group_size)


def distance(w: Writer, group: str, here: int, target: int | None) -> str:
    """One group against its target: "Bewoners (4 van 6)", "Jongeren (nog niemand)"."""
    if target is None:
        return w._("%(group)s (%(here)s, no target)") % {"group": w.group(group), "here": here}
    return w._("%(group)s (%(here)s of %(target)s)") % {
        "group": w.group(group),
        "here": here,
        "target": target,
    }


def listed(w: Writer, items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return w._("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def adopted_short(w: Writer, short: list[Shortfall] | None) -> str | None:
    """The record's sentence for a proposal adopted while expected groups were short:
    "Aangenomen terwijl Jongeren (0 van 4) en Ondernemers (1 van 3) onder het doel zaten."."""
    if not short:
        return None
    groups = listed(w, [distance(w, s.group, s.here, s.target) for s in short])
    return w._("Adopted while %(groups)s were below target.") % {"groups": groups}


def targets(w: Writer, add: Add) -> None:
    """Each expected group with a target against it (present as it was: not pooled)."""
    rep = w.summary.representation
    if not rep.targets and not rep.often_missing:
        return
    _ = w._
    add(Heading(3, _("Against what the trajectory intended")))
    lines = []
    for g in rep.expected:
        line = distance(w, g, rep.present.get(g, 0), rep.targets.get(g))
        if g in rep.often_missing:
            line += " — " + _("often not at the table")
        lines.append(line)
    add(Items(lines))


def new_voices(w: Writer, add: Add) -> None:
    """Who came for the first time, per shown group (k rule): never per person."""
    voices = w.summary.representation.new_voices
    if voices is None or not any(voices.total.values()):
        return
    _, group = w._, w.group
    add(Heading(3, _("New voices")))
    add(
        Paragraph(
            _(
                "At joining, people could say whether they had been to a meeting of this "
                "trajectory before. Counted per group only."
            )
        )
    )
    columns = ("nee", "ja", "weet_niet", UNANSWERED)
    headers = [_("First time"), _("Been before"), _("Does not know"), _("No answer")]
    rows = [[group(g), *(str(c.get(k, 0)) for k in columns)] for g, c in voices.by_group.items()]
    rows.append([_("Total"), *(str(voices.total.get(k, 0)) for k in columns)])
    add(Table([_("Stakeholder group"), *headers], rows))
    if len(voices.by_group) > 0 and OTHER_GROUPS in voices.by_group:
        k_note(w, add, w.summary.representation.min_group_size)

"""The record's section on after-windows (na afloop meewegen): for each proposal the figures of
the room, of the window and together, overall and per group, and which objection rule applied.

The figures are measured in :mod:`app.workshops.convergence` and gathered in
:mod:`app.workshops.after_window`; this module only writes them down — as blocks for PDF, Word,
OpenDocument, HTML and Markdown (:func:`section`), and as rows for the CSV table and the
spreadsheet (:func:`rows`), so every format says the same.
"""

from __future__ import annotations

from collections.abc import Callable

from app.exports.blocks import Heading, Items, Paragraph, Table
from app.exports.dates import long_date
from app.exports.people import Add, Writer
from app.workshops.after_window import WindowProposal, WindowRecord
from app.workshops.schemas import Convergence

#: The CSV table's header (``after_window.csv``) and the spreadsheet's columns, in this order.
COLUMNS = (
    "kind",
    "room_round",
    "proposal_id",
    "proposal",
    "channel",
    "group",
    "raters",
    "agree_share",
    "objections",
    "converged",
    "objection_rule",
)
#: The three sets of figures per proposal, as ``channel`` says them.
CHANNELS = ("room", "after", "together")


def _channels(figures: WindowProposal) -> list[tuple[str, Convergence]]:
    return [("room", figures.room), ("after", figures.window), ("together", figures.together)]


def rows(windows: list[WindowRecord], texts: dict[int, str]) -> list[list[object]]:
    """One row per proposal, channel and group ("" = everyone); groups as the figures show
    them (small groups pooled, none below k raters). Open windows have no rows."""
    out: list[list[object]] = []
    for window in windows:
        for proposal in window.proposals:
            for channel, measured in _channels(proposal):
                head = [
                    window.kind,
                    window.room_round,
                    proposal.proposal_id,
                    texts.get(proposal.proposal_id, ""),
                    channel,
                ]
                out.append(
                    [
                        *head,
                        "",
                        measured.raters,
                        measured.agree_share if measured.raters else "",
                        measured.objections,
                        measured.converged,
                        window.objection_rule,
                    ]
                )
                out.extend(
                    [*head, g.group, g.raters, g.agree_share, g.objections, "", ""]
                    for g in measured.by_group
                )
    return out


def section(w: Writer, add: Add, proposal_text: Callable[[int], str], *, language: str) -> None:
    """The after-windows, one after the other; nothing when none was opened."""
    _ = w._
    windows = w.summary.after_windows
    if not windows:
        return
    add(Heading(2, _("Weighing in afterwards")))
    for window in windows:
        kind = _("Why") if window.kind == "waarom" else _("Mission")
        title = _("%(kind)s, round %(n)s: afterwards") % {"kind": kind, "n": window.room_round}
        add(Heading(3, title))
        if window.is_open:
            add(Paragraph(_("The window is still open; its figures follow when it closes.")))
            continue
        closed = window.closed_at or window.until
        add(
            Paragraph(
                _("%(n)s people gave their view afterwards; the window closed on %(date)s.")
                % {"n": window.raters, "date": long_date(closed, language) if closed else "—"}
            )
        )
        add(
            Paragraph(
                _("An objection given afterwards counted as one in the room.")
                if window.objection_rule == "counts"
                else _("An objection given afterwards was reported, without blocking.")
            )
        )
        names = {"room": _("In the room"), "after": _("Afterwards"), "together": _("Together")}
        for proposal in window.proposals:
            add(Paragraph(proposal_text(proposal.proposal_id), emphasis=True))
            add(
                Table(
                    [_("Channel"), _("Agree (4–5)"), _("Rated"), _("Objections"), _("Converged")],
                    [
                        [
                            names[channel],
                            f"{round(m.agree_share * 100)}%" if m.raters else _("not rated"),
                            str(m.raters),
                            str(m.objections),
                            _("yes") if m.converged else _("no"),
                        ]
                        for channel, m in _channels(proposal)
                    ],
                    notes=frozenset({_("not rated")}),
                )
            )
            # An objection is heard wherever it was given: its reason stands in the record under
            # either rule (with "reported" it is all the objection does).
            if proposal.window.objection_reasons:
                add(Paragraph(_("Reasons given with objections afterwards:")))
                add(Items(list(proposal.window.objection_reasons)))
            groups = sorted(
                {g.group for _c, m in _channels(proposal) for g in m.by_group},
                key=lambda name: w.group(name),
            )
            if not groups:
                add(Paragraph(_("Too few people rated to show agreement per group.")))
                continue
            per = {channel: {g.group: g for g in m.by_group} for channel, m in _channels(proposal)}
            add(
                Table(
                    [_("Group"), names["room"], names["after"], names["together"]],
                    [
                        [
                            w.group(name),
                            *(
                                f"{round(per[c][name].agree_share * 100)}% ({per[c][name].raters})"
                                if name in per[c]
                                else "—"
                                for c in CHANNELS
                            ),
                        ]
                        for name in groups
                    ],
                )
            )
            if proposal.together.converged:
                add(Paragraph(_("With the ratings given afterwards, it converged.")))
            else:
                add(Paragraph(_("With the ratings given afterwards, it did not converge.")))

"""The summary as a document: headings, paragraphs, lists and tables, in one language.

Markdown, HTML and PDF render these same blocks, so what a record says is decided once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app import labels
from app.exports.summary import AdoptedPart, CardPart, RoundPart, Summary
from app.i18n import translations
from app.privacy import OTHER_GROUPS
from app.workshops.reframing import Difference
from app.workshops.schemas import ProposalView


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Items:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Photo:
    image_key: str
    caption: str


Block = Heading | Paragraph | Items | Table | Photo


@dataclass
class Document:
    title: str
    language: str
    blocks: list[Block] = field(default_factory=list)


def document(summary: Summary, *, language: str) -> Document:
    _ = translations(language).gettext

    def group(name: str | None) -> str:
        if name == OTHER_GROUPS:
            return _("Other groups")
        return _(labels.group(name)) if name else "—"

    doc = Document(
        title=f"{summary.trajectory.theme} — {summary.workshop.title}", language=language
    )
    add = doc.blocks.append
    add(Heading(1, doc.title))
    if summary.workshop.theme_question:
        add(Paragraph(summary.workshop.theme_question, emphasis=True))
    add(Paragraph(_("Summary of %(date)s") % {"date": summary.generated_at[:10]}))
    _adopted(add, _, _("Why"), summary.waarom)
    _adopted(add, _, _("Mission"), summary.opgave)

    if summary.changes is not None:
        _changes(add, _, group, summary.changes)

    cards = {c.id: c for c in summary.cards}
    add(Heading(2, _("Where it comes from")))
    chain = [cards[i] for i in summary.chain if i in cards]
    if not chain:
        add(Paragraph(_("The adopted proposals cite no cards.")))
    for kind, title in (
        ("beeld", _("Images")),
        ("factor", _("Factors")),
        ("consequentie", _("Consequences")),
    ):
        chosen = [c for c in chain if c.kind == kind]
        if chosen:
            add(Heading(3, title))
            for card in chosen:
                if card.image_key:
                    add(Photo(card.image_key, card.text))
            add(Items([_card_line(card, cards, _) for card in chosen]))

    add(Heading(2, _("Clusters")))
    if summary.clusters:
        add(
            Items(
                [
                    f"{cluster.title}"
                    + (
                        f" [{', '.join(_(labels.TAGS[t]) for t in cluster.tags)}]"
                        if cluster.tags
                        else ""
                    )
                    + f": {'; '.join(cards[i].text for i in cluster.card_ids if i in cards)}"
                    for cluster in summary.clusters
                ]
            )
        )
    else:
        add(Paragraph(_("No clusters.")))

    add(Heading(2, _("Dot vote")))
    closed = [v for v in summary.votes if not v.is_open]
    if closed:
        clusters = {c.id: c.title for c in summary.clusters}
        add(
            Table(
                [_("Card or cluster"), _("Dots")],
                [
                    [
                        clusters.get(line.target_id, "—")
                        if line.target_type == "cluster"
                        else (cards[line.target_id].text if line.target_id in cards else "—"),
                        str(line.dots),
                    ]
                    for line in closed[-1].results
                ],
            )
        )
    else:
        add(Paragraph(_("No dot vote was closed.")))

    add(Heading(2, _("Agreement rounds")))
    proposals = {p.id: p for p in summary.proposals}
    for round_ in summary.rounds:
        _round(add, _, round_, proposals)
    if not summary.rounds:
        add(Paragraph(_("No agreement rounds were held.")))

    rep = summary.representation
    add(Heading(2, _("Who was at the table")))
    # Only groups that may be shown: missing ones (nobody there) and those of k or more people;
    # smaller ones are in "other groups" or only in the total.
    shown = [g for g in rep.expected if g in rep.present or g in rep.missing]
    shown += sorted(g for g in rep.present if g not in shown and g != OTHER_GROUPS)
    shown += [OTHER_GROUPS] if OTHER_GROUPS in rep.present else []
    rows = [
        [group(name), str(rep.present.get(name, 0)), str(rep.contributing.get(name, 0))]
        for name in shown
    ]
    if rep.people_present is not None and rep.people_contributing is not None:
        rows.append([_("Total"), str(rep.people_present), str(rep.people_contributing)])
    add(Table([_("Stakeholder group"), _("Present"), _("Contributing")], rows))
    merged = OTHER_GROUPS in rep.present or (
        rep.people_present is not None and sum(rep.present.values()) < rep.people_present
    )
    if merged and rep.min_group_size is not None:
        add(
            Paragraph(
                _(
                    "To keep people unrecognisable, groups of fewer than %(k)s people are "
                    "counted together as “other groups”, or only in the total when even "
                    "together they are fewer than %(k)s."
                )
                % {"k": rep.min_group_size}
            )
        )
    if rep.missing:
        add(
            Paragraph(
                _("Missing at the table: %(groups)s")
                % {"groups": ", ".join(group(g) for g in rep.missing)},
                emphasis=True,
            )
        )
    if not summary.workshop.anonymous:
        named = [p for p in summary.participants if p.display_name]
        if named:
            add(Heading(3, _("Participants")))
            add(Items([f"{p.display_name} ({group(p.stakeholder_group)})" for p in named]))
    return doc


def _adopted(
    add: Callable[[Block], None], _: Callable[[str], str], title: str, part: AdoptedPart | None
) -> None:
    add(Heading(2, title))
    if part is None:
        add(Paragraph(_("Not adopted.")))
        return
    proposal = part.proposal
    add(Paragraph(proposal.text, emphasis=True))
    for heading, lines in (
        (_("In scope"), proposal.in_scope),
        (_("Out of scope"), proposal.out_of_scope),
        (_("Core themes"), proposal.core_themes),
    ):
        if lines:
            add(Heading(3, heading))
            add(Items(list(lines)))
    if part.converged:
        add(Paragraph(_("Adopted after it converged.")))
    else:
        add(
            Paragraph(
                _("Adopted without converging, because: %(reason)s")
                % {"reason": part.adopted_reason or "—"}
            )
        )


def _card_line(card: CardPart, cards: dict[int, CardPart], _: Callable[[str], str]) -> str:
    line = card.text
    if card.world:
        line += f" ({_(labels.WORLDS[card.world])})"
    linked = [cards[i].text for i in card.factor_ids if i in cards]
    if linked:
        line += " — " + _("from: %(factors)s") % {"factors": "; ".join(linked)}
    if card.tags:
        line += f" [{', '.join(_(labels.TAGS[t]) for t in card.tags)}]"
    if card.author_name:
        line += f" — {card.author_name}"
    return line


def _round(
    add: Callable[[Block], None],
    _: Callable[[str], str],
    round_: RoundPart,
    proposals: dict[int, ProposalView],
) -> None:
    kind = _("Why") if round_.kind == "waarom" else _("Mission")
    add(Heading(3, _("%(kind)s, round %(n)s") % {"kind": kind, "n": round_.number}))
    rows = []
    for pid, measured in round_.figures.items():
        proposal = proposals.get(int(pid))
        rows.append(
            [
                proposal.text if proposal else f"#{pid}",
                f"{round(measured.agree_share * 100)}%",
                f"{measured.raters}/{round_.eligible}",
                " ".join(str(n) for n in measured.counts),
                _("yes") if measured.converged else _("no"),
            ]
        )
    add(Table([_("Proposal"), _("Agree (4–5)"), _("Rated"), _("1 2 3 4 5"), _("Converged")], rows))
    reasons = [
        reason for measured in round_.figures.values() for reason in measured.objection_reasons
    ]
    if reasons:
        add(Paragraph(_("Reasons given with objections:")))
        add(Items(reasons))


def _changes(
    add: Callable[[Block], None],
    _: Callable[[str], str],
    group: Callable[[str | None], str],
    c: Difference,
) -> None:
    """What this reframing changed against the starting point it began from."""
    add(Heading(2, _("What changed since the previous one")))
    lines = []
    if c.waarom.changed:
        lines.append(f"{_('The why was reformulated; before:')} “{c.waarom.before}”")
    if c.opgave.changed:
        lines.append(f"{_('The mission was reformulated; before:')} “{c.opgave.before}”")
    lines += [f"{_('Now in scope:')} {x}" for x in c.in_scope.added]
    lines += [f"{_('No longer in scope:')} {x}" for x in c.in_scope.removed]
    lines += [f"{_('Now out of scope:')} {x}" for x in c.out_of_scope.added]
    lines += [f"{_('New core theme:')} {x}" for x in c.core_themes.added]
    lines += [f"{_('Core theme dropped:')} {x}" for x in c.core_themes.removed]
    lines += [f"{_('Newly at the table:')} {group(x)}" for x in c.groups_present.added]
    lines += [f"{_('No longer at the table:')} {group(x)}" for x in c.groups_present.removed]
    add(Items(lines) if lines else Paragraph(_("Nothing changed.")))

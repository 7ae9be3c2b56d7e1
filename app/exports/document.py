"""The summary as a document: what the record says, decided once, in one language.

Markdown, HTML, PDF, Word and OpenDocument render these same blocks (see
:mod:`app.exports.blocks`). The order follows how a reader asks: what was agreed, where it came
from (the chain as a tree), everything that was said, how the room weighed it, and who was at the
table and who was heard.
"""

from __future__ import annotations

from collections.abc import Callable

from app import labels
from app.exports import (
    assisted_section,
    before_section,
    elsewhere_section,
    people,
    voice_section,
    window_section,
)
from app.exports.blocks import (
    Block,
    Chart,
    Column,
    Columns,
    Document,
    Heading,
    Items,
    Node,
    Paragraph,
    Photo,
    Table,
    Tree,
    walk,
)
from app.exports.dates import long_date
from app.exports.people import counted, share
from app.exports.summary import AdoptedPart, CardPart, Summary
from app.i18n import translations
from app.privacy import OTHER_GROUPS
from app.workshops.reframing import Difference, moves
from app.workshops.schemas import ChainNode, Convergence, ConvergenceRule

__all__ = [
    "Block",
    "Chart",
    "Column",
    "Columns",
    "Document",
    "Heading",
    "Items",
    "Node",
    "Paragraph",
    "Photo",
    "Table",
    "Tree",
    "counted",
    "document",
    "share",
]

Add = Callable[[Block], None]
Gettext = Callable[[str], str]


def document(summary: Summary, *, language: str) -> Document:
    return _Writer(summary, language).write()


class _Writer:
    """Writes one document; holds the language so each section reads as plain text."""

    def __init__(self, summary: Summary, language: str) -> None:
        self.summary = summary
        self.language = language
        self.tr = translations(language)
        self._ = self.tr.gettext

    def group(self, name: str | None) -> str:
        if name == OTHER_GROUPS:
            return self._("Other groups")
        return self._(labels.group(name)) if name else "—"

    def dots(self, n: int) -> str:
        return self.tr.ngettext("%(n)s dot", "%(n)s dots", n) % {"n": n}

    def tags(self, tags: list[str]) -> str:
        shown = [self._(labels.TAGS[t]) for t in tags if t in labels.TAGS]
        return f" [{', '.join(shown)}]" if shown else ""

    def node(self, n: ChainNode) -> Node:
        """A link of the chain: each line says its kind, tags, world and dots."""
        _ = self._
        kind = {"opgave": _("Mission"), "waarom": _("Why"), "cluster": _("Cluster")}.get(n.kind)
        text = f"{kind or _(labels.CARD_KINDS.get(n.kind, n.kind))}: {n.text}"
        if n.world in labels.WORLDS:
            text += f" ({_(labels.WORLDS[n.world])})"
        text += self.tags(n.tags)
        if n.dots:
            text += f" — {self.dots(n.dots)}"
        return Node(
            kind=n.kind,
            text=text,
            caption=n.text,
            image_key=n.image_key,
            children=tuple(self.node(c) for c in n.children),
        )

    def write(self) -> Document:
        summary = self.summary
        _ = self._
        date = long_date(summary.generated_at, self.language)
        doc = Document(
            title=f"{summary.trajectory.theme} — {summary.workshop.title}",
            language=self.language,
            footer=f"{summary.workshop.title} — {date}",
            page_label=_("Page %(n)s of %(m)s"),
        )
        add = doc.blocks.append
        add(Heading(1, doc.title))
        if summary.workshop.theme_question:
            add(Paragraph(summary.workshop.theme_question, emphasis=True))
        add(Paragraph(_("Summary of %(date)s") % {"date": date}))
        self.adopted(add, _("Why"), summary.waarom)
        self.adopted(add, _("Mission"), summary.opgave)
        if summary.changes is not None:
            self.changes(add, summary.changes)
        self.chain(add)
        self.cards(add)
        self.clusters(add)
        self.dot_vote(add)
        self.rounds(add)
        window_section.section(self, add, self.proposal, language=self.language)
        self.redrafts(add)
        people.table(self, add)
        elsewhere_section.from_elsewhere(self, add, summary.from_elsewhere)
        if summary.heard is not None:
            people.heard(self, add, summary.heard)
        if summary.voice is not None:
            voice_section.voice(self, add, summary.voice, language=self.language)
        if summary.before is not None:
            before_section.before(self, add, summary.before, language=self.language)
        if summary.assisted is not None:
            assisted_section.assisted(self, add, summary.assisted)
        return doc

    def adopted(self, add: Add, title: str, part: AdoptedPart | None) -> None:
        _ = self._
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
        if part.rounds_to_convergence is not None:
            add(
                Paragraph(
                    _("Converged in agreement round %(n)s of its line.")
                    % {"n": part.rounds_to_convergence}
                )
            )
        if part.converged:
            add(Paragraph(_("Adopted after it converged.")))
        else:
            add(
                Paragraph(
                    _("Adopted without converging, because: %(reason)s")
                    % {"reason": part.adopted_reason or "—"}
                )
            )
        if (short := people.adopted_short(self, proposal.adopted_short)) is not None:
            add(Paragraph(short, emphasis=True))
        self.deciding(add, part)

    def rule(self, rule: ConvergenceRule) -> str:
        """The convergence rule in words: the room's threshold, and each group's when it applied."""
        text = self._(
            "Rule: at least %(agree)s%% rate 4 or 5, at most %(objections)s objections, and at "
            "least %(share)s%% of those present rated."
        ) % {
            "agree": round(rule.agree_share * 100),
            "objections": rule.allow_objections,
            "share": round(rule.min_participation * 100),
        }
        if rule.carried_by_every_group:
            text += " " + self._(
                "Also: every group at least %(group)s%% in favour, no objection."
            ) % {"group": round(rule.group_agree_share * 100)}
        return text

    def deciding(self, add: Add, part: AdoptedPart) -> None:
        """The rule that applied and the figures per group of the round that decided."""
        _ = self._
        if part.rule is not None:
            add(Paragraph(self.rule(part.rule)))
        held = next(
            (
                r
                for r in self.summary.rounds
                if r.kind == part.proposal.kind and r.number == part.deciding_round
            ),
            None,
        )
        measured = held.figures.get(str(part.proposal.id)) if held is not None else None
        if held is None or measured is None:
            return
        add(
            Paragraph(
                _("Round %(n)s decided: %(agree)s rated 4 or 5, %(raters)s of %(eligible)s rated.")
                % {
                    "n": held.number,
                    "agree": self.agreement(measured),
                    "raters": measured.raters,
                    "eligible": held.eligible,
                }
            )
        )
        if not measured.by_group:
            add(Paragraph(_("Too few people rated to show agreement per group.")))
            return
        add(
            Table(
                [_("Group"), _("Agree (4–5)"), _("Rated"), _("Objections")],
                [
                    [
                        self.group(g.group),
                        f"{round(g.agree_share * 100)}%",
                        str(g.raters),
                        str(g.objections),
                    ]
                    for g in measured.by_group
                ],
            )
        )
        if measured.lowest_group_share is not None:
            lowest = f"{round(measured.lowest_group_share * 100)}%"
            add(Paragraph(_("Lowest agreement in a group: %(share)s.") % {"share": lowest}))
        if measured.not_carried:
            names = ", ".join(self.group(g) for g in measured.not_carried)
            add(Paragraph(_("Not carried by: %(groups)s.") % {"groups": names}))

    def changes(self, add: Add, c: Difference) -> None:
        """What this reframing changed against the starting point it began from: all of it."""
        _, group = self._, self.group
        add(Heading(2, _("What changed since the previous one")))
        lines = []
        # Plain _() calls, not inside f-strings: the message extractor only sees those.
        if c.waarom.changed:
            lines.append(_("The why was reformulated; before:") + f" “{c.waarom.before}”")
        if c.opgave.changed:
            lines.append(_("The mission was reformulated; before:") + f" “{c.opgave.before}”")
        lines += [
            f"{_(m.label)} {group(item) if m.groups else item}"
            for m in moves(c)
            for item in m.items
        ]
        add(Items(lines) if lines else Paragraph(_("Nothing changed.")))

    def chain(self, add: Add) -> None:
        summary = self.summary
        _ = self._
        add(Heading(2, _("Where it comes from")))
        if summary.tree is not None:
            root = self.node(summary.tree)
            add(
                Paragraph(
                    _(
                        "Read from the top down: the mission, the why it serves, and the "
                        "clusters and cards they grew from."
                    )
                )
            )
            add(Tree(root))
            if all(n.kind in ("opgave", "waarom") for _d, n in walk(root)):
                add(Paragraph(_("The adopted proposals cite no cards.")))
            return
        cards = {c.id: c for c in summary.cards}
        chain = [cards[i] for i in summary.chain if i in cards]
        if not chain:  # an older summary without a tree still shows its flat chain
            nothing = summary.waarom is None and summary.opgave is None
            add(
                Paragraph(
                    _("Nothing has been adopted yet.")
                    if nothing
                    else _("The adopted proposals cite no cards.")
                )
            )
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
                add(Items([self.card_line(card, cards) for card in chosen]))

    def card_line(self, card: CardPart, cards: dict[int, CardPart]) -> str:
        _ = self._
        line = card.text
        if card.world and card.world in labels.WORLDS and card.kind != "consequentie":
            line += f" ({_(labels.WORLDS[card.world])})"
        linked = [cards[i].text for i in card.factor_ids if i in cards]
        if linked:
            line += " — " + _("from: %(factors)s") % {"factors": "; ".join(linked)}
        line += self.tags(card.tags)
        if card.author_name:
            line += f" — {card.author_name}"
        if card.channel == "before":
            line += f" ({_('sent in beforehand')})"
        if card.assisted:
            line += " — " + _("entered by a table helper")
        also = [c.text for c in cards.values() if c.merged_into_id == card.id and not c.hidden]
        if also:
            line += " — " + _("also posted as: %(cards)s") % {"cards": "; ".join(also)}
        return line

    def cards(self, add: Add) -> None:
        """Every card that is shown in the room: clustered or loose; hidden ones are not."""
        summary = self.summary
        _ = self._
        everything = {c.id: c for c in summary.cards}
        shown = [c for c in summary.cards if not c.hidden and c.merged_into_id is None]
        add(Heading(2, _("All cards")))
        if not shown:
            add(Paragraph(_("No cards were posted.")))
            return
        beelden = [c for c in shown if c.kind == "beeld"]
        if beelden:
            add(Heading(3, _("Images")))
            for card in beelden:
                if card.image_key:
                    add(Photo(card.image_key, card.text))
            add(Items([self.card_line(c, everything) for c in beelden]))
        factoren = [c for c in shown if c.kind == "factor"]
        if factoren:
            add(Heading(3, _("Factors")))
            add(Items([self.card_line(c, everything) for c in factoren]))
        gevolgen = [c for c in shown if c.kind == "consequentie"]
        if gevolgen:
            add(Heading(3, _("Consequences")))
            add(
                Columns(
                    [
                        Column(
                            _(labels.WORLDS[world]),
                            [self.card_line(c, everything) for c in gevolgen if c.world == world],
                        )
                        for world in ("leefwereld", "systeemwereld")
                    ]
                )
            )
            elsewhere = [c for c in gevolgen if c.world not in labels.WORLDS]
            if elsewhere:
                add(Paragraph(_("Without a world:")))
                add(Items([self.card_line(c, everything) for c in elsewhere]))

    def clusters(self, add: Add) -> None:
        summary = self.summary
        _ = self._
        cards = {c.id: c for c in summary.cards if not c.hidden and c.merged_into_id is None}
        dots = self.tally()
        add(Heading(2, _("Clusters")))
        lines = []
        for cluster in summary.clusters:
            line = cluster.title + self.tags(cluster.tags)
            if dots.get(("cluster", cluster.id)):
                line += f" — {self.dots(dots[('cluster', cluster.id)])}"
            members = [cards[i].text for i in cluster.card_ids if i in cards]
            lines.append(f"{line}: {'; '.join(members)}" if members else line)
        loose = [c.text for c in cards.values() if c.cluster_id is None]
        if loose:
            not_clustered = _("Not in a cluster")
            lines.append(f"{not_clustered}: {'; '.join(loose)}")
        add(Items(lines) if lines else Paragraph(_("No clusters.")))

    def tally(self) -> dict[tuple[str, int], int]:
        """Dots per target in the last closed vote."""
        closed = [v for v in self.summary.votes if not v.is_open]
        if not closed:
            return {}
        return {
            (str(line.target_type.value), line.target_id): line.dots for line in closed[-1].results
        }

    def dot_vote(self, add: Add) -> None:
        summary = self.summary
        _ = self._
        add(Heading(2, _("Dot vote")))
        closed = [v for v in summary.votes if not v.is_open]
        if not closed:
            add(Paragraph(_("No dot vote was closed.")))
            return
        vote = closed[-1]
        clusters = {c.id: c.title for c in summary.clusters}
        cards = {c.id: c.text for c in summary.cards}
        names = [
            clusters.get(line.target_id, "—")
            if line.target_type.value == "cluster"
            else cards.get(line.target_id, "—")
            for line in vote.results
        ]
        counts = [line.dots for line in vote.results]
        add(
            Paragraph(
                self.tr.ngettext(
                    "Each person had %(n)s dot to give.",
                    "Each person had %(n)s dots to give.",
                    vote.budget,
                )
                % {"n": vote.budget}
            )
        )
        if not counts:
            add(Paragraph(_("Nobody placed a dot.")))
            return
        top = max(range(len(counts)), key=lambda i: counts[i])
        add(
            Chart(
                title=_("Dots per card or cluster"),
                description=_("Most dots: %(name)s (%(dots)s).")
                % {"name": names[top], "dots": self.dots(counts[top])},
                categories=names,
                series=[_("Dots")],
                values=[[float(n)] for n in counts],
                percent=False,
                table=Table(
                    [_("Card or cluster"), _("Dots")],
                    [[name, str(n)] for name, n in zip(names, counts, strict=True)],
                ),
            )
        )

    def proposal(self, pid: int | str) -> str:
        """A proposal as the rounds name it; a reframing's first one, the framing the workshop
        started from, is marked as such, so its figure reads as the baseline it is."""
        found = next((p for p in self.summary.proposals if p.id == int(pid)), None)
        if found is None:
            return f"#{pid}"
        if found.seeded_from_id is None:
            return found.text
        marker = self._("the starting point this workshop began from")
        return f"{found.text} ({marker})"

    def redrafts(self, add: Add) -> None:
        """Each redraft: the objections, the variants that answered them, the room's ranking
        (Schulze) and the agreement it gained — overall and per group as the rounds showed it."""
        _ = self._
        if not self.summary.redrafts:
            return
        add(Heading(2, _("Redrafts")))
        for n, r in enumerate(self.summary.redrafts, start=1):
            kind = _("Why") if r.kind == "waarom" else _("Mission")
            add(Heading(3, _("%(kind)s, redraft %(n)s") % {"kind": kind, "n": n}))
            if r.objections:
                add(Paragraph(_("Objections in round %(n)s:") % {"n": r.round_number or "—"}))
                add(Items(list(r.objections)))
            place = {vid: i for i, vid in enumerate(r.result.order, start=1)}
            add(
                Table(
                    [_("Variant"), _("Answers the objection"), _("Place in the ranking")],
                    [
                        [
                            v.text + (" ✓" if v.won else ""),
                            "; ".join(v.answers) or "—",
                            str(place.get(v.id, "—")),
                        ]
                        for v in r.variants
                    ],
                )
            )
            ranked = _("%(n)s people ranked the variants; the Schulze method chose the winner.")
            add(Paragraph(ranked % {"n": r.result.rankers}))
            if r.result.ties_broken:
                tie = _("A tie was broken: more first places, then the variant written first.")
                add(Paragraph(tie))
            if r.gained is not None and r.agree_before is not None and r.agree_after is not None:
                add(
                    Paragraph(
                        _("Agreement (4–5) went from %(before)s to %(after)s in round %(n)s.")
                        % {
                            "before": f"{round(r.agree_before * 100)}%",
                            "after": f"{round(r.agree_after * 100)}%",
                            "n": r.next_round_number,
                        }
                    )
                )
            else:
                add(Paragraph(_("The winning variant has not been rated yet.")))
            if r.by_group:
                add(
                    Table(
                        [_("Group"), _("Before"), _("After")],
                        [
                            [
                                self.group(g.group),
                                f"{round(g.before * 100)}%",
                                f"{round(g.after * 100)}%",
                            ]
                            for g in r.by_group
                        ],
                    )
                )

    def agreement(self, measured: Convergence) -> str:
        """The share of 4–5, or "not rated": nobody rating a proposal is not 0% agreement."""
        if not measured.raters:
            return self._("not rated")
        return f"{round(measured.agree_share * 100)}%"

    def rounds(self, add: Add) -> None:
        summary = self.summary
        _ = self._
        add(Heading(2, _("Agreement rounds")))
        if not summary.rounds:
            add(Paragraph(_("No agreement rounds were held.")))
            return
        for kind, name in (("waarom", _("Why")), ("opgave", _("Mission"))):
            held = [r for r in summary.rounds if r.kind == kind]
            if not held:
                continue
            order = list(dict.fromkeys(int(pid) for r in held for pid in r.figures))
            if not order:
                continue
            texts = [self.proposal(p) for p in order]
            series = [_("Round %(n)s") % {"n": r.number} for r in held]
            measured: list[list[Convergence | None]] = [
                [r.figures.get(str(p)) for r in held] for p in order
            ]
            values: list[list[float | None]] = [
                [m.agree_share if m is not None and m.raters else None for m in row]
                for row in measured
            ]
            notes = {
                (c, s): _("not rated")
                for c, row in enumerate(measured)
                for s, m in enumerate(row)
                if m is not None and not m.raters
            }
            add(
                Chart(
                    title=_("%(kind)s: agreement (4–5) per proposal, per round") % {"kind": name},
                    description=_(
                        "The share of raters who gave 4 or 5, for each proposal in each round "
                        "it was in."
                    ),
                    categories=texts,
                    series=series,
                    values=values,
                    percent=True,
                    notes=notes,
                    table=Table(
                        [_("Proposal"), *series],
                        [
                            [text, *(self.agreement(m) if m is not None else "—" for m in row)]
                            for text, row in zip(texts, measured, strict=True)
                        ],
                        notes=frozenset({_("not rated")}),
                    ),
                )
            )
        for round_ in summary.rounds:
            kind = _("Why") if round_.kind == "waarom" else _("Mission")
            add(Heading(3, _("%(kind)s, round %(n)s") % {"kind": kind, "n": round_.number}))
            rows = []
            reasons = []
            for pid, figures in round_.figures.items():
                text = self.proposal(pid)
                rows.append(
                    [
                        text,
                        self.agreement(figures),
                        f"{figures.raters}/{round_.eligible}",
                        " ".join(str(n) for n in figures.counts),
                        str(figures.objections),
                        _("yes") if figures.converged else _("no"),
                    ]
                )
                several = len(round_.figures) > 1
                # "Proposal text: reason", without the proposal's own full stop before the colon.
                about = text.rstrip().rstrip(".")
                reasons += [f"{about}: {r}" if several else r for r in figures.objection_reasons]
            headers = [
                _("Proposal"),
                _("Agree (4–5)"),
                _("Rated"),
                _("1 2 3 4 5"),
                _("Objections"),
                _("Converged"),
            ]
            add(Table(headers, rows, notes=frozenset({_("not rated")})))
            if reasons:
                add(Paragraph(_("Reasons given with objections:")))
                add(Items(reasons))

"""Reframing (SSD step 3): what changed between two vertrekpunten of one trajectory.

Both sides are saved records (see :mod:`app.workshops.vertrekpunt`), so the comparison needs no
database and still works after the older workshop's participants have been anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.labels import N_


class ListChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    added: list[str]
    removed: list[str]
    kept: list[str]


class TextChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before: str
    after: str
    changed: bool


class Difference(BaseModel):
    """What a reframing changed: the why, the mission and its scope, and who was at the table."""

    model_config = ConfigDict(extra="forbid")

    waarom: TextChange
    opgave: TextChange
    in_scope: ListChange
    out_of_scope: ListChange
    core_themes: ListChange
    groups_present: ListChange
    groups_missing: ListChange


@dataclass(frozen=True)
class Moves:
    """One kind of change and its items: ``label`` is a message id (the reader translates it),
    ``groups`` says the items are stakeholder groups (the reader shows their names)."""

    label: str
    items: list[str]
    groups: bool = False


def moves(c: Difference) -> list[Moves]:
    """The changes of scope, themes and table as lines to show, complete and in one order — the
    one list the trajectory page and every export read.

    An item that crossed the line between in and out of scope is one move, said once, not
    "now in scope" and "no longer out of scope" as two changes.
    """
    moved_in = [x for x in c.in_scope.added if x in c.out_of_scope.removed]
    moved_out = [x for x in c.in_scope.removed if x in c.out_of_scope.added]
    crossed = {*moved_in, *moved_out}

    def left(items: list[str]) -> list[str]:
        return [x for x in items if x not in crossed]

    found = [
        Moves(N_("Moved from out of scope into scope:"), moved_in),
        Moves(N_("Moved from in scope to out of scope:"), moved_out),
        Moves(N_("Now in scope:"), left(c.in_scope.added)),
        Moves(N_("No longer in scope:"), left(c.in_scope.removed)),
        Moves(N_("Now out of scope:"), left(c.out_of_scope.added)),
        Moves(N_("No longer out of scope:"), left(c.out_of_scope.removed)),
        Moves(N_("New core theme:"), c.core_themes.added),
        Moves(N_("Core theme dropped:"), c.core_themes.removed),
        Moves(N_("Newly at the table:"), c.groups_present.added, groups=True),
        Moves(N_("No longer at the table:"), c.groups_present.removed, groups=True),
        Moves(N_("Now missing at the table:"), c.groups_missing.added, groups=True),
        Moves(N_("No longer missing:"), c.groups_missing.removed, groups=True),
    ]
    return [m for m in found if m.items]


def _text(before: str, after: str) -> TextChange:
    return TextChange(before=before, after=after, changed=before.strip() != after.strip())


def _lists(before: list[str], after: list[str]) -> ListChange:
    return ListChange(
        added=[x for x in after if x not in before],
        removed=[x for x in before if x not in after],
        kept=[x for x in after if x in before],
    )


def difference(old: dict[str, Any], new: dict[str, Any]) -> Difference:
    """Compare two vertrekpunt records, older first."""
    old_opgave, new_opgave = old["opgave"], new["opgave"]
    old_rep, new_rep = old["representation"], new["representation"]
    return Difference(
        waarom=_text(old["waarom"]["text"], new["waarom"]["text"]),
        opgave=_text(old_opgave["text"], new_opgave["text"]),
        in_scope=_lists(old_opgave["in_scope"], new_opgave["in_scope"]),
        out_of_scope=_lists(old_opgave["out_of_scope"], new_opgave["out_of_scope"]),
        core_themes=_lists(old_opgave["core_themes"], new_opgave["core_themes"]),
        groups_present=_lists(sorted(old_rep["present"]), sorted(new_rep["present"])),
        groups_missing=_lists(old_rep["missing"], new_rep["missing"]),
    )

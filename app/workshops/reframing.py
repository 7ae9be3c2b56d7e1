"""Reframing (SSD step 3): what changed between two vertrekpunten of one trajectory.

Both sides are saved records (see :mod:`app.workshops.vertrekpunt`), so the comparison needs no
database and still works after the older workshop's participants have been anonymised.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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

"""The "new workshop" form on the trajectory page: a template or an own agenda with minutes per
step, the thresholds, anonymity, language, the SSD step and the planned start.

Reading the form gives either a :class:`NewWorkshop` to create, or the facilitator's input back
(:class:`WorkshopDraft`) with what is wrong, so the page can show the form again as it was typed.
The agenda editor works without JavaScript as a list of steps, each with its minutes, plus empty
rows to add steps; ``static/js/agenda_form.js`` adds moving, repeating and removing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from app.labels import N_
from app.types import Phase
from app.workshops.models import WorkshopSettings
from app.workshops.presets import PRESETS, TYPICAL_MINUTES, Plan, Preset
from app.workshops.window_times import LONGEST_WINDOW

#: The radio value for an agenda built by hand instead of a template.
CUSTOM = "custom"
DEFAULT_PRESET = "startbijeenkomst"
MAX_STEPS = 30
MAX_MINUTES = 240
#: Empty rows under the agenda, to add steps without JavaScript.
SPARE_ROWS = 3
DEFAULTS = WorkshopSettings()


def _zone() -> tzinfo:
    """The facilitator's clock. Workshops are held in the Netherlands; a server without time
    zone data falls back to UTC rather than failing."""
    try:
        return ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the host's tzdata
        from datetime import UTC

        return UTC


LOCAL_ZONE = _zone()


@dataclass
class Row:
    """One agenda step as typed: the phase ("" for an empty row) and its minutes."""

    phase: str
    minutes: str


@dataclass
class Problem:
    """What is wrong, as a message id with its values, and the form field it is about."""

    about: str
    message: str
    values: dict[str, Any] = field(default_factory=dict)


def _percent(share: float) -> str:
    return str(round(share * 100))


@dataclass
class WorkshopDraft:
    """The form's values as typed (all strings), for drawing it again."""

    title: str = ""
    theme_question: str = ""
    preset: str = DEFAULT_PRESET
    rows: list[Row] = field(
        default_factory=lambda: [Row(p.value, str(m)) for p, m in PRESETS[DEFAULT_PRESET].steps]
    )
    language: str = "nl"
    anonymous: bool = False
    admit: bool = False
    reframe: bool = False
    ssd_step: str = ""
    starts_at: str = ""
    before_opens_at: str = ""
    before_closes_at: str = ""
    agree_share: str = _percent(DEFAULTS.agree_share)
    min_participation: str = _percent(DEFAULTS.min_participation)
    allow_objections: str = str(DEFAULTS.allow_objections)
    carried_by_every_group: bool = DEFAULTS.carried_by_every_group
    group_agree_share: str = _percent(DEFAULTS.group_agree_share)
    dot_budget: str = str(DEFAULTS.dot_budget)
    problems: list[Problem] = field(default_factory=list)

    def invalid(self, name: str) -> bool:
        return any(p.about == name for p in self.problems)


@dataclass(frozen=True)
class NewWorkshop:
    title: str
    theme_question: str
    plan: Plan
    settings: WorkshopSettings
    starts_at: datetime | None


def preset_steps(preset: Preset) -> str:
    """A template's steps as JSON, for the script that fills the editor when it is chosen."""
    return json.dumps([[phase.value, minutes] for phase, minutes in preset.steps])


def _share(typed: str, default: float) -> float | None:
    """A percentage as a share; the default's rounded percentage means the exact default (⅔
    shown as 67 must stay ⅔, or 2 of 3 people would no longer be enough)."""
    try:
        percent = int(typed)
    except ValueError:
        return None
    if percent == round(default * 100):
        return default
    return percent / 100 if 1 <= percent <= 100 else None


def _whole(typed: str, low: int, high: int) -> int | None:
    try:
        number = int(typed)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _rows(draft: WorkshopDraft) -> tuple[list[Phase], list[int]]:
    phases: list[Phase] = []
    minutes: list[int] = []
    for number, row in enumerate((r for r in draft.rows if r.phase), start=1):
        try:
            phase = Phase(row.phase)
        except ValueError:
            draft.problems.append(
                Problem("agenda", N_("Step %(n)s is not a known step."), {"n": number})
            )
            continue
        length = _whole(row.minutes, 1, MAX_MINUTES) if row.minutes else TYPICAL_MINUTES[phase]
        if length is None:
            draft.problems.append(
                Problem(
                    "agenda",
                    N_("Step %(n)s: give the minutes as a whole number from 1 to %(max)s."),
                    {"n": number, "max": MAX_MINUTES},
                )
            )
            continue
        phases.append(phase)
        minutes.append(length)
    if not phases and not draft.problems:
        draft.problems.append(Problem("agenda", N_("The agenda needs at least one step.")))
    if len(phases) > MAX_STEPS:
        draft.problems.append(
            Problem("agenda", N_("An agenda has at most %(n)s steps."), {"n": MAX_STEPS})
        )
    return phases, minutes


def _moment(draft: WorkshopDraft, typed: str) -> datetime | None:
    """A date and time as typed in the facilitator's clock, with its zone."""
    if not typed:
        return None
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        draft.problems.append(
            Problem(
                "before_window", N_("Give the window to send in beforehand as dates and times.")
            )
        )
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_ZONE)


def _before_window(draft: WorkshopDraft) -> tuple[str | None, str | None]:
    """The before-window's two moments; both or neither, the closing after the opening."""
    opens = _moment(draft, draft.before_opens_at)
    closes = _moment(draft, draft.before_closes_at)
    if draft.invalid("before_window"):
        return None, None
    if opens is None or closes is None:
        if opens is not None or closes is not None:
            draft.problems.append(
                Problem(
                    "before_window", N_("Give both when sending in beforehand opens and closes.")
                )
            )
        return None, None
    if closes <= opens:
        message = N_("Sending in beforehand must close after it opens.")
    elif closes - opens > LONGEST_WINDOW:
        message = N_("Sending in beforehand can be open for 92 days at most.")
    else:
        return opens.isoformat(), closes.isoformat()
    draft.problems.append(Problem("before_window", message))
    return None, None


def _settings(draft: WorkshopDraft) -> WorkshopSettings | None:
    agree = _share(draft.agree_share, DEFAULTS.agree_share)
    participation = _share(draft.min_participation, DEFAULTS.min_participation)
    objections = _whole(draft.allow_objections, 0, 100)
    group_agree = _share(draft.group_agree_share, DEFAULTS.group_agree_share)
    budget = _whole(draft.dot_budget, 1, 50)
    checks = (
        ("agree_share", agree, N_("Give the agreement needed as a percentage from 1 to 100.")),
        (
            "min_participation",
            participation,
            N_("Give the participation needed as a percentage from 1 to 100."),
        ),
        (
            "allow_objections",
            objections,
            N_("Give the objections allowed as a whole number from 0 to 100."),
        ),
        (
            "group_agree_share",
            group_agree,
            N_("Give the agreement needed in each group as a percentage from 1 to 100."),
        ),
        ("dot_budget", budget, N_("Give the dots per person as a whole number from 1 to 50.")),
    )
    for name, value, message in checks:
        if value is None:
            draft.problems.append(Problem(name, message))
    opens, closes = _before_window(draft)
    if (
        agree is None
        or participation is None
        or objections is None
        or group_agree is None
        or budget is None
    ):
        return None
    try:
        return WorkshopSettings(
            anonymous=draft.anonymous,
            admit=draft.admit,
            language=draft.language,
            agree_share=agree,
            min_participation=participation,
            allow_objections=objections,
            carried_by_every_group=draft.carried_by_every_group,
            group_agree_share=group_agree,
            dot_budget=budget,
            before_opens_at=opens,
            before_closes_at=closes,
        )
    except ValidationError:  # pragma: no cover - the checks above keep every field in range
        draft.problems.append(Problem("agree_share", N_("Check the thresholds.")))
        return None


def _starts_at(draft: WorkshopDraft) -> datetime | None:
    if not draft.starts_at:
        return None
    try:
        moment = datetime.fromisoformat(draft.starts_at)
    except ValueError:
        draft.problems.append(
            Problem("starts_at", N_("Give the planned start as a date and a time."))
        )
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_ZONE)


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def read(form: Any) -> tuple[WorkshopDraft, NewWorkshop | None]:
    """The form as typed, and the workshop to create when nothing is wrong.

    A form without a template (an API-like post, an older page) gets the full default agenda.
    """
    phases = [p for p in form.getlist("step_phase") if isinstance(p, str)]
    minutes = [m for m in form.getlist("step_minutes") if isinstance(m, str)]
    minutes += [""] * (len(phases) - len(minutes))
    preset = _text(form, "preset", 40) or CUSTOM
    draft = WorkshopDraft(
        title=_text(form, "title", 200),
        theme_question=_text(form, "theme_question", 1000),
        preset=preset,
        rows=[Row(p.strip(), m.strip()) for p, m in zip(phases, minutes, strict=False)]
        or ([] if preset != CUSTOM else [Row(p.value, "") for p in Phase]),
        language="en" if form.get("language") == "en" else "nl",
        anonymous=form.get("anonymous") == "on",
        admit=form.get("admit") == "on",
        reframe=form.get("reframe") == "on",
        ssd_step=_text(form, "ssd_step", 1),
        starts_at=_text(form, "starts_at", 40),
        before_opens_at=_text(form, "before_opens_at", 40),
        before_closes_at=_text(form, "before_closes_at", 40),
        agree_share=_text(form, "agree_share", 10) or _percent(DEFAULTS.agree_share),
        min_participation=_text(form, "min_participation", 10)
        or _percent(DEFAULTS.min_participation),
        allow_objections=_text(form, "allow_objections", 10) or str(DEFAULTS.allow_objections),
        carried_by_every_group=form.get("carried_by_every_group") == "on",
        group_agree_share=_text(form, "group_agree_share", 10)
        or _percent(DEFAULTS.group_agree_share),
        dot_budget=_text(form, "dot_budget", 10) or str(DEFAULTS.dot_budget),
    )
    if not draft.title:
        draft.problems.append(Problem("title", N_("A workshop needs a title.")))
    chosen = PRESETS.get(preset)
    if chosen is None and preset != CUSTOM:
        draft.problems.append(Problem("preset", N_("Choose a template or your own agenda.")))
    agenda, lengths = _rows(draft) if chosen is None else ([], [])
    ssd_step = _whole(draft.ssd_step, 1, 5) if draft.ssd_step else None
    if draft.ssd_step and ssd_step is None:
        draft.problems.append(Problem("ssd_step", N_("Choose one of the five steps.")))
    settings = _settings(draft)
    starts_at = _starts_at(draft)
    if draft.problems or settings is None:
        return draft, None
    plan = Plan.from_request(
        chosen,
        agenda=agenda or None,
        minutes=lengths or None,
        reframe=True if draft.reframe else None,
        ssd_step=ssd_step,
    )
    return draft, NewWorkshop(
        title=draft.title,
        theme_question=draft.theme_question,
        plan=plan,
        settings=settings,
        starts_at=starts_at,
    )

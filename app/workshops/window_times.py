"""The before-window's two moments as settings: one spelling (UTC with ``Z``), and what makes sense.

Kept apart from :mod:`app.workshops.before_window` (which opens and closes the window for
commands) because :class:`app.workshops.models.WorkshopSettings` validates with it, and the
models must not import the command layer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: A window longer than this is a typing error (a year instead of a month), not a plan.
LONGEST_WINDOW = timedelta(days=92)


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment with its time zone, as an aware UTC datetime.

    A moment without a zone is refused: the server cannot know whose 9 o'clock it means (the
    forms convert the facilitator's local time before they send it).
    """
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date and time (ISO 8601).") from exc
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone; add Z for UTC or an offset like +02:00.")
    return moment.astimezone(UTC)


def normalised(value: str | None) -> str | None:
    """``value`` as ``YYYY-MM-DDTHH:MM:SSZ``; empty means no moment."""
    if value is None or not value.strip():
        return None
    return parse_moment(value).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_window(opens: str | None, closes: str | None) -> None:
    """Both moments or neither, the closing after the opening, and not absurdly long."""
    if (opens is None) != (closes is None):
        raise ValueError(
            "The window to send in beforehand needs both a moment it opens and one it closes."
        )
    if opens is None or closes is None:
        return
    start, end = parse_moment(opens), parse_moment(closes)
    if end <= start:
        raise ValueError("The window to send in beforehand must close after it opens.")
    if end - start > LONGEST_WINDOW:
        raise ValueError("The window to send in beforehand can be open for at most 92 days.")

"""Dates as the record writes them: "7 december 2026", "7 December 2026", never "2026-12-07".

One helper for every format (the document of PDF, Word, OpenDocument, HTML and Markdown, and the
spreadsheet), so a verslag never mixes an ISO date into its prose. A moment is written as the day
it was in Dutch time (the workshops happen in the Netherlands): a summary made at 23:30 UTC on
6 December is dated 7 December. Machine formats (JSON, CSV, file names) keep ISO dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date

from app.web.workshop_form import LOCAL_ZONE

#: The locale each export language writes its dates in: British English writes "7 December
#: 2026" (day first, as the Dutch do), where American English would write "December 7, 2026".
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def day_of(value: str | date | datetime) -> date:
    """The calendar day of an ISO date ("2026-12-07") or moment ("2026-12-06T23:30:00Z"),
    a moment as the day it is in Dutch time."""
    if isinstance(value, str):
        value = (
            date.fromisoformat(value)
            if len(value) == 10
            else datetime.fromisoformat(value.replace("Z", "+00:00"))
        )
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(LOCAL_ZONE).date()
    return value


def long_date(value: str | date | datetime, language: str) -> str:
    """The day in words in ``language``: "7 december 2026" (nl), "7 December 2026" (en)."""
    return format_date(day_of(value), format="long", locale=LOCALES.get(language, "nl_NL"))

"""The record's cover: the organisation's name and logo from the theme (``ATELIER_THEME_DIR``).

A verslag leaves the room and is filed, forwarded and printed: it carries the name of the
organisation that held the workshop, and its logo, above the title. The PDF, Word, OpenDocument
and HTML records have a cover (``cover=True`` on their record in :mod:`app.exports.registry`);
Markdown, JSON and the tables are data and have none. Without a theme there is no cover and the
records are as they always were. The logo is the theme's PNG, decoded and re-encoded at start
(:mod:`app.theme_logo`): none of the document libraries can draw an SVG, so a theme with only
``logo.svg`` gives a cover with the name alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.theme import Theme

#: How tall the logo stands on the cover of the PDF, Word and OpenDocument records.
LOGO_HEIGHT_CM = 1.5


@dataclass(frozen=True)
class Cover:
    """What the cover shows: the organisation's name, and its logo as PNG if it has one."""

    name: str
    logo: bytes | None = None
    #: The logo's proportions (its pixels), to size it without decoding it again.
    width: float = 1.0
    height: float = 1.0

    @property
    def logo_width_cm(self) -> float:
        return LOGO_HEIGHT_CM * self.width / self.height

    @property
    def logo_uri(self) -> str | None:
        """The logo as a ``data:`` address, for the self-contained HTML record."""
        if self.logo is None:
            return None
        return "data:image/png;base64," + base64.b64encode(self.logo).decode("ascii")


def cover_of(theme: Theme | None) -> Cover | None:
    """The cover of every record this server makes: ``None`` without a theme."""
    if theme is None:
        return None
    if theme.raster is None:
        return Cover(theme.name)
    return Cover(theme.name, theme.raster.data, theme.raster.width, theme.raster.height)

"""The contrast rule a theme must pass: WCAG 2.2's contrast ratio between pairs of its colours.

A theme changes every page's colours at once, for residents on a phone in the sun and for the
back row in front of a projector, so it is checked before the app starts: text against what it
stands on at least 4.5:1 (success criterion 1.4.3), borders of fields and the focus indicator
at least 3:1 (1.4.11). A theme that fails is refused with a sentence that names the pair and
its ratio, rather than corrected: a corrected colour is a colour the organisation did not
choose, and the operator learns nothing from a look that quietly differs from their house style.

The arithmetic is WCAG's own definition of relative luminance (sRGB, linearised), a dozen lines;
a dependency for it would weigh more than the formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ``#rgb`` or ``#rrggbb``: what design tokens carry for a colour, and all a theme may give.
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

TEXT = 4.5
NON_TEXT = 3.0


def parse_colour(value: str) -> tuple[int, int, int]:
    """``#1b1b1b`` or ``#fff`` as red, green and blue from 0 to 255; ValueError otherwise."""
    text = value.strip()
    if not HEX_COLOUR.fullmatch(text):
        raise ValueError(f"{value!r} is not a colour as #rrggbb or #rgb")
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in parse_colour(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same colour) to 21 (black on white); the order of the two does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Pair:
    """Two of the app's colours that meet on a page, and the ratio they need."""

    foreground: str
    background: str
    minimum: float
    #: Where they meet, for the refusal's sentence.
    where: str


#: Every pair of the app's own colours (custom properties in ``app/static/app.css``) that meet
#: on the phone, the projector or the console. The focus outline is drawn with a ring in the
#: text colour around it (``:focus-visible`` in app.css), so the outline must stand out from that
#: ring, and the ring, as text, stands out from the page.
PAIRS: tuple[Pair, ...] = (
    Pair("--fg", "--bg", TEXT, "text on the page"),
    Pair("--fg", "--surface", TEXT, "text on a panel"),
    Pair("--muted", "--bg", TEXT, "hints on the page"),
    Pair("--muted", "--surface", TEXT, "hints on a panel"),
    Pair("--link", "--bg", TEXT, "links on the page"),
    Pair("--accent", "--bg", TEXT, "headings, the name and outlined buttons on the page"),
    Pair("--accent-fg", "--accent", TEXT, "text on a button"),
    Pair("--accent-fg", "--error", TEXT, "text on a button that deletes"),
    Pair("--error", "--bg", TEXT, "error messages on the page"),
    Pair("--ok", "--bg", TEXT, "confirmations on the page"),
    Pair("--warn", "--bg", TEXT, "warnings on the page, and the page colour on a warning"),
    Pair("--line", "--bg", NON_TEXT, "borders of fields and cards on the page"),
    Pair("--focus", "--fg", NON_TEXT, "the focus outline against the ring around it"),
)


@dataclass(frozen=True)
class Failure:
    """A pair below its ratio, as the operator reads it."""

    pair: Pair
    foreground: str
    background: str
    ratio: float

    def sentence(self, names: dict[str, str]) -> str:
        """E.g. ``--utrecht-link-color #7799bb on --utrecht-document-background-color #ffffff
        (links on the page) has a contrast of 2.9:1; at least 4.5:1 is needed``."""
        fore = names.get(self.pair.foreground, self.pair.foreground)
        back = names.get(self.pair.background, self.pair.background)
        return (
            f"{fore} {self.foreground} on {back} {self.background} ({self.pair.where}) has a "
            f"contrast of {floor(self.ratio)}:1; at least {self.pair.minimum:g}:1 is needed"
        )


def floor(ratio: float) -> str:
    """One decimal, rounded down: a ratio of 4.48 is shown as 4.4, never as a passing 4.5."""
    return f"{int(ratio * 10) / 10:.1f}"


def failures(colours: dict[str, str]) -> list[Failure]:
    """The pairs of :data:`PAIRS` whose colours (app property to ``#hex``) fall short."""
    out = []
    for pair in PAIRS:
        fore, back = colours[pair.foreground], colours[pair.background]
        ratio = contrast_ratio(fore, back)
        if ratio < pair.minimum:
            out.append(Failure(pair, fore, back, ratio))
    return out

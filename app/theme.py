"""An organisation's own look: its name, logo and colours, from one folder (``ATELIER_THEME_DIR``).

The folder holds ``theme.json`` (the name, and colours as NL Design System design tokens) and
``logo.svg`` and/or ``logo.png``. It is read once, when the settings are read
(:class:`app.settings.Settings`), and checked whole before anything uses it: an unknown token, a
colour that is not ``#rrggbb``, a pair of colours below WCAG 2.2 AA's contrast
(:mod:`app.theme_contrast`) or a logo that is not a plain picture (:mod:`app.theme_logo`) stops
the start with a sentence naming the problem, so no page ever shows half a theme.

The colours reach the pages as a small style sheet of custom properties under the tokens' own
names (``--utrecht-document-color: #…``). ``app/static/app.css`` maps each token onto the app's
own property with the app's colour as the fallback (``--fg: var(--utrecht-document-color,
#1b1b1b)``), so an install without a theme links no extra file and looks as it always did. The
pages link the style sheet and the logo under an address with the theme's version
(:mod:`app.web.theme`), cached for a year like the static files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.theme_contrast import failures, parse_colour
from app.theme_logo import Logo, LogoError, load_png, load_svg


class ThemeError(ValueError):
    """The theme folder cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Token:
    """One colour an operator may set: the design token's name, the app's custom property it
    becomes, the app's own colour when the token is not set, and what it colours."""

    name: str
    prop: str
    #: ``#rrggbb``, or another app property whose colour it takes when the token is not set.
    default: str
    meaning: str


#: Every token a theme may set. The names are NL Design System's (the Utrecht component tokens
#: that organisations' themes publish) where one exists; the panel colour has none, and is the
#: app's own. ``tests/test_theme.py`` holds the defaults to ``app/static/app.css``.
TOKENS: tuple[Token, ...] = (
    Token("--utrecht-document-color", "--fg", "#1b1b1b", "text"),
    Token("--utrecht-document-background-color", "--bg", "#ffffff", "the page"),
    Token(
        "--atelier-surface-background-color",
        "--surface",
        "#f3f5f7",
        "panels, notes and rows set apart from the page",
    ),
    Token("--utrecht-form-field-description-color", "--muted", "#4a525a", "hints and details"),
    Token(
        "--utrecht-button-primary-action-background-color",
        "--accent",
        "#0b4f8a",
        "buttons, the line under the header, the name, headings on the projector",
    ),
    Token("--utrecht-button-primary-action-color", "--accent-fg", "#ffffff", "text on buttons"),
    Token("--utrecht-link-color", "--link", "--accent", "links"),
    Token(
        "--utrecht-form-control-border-color", "--line", "#5c6670", "borders of fields and cards"
    ),
    Token("--utrecht-focus-outline-color", "--focus", "#ffbf47", "the focus outline"),
    Token("--utrecht-feedback-danger-color", "--error", "#a4000f", "errors, deleting"),
    Token("--utrecht-feedback-safe-color", "--ok", "#0a6b2f", "confirmations, connected"),
    Token("--utrecht-feedback-warning-color", "--warn", "#8a4b00", "warnings, reconnecting"),
)
BY_NAME = {token.name: token for token in TOKENS}
#: The design token behind each app property, for the refusal's sentence.
TOKEN_OF = {token.prop: token.name for token in TOKENS}

THEME_FILE = "theme.json"
LOGO_FILES = ("logo.svg", "logo.png")


class ThemeFile(BaseModel):
    """``theme.json``. Nothing else is allowed in it, so a misspelt key is an error."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    tokens: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Theme:
    """A checked theme, as the pages and the exports use it."""

    #: The organisation, as the header and the exports' cover name it.
    name: str
    #: The tokens the operator set, by name, as ``#rrggbb`` or ``#rgb``.
    tokens: dict[str, str]
    #: For the pages: the SVG if there is one, else the PNG.
    logo: Logo | None
    #: For the exports, which cannot draw an SVG.
    raster: Logo | None
    css: bytes = field(init=False)
    #: A hash of everything served, in the addresses: a changed theme gets new addresses.
    version: str = field(init=False)

    def __post_init__(self) -> None:
        css = style_sheet(self.name, self.tokens).encode()
        digest = hashlib.sha256(css)
        for logo in (self.logo, self.raster):
            digest.update(logo.data if logo else b"\0")
        object.__setattr__(self, "css", css)
        object.__setattr__(self, "version", digest.hexdigest()[:12])

    @property
    def css_url(self) -> str:
        return f"/theme/{self.version}/theme.css"

    @property
    def logo_url(self) -> str | None:
        return f"/theme/{self.version}/logo.{self.logo.extension}" if self.logo else None


def colours(tokens: dict[str, str]) -> dict[str, str]:
    """Every app property's colour under these tokens: the token's, else the app's own."""
    out: dict[str, str] = {}
    for token in TOKENS:
        value = tokens.get(token.name, token.default)
        out[token.prop] = value
    for token in TOKENS:  # a default that names another property takes that one's colour
        if out[token.prop].startswith("--"):
            out[token.prop] = out[out[token.prop]]
    return out


def style_sheet(name: str, tokens: dict[str, str]) -> str:
    """The tokens as custom properties on the root (values are checked colours, names known
    tokens: nothing from the file reaches the sheet but those)."""
    lines = [f"  {token}: {value};" for token, value in tokens.items()]
    title = name.replace("*/", "* /")
    return (
        f"/* {title}: ATELIER_THEME_DIR (docs/theming.md) */\n:root {{\n"
        + "\n".join(lines)
        + "\n}\n"
    )


def load_theme(folder: Path) -> Theme:
    """The theme in ``folder``, checked whole, or :class:`ThemeError` saying what is wrong."""
    if not folder.is_dir():
        raise ThemeError(f"ATELIER_THEME_DIR: no such folder: {folder}")
    source = folder / THEME_FILE
    if not source.is_file():
        raise ThemeError(f"ATELIER_THEME_DIR: {source} is missing (the name and the colours)")
    try:
        parsed = ThemeFile.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ThemeError(f"{source}: not valid JSON ({error})") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}"
            for e in error.errors()
        )
        raise ThemeError(f"{source}: {problems}") from None
    tokens = {name.strip(): value.strip() for name, value in parsed.tokens.items()}
    for name, value in tokens.items():
        if name not in BY_NAME:
            raise ThemeError(
                f"{source}: {name} is not a token a theme can set; they are: " + ", ".join(BY_NAME)
            )
        try:
            parse_colour(value)
        except ValueError as error:
            raise ThemeError(f"{source}: {name}: {error}") from None
    failed = failures(colours(tokens))
    if failed:
        # A token the theme leaves out still has a colour (the app's): say so, or the operator
        # looks in vain for it in their file.
        names = {
            prop: name if name in tokens else f"{name} (not set: the app's)"
            for prop, name in TOKEN_OF.items()
        }
        raise ThemeError(
            f"{source}: too little contrast (WCAG 2.2 AA): "
            + "; ".join(f.sentence(names) for f in failed)
            + ". Choose darker or lighter colours for these tokens."
        )
    return Theme(name=parsed.name.strip(), tokens=tokens, **_logos(folder))


def _logos(folder: Path) -> dict[str, Logo | None]:
    strays = sorted(
        p.name for p in folder.glob("logo.*") if p.name not in LOGO_FILES and p.is_file()
    )
    if strays:
        raise ThemeError(f"{folder / strays[0]}: a logo is logo.svg or logo.png")
    try:
        svg = load_svg(folder / "logo.svg") if (folder / "logo.svg").is_file() else None
        png = load_png(folder / "logo.png") if (folder / "logo.png").is_file() else None
    except LogoError as error:
        raise ThemeError(str(error)) from None
    return {"logo": svg or png, "raster": png}

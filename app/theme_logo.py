"""The organisation's logo from the theme folder: checked once at start, kept as safe bytes.

Two forms, both optional. ``logo.png`` is decoded and re-encoded with Pillow (the app's image
library, as for photos): what is served is pixels the app wrote itself, without the file's
metadata, and the exports embed the same PNG. ``logo.svg`` stays sharp on a projector, but an
SVG is a document that can carry scripts and fetch other files; Pillow cannot draw it, so it is
checked instead: no DOCTYPE or entities, no script, no event attribute, no embedded HTML, no
reference outside the file. It is then served with a policy that forbids everything but its own
inline styles and sandboxes it (``LOGO_POLICY``), so even a check that missed something could not
run in the app's origin; in the pages it is an ``<img>``, where browsers never run an SVG's
scripts anyway. The exports cannot draw an SVG either: they show the PNG, or only the name.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

#: The logo is a mark in a header line, not a photo: a larger file is a mistake.
MAX_SVG_BYTES = 256 * 1024
MAX_PNG_BYTES = 1024 * 1024
MAX_PNG_SIDE = 2000
#: Re-encoded no larger than this: a header shows it 3 rem high, a projector a little more.
KEPT_PNG_HEIGHT = 400

#: Sent with the logo itself: opened on its own, an SVG runs nothing and loads nothing.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

SVG_NS = "{http://www.w3.org/2000/svg}"
#: Elements that run code, embed another document or pull in other files.
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(px)?\s*")


class LogoError(ValueError):
    """The logo cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Logo:
    """A logo as it is served: its bytes, type and proportions (width and height in its own
    units, for the space the pages keep for it)."""

    data: bytes
    media_type: str
    extension: str
    width: float
    height: float


def load_png(path: Path) -> Logo:
    """``logo.png`` decoded, bounded and re-encoded without its metadata, or :class:`LogoError`."""
    from PIL import Image, UnidentifiedImageError

    data = path.read_bytes()
    if len(data) > MAX_PNG_BYTES:
        raise LogoError(f"{path}: {len(data)} bytes; a logo may be at most {MAX_PNG_BYTES} bytes")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise LogoError(f"{path}: this is not a PNG image (it is {probe.format})")
            if max(probe.size) > MAX_PNG_SIDE:
                raise LogoError(
                    f"{path}: {probe.size[0]}×{probe.size[1]} pixels; a logo may be at most "
                    f"{MAX_PNG_SIDE} pixels wide and high"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise LogoError(f"{path}: not a readable PNG image ({error})") from None
    if picture.height > KEPT_PNG_HEIGHT:
        width = max(1, round(picture.width * KEPT_PNG_HEIGHT / picture.height))
        picture = picture.resize((width, KEPT_PNG_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), "image/png", "png", picture.width, picture.height)


def load_svg(path: Path) -> Logo:
    """``logo.svg`` checked for anything that is more than a picture, or :class:`LogoError`."""
    data = path.read_bytes()
    if len(data) > MAX_SVG_BYTES:
        raise LogoError(f"{path}: {len(data)} bytes; a logo may be at most {MAX_SVG_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LogoError(f"{path}: not UTF-8 text, so not an SVG image") from None
    # Entities are how an XML file expands itself a billion times or reads other files: a logo
    # needs none, so their declaration is refused before the parser sees it.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise LogoError(f"{path}: has a DOCTYPE or ENTITY declaration; a logo may not")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise LogoError(f"{path}: not a well-formed SVG image ({error})") from None
    if root.tag != f"{SVG_NS}svg":
        raise LogoError(f"{path}: its outermost element is not <svg> in the SVG namespace")
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in FORBIDDEN_ELEMENTS:
            raise LogoError(f"{path}: has a <{name}> element; a logo may hold only a picture")
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                raise LogoError(f"{path}: has an event attribute {local}; a logo runs no script")
            if local == "href" and not value.strip().startswith("#"):
                raise LogoError(
                    f"{path}: refers to {value.strip()[:60]!r}; a logo may refer only to "
                    "parts of itself (#id)"
                )
        if name == "style" and element.text and re.search(r"url\(\s*['\"]?[^#'\"\s]", element.text):
            raise LogoError(f"{path}: its style loads another file; a logo may not")
    width, height = _proportions(root, path)
    return Logo(data, "image/svg+xml", "svg", width, height)


def _proportions(root: ElementTree.Element, path: Path) -> tuple[float, float]:
    """Width and height from ``viewBox``, else from ``width`` and ``height`` in pixels."""
    box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
            return float(box[2]), float(box[3])
        width = _LENGTH.fullmatch(root.get("width", ""))
        height = _LENGTH.fullmatch(root.get("height", ""))
        if width and height and float(width[1]) > 0 and float(height[1]) > 0:
            return float(width[1]), float(height[1])
    except ValueError:
        pass
    raise LogoError(
        f"{path}: needs a viewBox (or a width and height in pixels), so that the pages can "
        "keep its proportions"
    )

"""Turning an uploaded file into safe, small images (Pillow).

The format is decided by the bytes, never by the name or the Content-Type. The pixel count is
checked from the header before any pixel is decoded (decompression bombs), a truncated file is
refused rather than padded, the EXIF orientation is applied, and the result is re-encoded from
pixels alone, so no metadata survives: no GPS, no camera, no embedded thumbnail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.labels import N_

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: The default cap (``ATELIER_MAX_IMAGE_PIXELS``). The phone page scales photos to at most
#: 2048 px on the long side (~4 MP) before upload; 24 MP still takes a phone's full-size photo
#: when scaling fails, while a decoded image stays under ~100 MB (RGBA). A 6300×6300 PNG of
#: 128 KB would otherwise cost ~650 MB.
MAX_PIXELS = 24_000_000
DISPLAY_EDGE = 1600
THUMB_EDGE = 400


class ImageRefused(ValueError):
    """The upload is not an image we accept; ``code`` is stable for clients."""

    def __init__(self, code: str, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.code = code
        self.message = message  # a msgid: the route translates it, then fills in ``values``
        self.values = values


@dataclass(frozen=True)
class Processed:
    display: bytes
    thumb: bytes
    width: int
    height: int


def process(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Processed:
    """Validate and re-encode an upload. CPU-heavy and memory-heavy: run it in a worker thread,
    under the app's decode limiter (``app.state.image_decodes``)."""
    try:
        # ``open`` reads only the header: the size is known before a single pixel is decoded.
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ImageRefused(
                    "unsupported_format", N_("Only JPEG, PNG and WebP photos are accepted.")
                )
            width, height = probe.size
            if width * height > max_pixels:
                raise ImageRefused(
                    "too_many_pixels",
                    N_("The photo has %(pixels)s pixels; at most %(limit)s are accepted."),
                    pixels=f"{width}×{height}",
                    limit=f"{max_pixels:,}",
                )
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale straight away; never below what the
            # display size needs. Saves most of the memory for a full-size phone photo.
            probe.draft("RGB", (DISPLAY_EDGE, DISPLAY_EDGE))
            probe.load()  # decodes fully: a truncated or corrupt file fails here
            image = ImageOps.exif_transpose(probe)
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused("too_many_pixels", N_("The photo has far too many pixels.")) from None
    except UnidentifiedImageError:
        raise ImageRefused("not_an_image", N_("This file is not a photo we can read.")) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRefused("broken_image", N_("This photo is damaged or incomplete.")) from None
    rgb = _flatten(image)
    display = _encode(rgb, DISPLAY_EDGE, quality=82)
    thumb = _encode(rgb, THUMB_EDGE, quality=75)
    return Processed(display=display, thumb=thumb, width=rgb.width, height=rgb.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only; transparency is laid on white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, edge: int, *, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image from pixels, saved without exif/icc/comment: nothing of the original survives.
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()

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

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; phones scale down before upload
DISPLAY_EDGE = 1600
THUMB_EDGE = 400


class ImageRefused(ValueError):
    """The upload is not an image we accept; ``code`` is stable for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Processed:
    display: bytes
    thumb: bytes
    width: int
    height: int


def process(data: bytes) -> Processed:
    """Validate and re-encode an upload. CPU-heavy: run it in a worker thread."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ImageRefused(
                    "unsupported_format", "Only JPEG, PNG and WebP photos are accepted."
                )
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(
                    "too_many_pixels",
                    f"The image has {width}×{height} pixels; at most {MAX_PIXELS:,} are accepted.",
                )
            probe.load()  # decodes fully: a truncated or corrupt file fails here
            image = ImageOps.exif_transpose(probe)
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused("too_many_pixels", "The image has far too many pixels.") from None
    except UnidentifiedImageError:
        raise ImageRefused("not_an_image", "This file is not a photo we can read.") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRefused("broken_image", "This photo is damaged or incomplete.") from None
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

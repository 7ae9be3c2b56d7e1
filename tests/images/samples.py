"""Real image files made by the tests themselves (Pillow), including hostile ones."""

from __future__ import annotations

import io

from PIL import Image


def jpeg_with_gps_rotated(width: int = 300, height: int = 200) -> bytes:
    """A landscape JPEG whose pixels are stored sideways, with EXIF orientation 6 and GPS.

    The left half is red and the right half blue as stored; orientation 6 means "rotate 90° clockwise
    to display", so an upright result is portrait, red on top.
    """
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = {1: "N", 2: (52.0, 22.0, 5.0), 3: "E", 4: (4.0, 53.0, 2.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_with_alpha(size: int = 120) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, size // 2, size))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def webp(size: int = 150) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 100, 0)).save(out, format="WEBP")
    return out.getvalue()


def large_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel photo-like JPEG (noise compresses like a real photo)."""
    image = Image.effect_noise((width, height), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg_with_gps_rotated(800, 600)
    return whole[: len(whole) // 2]


def decompression_bomb() -> bytes:
    """A small PNG that claims 20000×20000 pixels (400 MP): a few KB on the wire."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
TEXT_AS_JPEG = b"this is not a photo, whatever its name says\n" * 10

"""The image pipeline on real files: upright, stripped, resized, and hostile input refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.images.pipeline import DISPLAY_EDGE, THUMB_EDGE, ImageRefused, process
from tests.images import samples


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_jpeg_is_turned_upright_and_loses_all_metadata():
    result = process(samples.jpeg_with_gps_rotated(300, 200))
    display = opened(result.display)
    assert display.size == (200, 300), "orientation 6 applied: portrait"
    assert (result.width, result.height) == (200, 300)
    top, bottom = display.getpixel((100, 20)), display.getpixel((100, 280))
    assert top[0] > 200 and top[2] < 60, f"red on top after rotating, got {top}"
    assert bottom[2] > 200 and bottom[0] < 60, f"blue below, got {bottom}"
    for data in (result.display, result.thumb):
        image = opened(data)
        assert image.format == "JPEG"
        assert not image.getexif(), "no EXIF at all (no GPS, no camera, no orientation)"
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"PhoneMaker" not in data and b"GPS" not in data


def test_png_with_transparency_and_webp_are_accepted():
    png = process(samples.png_with_alpha())
    image = opened(png.display)
    assert image.mode == "RGB"
    assert image.getpixel((100, 60)) == (255, 255, 255) or min(image.getpixel((100, 60))) > 240
    assert opened(process(samples.webp()).display).size == (150, 150)


def test_large_photo_gets_a_display_size_and_a_thumbnail():
    result = process(samples.large_jpeg())
    assert max(opened(result.display).size) == DISPLAY_EDGE
    assert max(opened(result.thumb).size) == THUMB_EDGE
    assert len(result.display) < 1_500_000


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.TEXT_AS_JPEG, "not_an_image"),
        (samples.SVG, "not_an_image"),
        (samples.truncated_jpeg(), "broken_image"),
        (samples.decompression_bomb(), "too_many_pixels"),
        (b"", "not_an_image"),
    ],
    ids=["text-named-jpg", "svg", "truncated-jpeg", "decompression-bomb", "empty"],
)
def test_hostile_and_broken_files_are_refused(data: bytes, code: str):
    with pytest.raises(ImageRefused) as refused:
        process(data)
    assert refused.value.code == code
    assert refused.value.message


def test_formats_outside_the_list_are_refused_by_content():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ImageRefused) as refused:
        process(out.getvalue())
    assert refused.value.code == "unsupported_format"

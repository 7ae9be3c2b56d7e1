"""The demo's two photos, drawn with Pillow: an empty bench at a bus stop, a boarded-up buurthuis.

They stand in for what a participant's phone would upload, so they are made like a photo rather
than a test pattern: gradients for sky and light, perspective, soft edges and sensor noise, saved
as a camera-sized JPEG with EXIF (a camera make and GPS) that the real image pipeline
(:func:`app.images.pipeline.process`) must strip. Deterministic (a fixed seed), so regenerated
examples only change when the drawing does; cached, so seeding twice draws once.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1200
RGB = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    column = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        f = y / max(1, size[1] - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * f) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size)


def _photographic(image: Image.Image) -> Image.Image:
    """Soft focus, a vignette and sensor noise: what makes a drawing read as a photo."""
    soft = image.filter(ImageFilter.GaussianBlur(1.6))
    noise = Image.effect_noise(image.size, 28).convert("RGB")
    grainy = Image.blend(soft, noise, 0.07)
    vignette = Image.radial_gradient("L").resize(image.size).point(lambda v: min(255, v * 1.3))
    dark = Image.new("RGB", image.size, (20, 18, 16))
    return Image.composite(dark, grainy, vignette.point(lambda v: v // 3))


def _bench(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = WIDTH, HEIGHT
    horizon = int(h * 0.52)
    # houses on the far side of the street
    x = -40
    while x < w:
        width = rng.randint(160, 260)
        top = horizon - rng.randint(150, 260)
        brick = (rng.randint(120, 160), rng.randint(60, 80), rng.randint(45, 60))
        draw.rectangle((x, top, x + width, horizon), fill=brick)
        draw.polygon(
            [(x - 6, top), (x + width // 2, top - 70), (x + width + 6, top)], fill=(60, 52, 50)
        )
        for wx in range(x + 22, x + width - 40, 58):
            for wy in range(top + 25, horizon - 50, 80):
                draw.rectangle(
                    (wx, wy, wx + 34, wy + 48), fill=(40, 48, 58), outline=(230, 225, 215), width=3
                )
        x += width + rng.randint(4, 20)
    # street, kerb and pavement in perspective
    draw.rectangle((0, horizon, w, horizon + 110), fill=(78, 80, 84))
    for dash in range(0, w, 180):
        draw.rectangle((dash, horizon + 52, dash + 90, horizon + 58), fill=(215, 215, 205))
    draw.polygon([(0, horizon + 110), (w, horizon + 110), (w, h), (0, h)], fill=(150, 146, 138))
    for row, y in enumerate(range(horizon + 120, h, 48)):
        draw.line((0, y, w, y), fill=(128, 124, 118), width=2)
        for tx in range((row % 2) * 60, w, 120):
            draw.line((tx, y, tx, y + 48), fill=(128, 124, 118), width=2)
    draw.rectangle((0, horizon + 104, w, horizon + 118), fill=(190, 188, 182))
    # bus stop pole with its yellow sign
    draw.rectangle((1210, 330, 1226, 1010), fill=(110, 112, 116))
    draw.rounded_rectangle(
        (1150, 300, 1290, 420), 12, fill=(250, 200, 30), outline=(40, 40, 40), width=4
    )
    draw.ellipse((1180, 320, 1260, 400), fill=(20, 90, 160))
    draw.rectangle((1204, 345, 1236, 377), fill=(250, 250, 250))
    # a bare tree
    draw.rectangle((170, 380, 205, 1000), fill=(70, 55, 45))
    for angle in range(9):
        bx = 187 + rng.randint(-160, 160)
        draw.line(
            (187, 460 + angle * 30, bx, 260 + rng.randint(0, 120)), fill=(70, 55, 45), width=9
        )
    # the empty bench: legs, seat and backrest of wooden slats
    for lx in (520, 960):
        draw.rectangle((lx, 840, lx + 22, 990), fill=(45, 45, 48))
        draw.rectangle((lx - 8, 700, lx + 14, 860), fill=(45, 45, 48))
    for i, y in enumerate(range(820, 870, 17)):
        draw.rectangle((470, y, 1040, y + 12), fill=(150 - i * 8, 100 - i * 5, 60))
    for i, y in enumerate(range(690, 790, 26)):
        draw.rectangle((480, y, 1030, y + 19), fill=(160 - i * 7, 108 - i * 4, 64))
    draw.polygon([(470, 1000), (1060, 1000), (1000, 1040), (430, 1040)], fill=(118, 114, 108))
    # fallen leaves
    for _ in range(60):
        lx, ly = rng.randint(0, w), rng.randint(horizon + 130, h)
        draw.ellipse(
            (lx, ly, lx + 14, ly + 8), fill=(rng.randint(150, 200), rng.randint(80, 120), 30)
        )


def _boarded(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = WIDTH, HEIGHT
    ground = int(h * 0.8)
    # the low 1970s building: brick front, flat roof edge
    draw.rectangle((120, 260, 1480, ground), fill=(140, 82, 60))
    for y in range(270, ground, 22):
        offset = 0 if (y // 22) % 2 else 30
        for x in range(120 + offset, 1480, 60):
            draw.line((x, y, x, y + 22), fill=(120, 70, 52), width=2)
        draw.line((120, y, 1480, y), fill=(165, 150, 140), width=2)
    draw.rectangle((100, 220, 1500, 270), fill=(70, 70, 72))
    # windows covered with plywood, one with a poster
    for wx in (200, 520, 1080):
        draw.rectangle((wx, 380, wx + 260, 640), fill=(196, 164, 112))
        for plank in range(4):
            draw.line(
                (wx, 380 + plank * 65, wx + 260, 380 + plank * 65), fill=(160, 128, 84), width=4
            )
        draw.line((wx + 10, 390, wx + 250, 630), fill=(150, 120, 80), width=6)
    draw.rectangle((1110, 420, 1310, 560), fill=(245, 245, 240))
    draw.text((1130, 440), "TE HUUR", fill=(200, 30, 30), font_size=44)
    draw.text((1130, 500), "0299-000000", fill=(30, 30, 30), font_size=30)
    # the door, chained
    draw.rectangle((850, 400, 1000, ground), fill=(60, 80, 90))
    draw.line((850, 560, 1000, 590), fill=(150, 150, 150), width=7)
    draw.line((850, 590, 1000, 560), fill=(150, 150, 150), width=7)
    # the name still above the door
    draw.rectangle((740, 296, 1180, 362), fill=(235, 230, 215))
    draw.text((762, 306), "BUURTHUIS DE LINDE", fill=(40, 60, 90), font_size=40)
    # pavement, weeds and graffiti
    draw.rectangle((0, ground, w, h), fill=(142, 140, 134))
    for x in range(0, w, 95):
        draw.line((x, ground, x - 60, h), fill=(120, 118, 112), width=2)
    for _ in range(90):
        gx = rng.randint(100, 1500)
        draw.line(
            (gx, ground, gx + rng.randint(-15, 15), ground - rng.randint(15, 60)),
            fill=(70, 120, 50),
            width=4,
        )
    draw.arc((260, 660, 460, 760), 180, 360, fill=(40, 120, 200), width=10)
    draw.arc((330, 670, 520, 780), 200, 340, fill=(200, 60, 150), width=8)


SCENES: dict[str, tuple[Callable[[ImageDraw.ImageDraw, random.Random], None], RGB, RGB]] = {
    "bench": (_bench, (120, 150, 190), (222, 214, 200)),
    "boarded": (_boarded, (150, 165, 180), (214, 214, 210)),
}


@cache
def photo(scene: str) -> bytes:
    """A camera-like JPEG of ``scene`` (``"bench"`` or ``"boarded"``), with EXIF to strip."""
    draw_scene, top, bottom = SCENES[scene]
    seed = sum(map(ord, scene))
    image = _gradient((WIDTH, HEIGHT), top, bottom)
    draw_scene(ImageDraw.Draw(image), random.Random(seed))
    image = _photographic(image)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 30.0, 0.0), 3: "E", 4: (5.0, 4.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()

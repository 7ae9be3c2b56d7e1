"""The theme folder (``ATELIER_THEME_DIR``): the contrast rule, loading, and every refusal.

A theme is checked whole at start: each bad input below stops the settings from being made at
all (a :class:`pydantic.ValidationError` from ``Settings``), so no page ever shows half a theme.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from pydantic import ValidationError

from app.settings import Settings
from app.theme import TOKENS, ThemeError, colours, load_theme
from app.theme_contrast import PAIRS, contrast_ratio, failures, floor, parse_colour

STATIC = Path(__file__).parents[1] / "app" / "static"
THEMES = Path(__file__).parent / "web" / "themes"
LIGHT = THEMES / "light"


def folder(tmp_path: Path, tokens: dict[str, str] | None = None, **extra: object) -> Path:
    """A copy of the light test theme, with ``tokens`` changed and ``extra`` keys added."""
    target = tmp_path / "theme"
    shutil.copytree(LIGHT, target)
    data = json.loads((target / "theme.json").read_text())
    data["tokens"].update(tokens or {})
    data.update(extra)
    (target / "theme.json").write_text(json.dumps(data))
    return target


def refused(theme_dir: Path) -> str:
    """The sentence the start stops with; and no settings were made."""
    with pytest.raises(ValidationError) as caught:
        Settings(theme_dir=theme_dir, data_dir=theme_dir.parent / "data")
    return str(caught.value)


# The contrast rule


def test_contrast_ratios_are_wcags():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # passes 4.5
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # fails
    assert contrast_ratio("#ffffff", "#0b4f8a") == contrast_ratio("#0b4f8a", "#ffffff")
    assert floor(4.499) == "4.4", "a ratio just short of 4.5 never reads as 4.5"
    for bad in ("red", "#12345", "#ggg", "rgb(0,0,0)", "#1234567"):
        with pytest.raises(ValueError):
            parse_colour(bad)


def test_the_apps_own_colours_pass_and_app_css_falls_back_to_them():
    assert failures(colours({})) == []
    css = (STATIC / "app.css").read_text()
    for token in TOKENS:
        fallback = token.default if token.default.startswith("#") else f"var({token.default})"
        declaration = f"{token.prop}: var({token.name}, {fallback});"
        assert declaration in css, f"app.css should declare {declaration}"
    pairs = {p.foreground for p in PAIRS} | {p.background for p in PAIRS}
    assert pairs <= {t.prop for t in TOKENS}, "every checked colour is one a theme can set"


# Loading


def test_the_test_themes_load_with_their_logos():
    light, dark = load_theme(LIGHT), load_theme(THEMES / "dark")
    assert (light.name, dark.name) == ("Gemeente Lindewaard", "Gemeente Donkerdal")
    assert light.logo is not None and light.logo.media_type == "image/svg+xml"
    assert light.raster is None, "an SVG alone gives the exports no picture"
    assert dark.logo is not None and dark.logo is dark.raster and dark.raster.extension == "png"
    css = light.css.decode()
    assert "--utrecht-document-background-color: #ffffff;" in css
    assert re.fullmatch(r"/theme/[0-9a-f]{12}/theme\.css", light.css_url)
    assert light.version != dark.version


def test_settings_read_the_theme_once_and_an_empty_setting_means_none(tmp_path: Path):
    settings = Settings(theme_dir=LIGHT, data_dir=tmp_path)
    assert settings.theme is not None and settings.theme.name == "Gemeente Lindewaard"
    assert Settings(theme_dir="", data_dir=tmp_path).theme is None
    assert Settings(data_dir=tmp_path).theme is None


def test_a_png_logo_is_re_encoded_without_its_metadata_and_bounded(tmp_path: Path):
    theme = folder(tmp_path)
    (theme / "logo.svg").unlink()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone@example.org")
    Image.new("RGB", (1600, 800), "#00694a").save(theme / "logo.png", pnginfo=info)
    logo = load_theme(theme).logo
    assert logo is not None and b"someone@example.org" not in logo.data
    with Image.open(io.BytesIO(logo.data)) as kept:
        assert kept.size == (800, 400), "kept no taller than a header needs"


# Refusals: each names what is wrong, and the start stops


def test_a_theme_below_aa_contrast_is_refused_naming_the_pair_and_its_ratio(tmp_path: Path):
    message = refused(
        folder(
            tmp_path,
            {"--utrecht-link-color": "#8ab4d8", "--utrecht-form-control-border-color": "#cccccc"},
        )
    )
    assert (
        "--utrecht-link-color #8ab4d8 on --utrecht-document-background-color #ffffff "
        "(links on the page) has a contrast of 2.1:1; at least 4.5:1 is needed"
    ) in message
    assert "--utrecht-form-control-border-color #cccccc" in message and "at least 3:1" in message


def test_button_text_and_the_focus_outline_are_checked_too(tmp_path: Path):
    message = refused(
        folder(
            tmp_path,
            {
                "--utrecht-button-primary-action-color": "#7fb8a0",
                "--utrecht-focus-outline-color": "#333333",
            },
        )
    )
    assert "(text on a button)" in message
    assert "--utrecht-focus-outline-color #333333 on --utrecht-document-color #1a1a1a" in message


def test_a_token_left_out_is_named_as_the_apps_colour(tmp_path: Path):
    theme = folder(tmp_path, {"--utrecht-button-primary-action-background-color": "#8fd0ff"})
    data = json.loads((theme / "theme.json").read_text())
    del data["tokens"]["--utrecht-link-color"]
    (theme / "theme.json").write_text(json.dumps(data))
    message = refused(theme)
    assert "--utrecht-link-color (not set: the app's) #8fd0ff on" in message
    assert "--utrecht-button-primary-action-background-color #8fd0ff on" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tokens": {"--utrecht-colour": "#000000"}}, "--utrecht-colour is not a token"),
        ({"tokens": {"--utrecht-link-color": "blue"}}, "'blue' is not a colour"),
        ({"colour": "#000"}, "Extra inputs are not permitted"),
        ({"name": ""}, "name: String should have at least 1 character"),
    ],
)
def test_a_theme_file_with_a_mistake_is_refused(tmp_path: Path, change: dict, expected: str):
    theme = folder(tmp_path)
    data = json.loads((theme / "theme.json").read_text())
    for key, value in change.items():
        data[key] = {**data[key], **value} if key == "tokens" else value
    (theme / "theme.json").write_text(json.dumps(data))
    assert expected in refused(theme)


def test_a_missing_folder_file_or_broken_json_is_refused(tmp_path: Path):
    assert "no such folder" in refused(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "theme.json is missing" in refused(empty)
    (empty / "theme.json").write_text('{"name": "Gemeente X",')
    assert "not valid JSON" in refused(empty)


UNSAFE_SVGS = {
    "script": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>',
    "event": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>',
    "outside": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 1 1"><image x:href="https://tracker.example/p.png"/></svg>',
    "entity": '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" '
    'viewBox="0 0 1 1"><text>&a;</text></svg>',
    "html": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><foreignObject>'
    "<p>hi</p></foreignObject></svg>",
    "style": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><style>'
    "rect { fill: url(https://tracker.example/x.svg#a) }</style></svg>",
    "not svg": '<html xmlns="http://www.w3.org/1999/xhtml"/>',
    "broken": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">',
    "no size": '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
}


@pytest.mark.parametrize("kind", UNSAFE_SVGS)
def test_an_svg_logo_that_is_more_than_a_picture_is_refused(tmp_path: Path, kind: str):
    theme = folder(tmp_path)
    (theme / "logo.svg").write_text(UNSAFE_SVGS[kind])
    assert "logo.svg" in refused(theme)


def test_a_logo_that_is_no_image_too_large_or_misnamed_is_refused(tmp_path: Path):
    theme = folder(tmp_path)
    (theme / "logo.png").write_text("<svg/>")
    assert "logo.png: not a readable PNG image" in refused(theme)
    Image.new("RGB", (10, 10)).save(theme / "logo.png", format="JPEG")
    assert "this is not a PNG image (it is JPEG)" in refused(theme)
    Image.new("1", (2400, 10)).save(theme / "logo.png")
    assert "2400×10 pixels" in refused(theme)
    (theme / "logo.png").unlink()
    (theme / "logo.svg").write_text("<!-- -->" * 40_000)
    assert "a logo may be at most 262144 bytes" in refused(theme)
    (theme / "logo.svg").unlink()
    (theme / "logo.jpg").write_bytes(b"")
    assert "a logo is logo.svg or logo.png" in refused(theme)


def test_load_theme_raises_a_value_error_with_the_same_sentence(tmp_path: Path):
    with pytest.raises(ThemeError, match="no such folder"):
        load_theme(tmp_path / "nowhere")

"""Every operator setting is documented in the README's configuration table."""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings

README = Path(__file__).parent.parent / "README.md"


def test_every_setting_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [
        f"ATELIER_{name.upper()}"
        for name in Settings.model_fields
        if f"`ATELIER_{name.upper()}`" not in text
    ]
    assert not missing, f"document these in README.md: {missing}"

"""Stored workshop settings from a newer version still open here; a facilitator's are strict."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.workshops.models import Workshop, WorkshopSettings


def test_a_key_a_newer_version_stored_is_left_out_and_the_rest_kept():
    workshop = Workshop(
        trajectory_id=1,
        title="Samen in Grou",
        settings={"agree_share": 0.8, "carried_by_every_group": True, "from_a_newer_version": 3},
    )
    settings = workshop.workshop_settings()
    assert settings.agree_share == 0.8 and settings.carried_by_every_group is True
    assert "from_a_newer_version" not in settings.model_dump()


def test_what_a_facilitator_sends_is_still_checked_whole():
    with pytest.raises(ValidationError, match="from_a_newer_version"):
        WorkshopSettings.model_validate({"agree_share": 0.8, "from_a_newer_version": 3})

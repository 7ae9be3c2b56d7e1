"""docs/protocol.md documents every message type, and every example in it parses."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from app.handlers import install_handlers
from app.realtime.commands import registered_types, registration
from app.realtime.protocol import (
    INTERNAL_COMMANDS,
    client_message_adapter,
    client_types,
    command_types,
    event_adapter,
    event_types,
    server_message_adapter,
    server_types,
)
from app.types import Phase
from app.workshops.schemas import ParticipantView

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"
SECTIONS: dict[str, tuple[list[str], TypeAdapter]] = {  # type: ignore[type-arg]
    "Client messages": (client_types(), client_message_adapter),
    "Server messages": (server_types(), server_message_adapter),
    "Events": (event_types(), event_adapter),
}


def documented() -> dict[str, dict[str, str]]:
    """``{section: {type: text under its heading}}`` from the page."""
    found: dict[str, dict[str, str]] = {}
    section = None
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, current = line[3:].strip(), None
            found.setdefault(section, {})
        elif line.startswith("### ") and section is not None:
            match = re.fullmatch(r"### `([a-z_.]+)`", line.strip())
            current = match.group(1) if match else None
            if current:
                found[section][current] = ""
        elif current and section is not None:
            found[section][current] += line + "\n"
    return found


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_message_type_is_documented_with_a_valid_example(section: str):
    types, adapter = SECTIONS[section]
    page = documented().get(section, {})
    assert sorted(page) == sorted(types), f"{section}: documented ≠ defined"
    for name, text in page.items():
        examples = re.findall(r"```json\n(.*?)\n```", text, flags=re.S)
        assert examples, f"{name} has no JSON example"
        for example in examples:
            data = json.loads(example)
            assert data["type"] == name, f"the example under {name} is a {data['type']}"
            adapter.validate_python(data)
        assert len(text.split("```")[0].strip()) > 10, (
            f"{name} needs a sentence saying what it does"
        )


def test_every_command_has_a_handler_and_every_handler_a_command():
    install_handlers()
    assert sorted(registered_types()) == sorted([*command_types(), *INTERNAL_COMMANDS])


def test_every_error_code_used_in_the_code_is_documented():
    app_dir = Path(__file__).resolve().parents[1] / "app"
    used: set[str] = set()
    for path in app_dir.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r'CommandError\(\s*"([a-z_]+)"', text))
        used.update(re.findall(r'error\(\s*"([a-z_]+)"', text))
        used.update(re.findall(r'code="([a-z_]+)"', text))
    table = DOC.read_text(encoding="utf-8").split("### Error codes", 1)[1].split("## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M))
    assert used, "found no error codes: the test would prove nothing"
    assert used <= listed, f"undocumented error codes: {sorted(used - listed)}"


def test_the_vote_open_refusals_are_the_ones_the_code_can_give():
    """``vote_open`` is named for exactly the commands that can meet it: their handler freezes
    the open vote's targets (``freeze_targets``) and they may run while a vote is open, which
    is only in prioriteren (``vote.open``'s phase; leaving it closes or cancels the vote)."""
    install_handlers()
    assert registration("vote.open").phases == {Phase.PRIORITEREN}
    freezing = [
        name
        for name in registered_types()
        if "freeze_targets(" in inspect.getsource(registration(name).handler)
    ]
    assert "card.withdraw" in freezing, "found no handler that freezes: the test proves nothing"
    reachable = sorted(
        name
        for name in freezing
        if registration(name).phases is None or Phase.PRIORITEREN in registration(name).phases
    )
    text = DOC.read_text(encoding="utf-8")
    row = re.search(r"^\| `vote_open` \|(.*)$", text, flags=re.M)
    rule = re.search(r"While a vote is open, (.*?) are refused with `vote_open`", text, re.S)
    assert row is not None and rule is not None
    assert sorted(re.findall(r"`([a-z_.]+)`", row.group(1))) == reachable
    assert sorted(re.findall(r"`([a-z_.]+)`", rule.group(1))) == reachable


def test_the_participant_examples_carry_every_field_a_participant_has():
    """A field the server sends about a participant is in the examples (the consents too)."""
    page = documented()
    examples = [
        json.loads(example)
        for name in ("participant.joined", "snapshot")
        for section in ("Events", "Server messages")
        for example in re.findall(r"```json\n(.*?)\n```", page[section].get(name, ""), re.S)
    ]
    people = [e["participant"] for e in examples if "participant" in e]
    people += [p for e in examples if "state" in e for p in e["state"]["participants"].values()]
    assert len(people) >= 4
    for person in people:
        assert set(person) == set(ParticipantView.model_fields), person

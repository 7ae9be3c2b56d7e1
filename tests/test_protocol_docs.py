"""docs/protocol.md documents every message type, and every example in it parses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from app.handlers import install_handlers
from app.realtime.commands import registered_types
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

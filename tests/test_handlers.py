"""The composition root names the handler modules; the command executor imports none of them.

Each check runs in a fresh interpreter: the registry is per process, and in this one some other
test may already have installed the handlers.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy.engine import Engine

from app.db import session_scope
from app.handlers import HANDLER_MODULES
from app.realtime.protocol import INTERNAL_COMMANDS, command_types
from app.workshops.models import Workshop
from app.workshops.routes import create_workshop_row
from tests.workshops.scripted import facilitator_and_trajectory

ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str, **env: str) -> str:
    """Run ``code`` in a new interpreter from the repository root; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def imports_commands(path: Path) -> bool:
    """Whether the module at ``path`` imports :mod:`app.realtime.commands` (at any level)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            names = {alias.name for alias in node.names}
        else:
            continue
        if "app.realtime.commands" in names:
            return True
    return False


def test_the_command_executor_imports_no_handler_module_nor_anything_that_imports_it():
    loaded = json.loads(
        run_fresh(
            """
            import json, sys
            import app.realtime.commands
            print(json.dumps({m: getattr(sys.modules[m], "__file__", None)
                              for m in sys.modules if m == "app" or m.startswith("app.")}))
            """
        )
    )
    handlers = {module.__name__ for module in HANDLER_MODULES}
    assert "app.realtime.commands" in loaded, "the import itself must have happened"
    assert not handlers & loaded.keys(), sorted(handlers & loaded.keys())
    circle = [
        name
        for name, file in loaded.items()
        if file and name != "app.realtime.commands" and imports_commands(Path(file))
    ]
    assert not circle, f"imported by commands.py and importing it back: {circle}"
    # The check can fail: a handler module does import the executor.
    assert imports_commands(Path(HANDLER_MODULES[0].__file__ or ""))


def test_create_app_installs_a_handler_for_every_command_type(tmp_path: Path):
    out = run_fresh(
        """
        import json
        from app.realtime.commands import NotInstalled, registered_types
        try:
            registered_types()
        except NotInstalled:
            before = "not installed"
        else:
            before = "installed"
        from app.main import create_app
        create_app()
        print(json.dumps({"before": before, "after": registered_types()}))
        """,
        ATELIER_DATA_DIR=str(tmp_path),
        ATELIER_DATABASE_URL=f"sqlite:///{tmp_path / 'atelier.db'}",
        ATELIER_SECRET_KEY="handlers-test-" + "x" * 40,
    )
    found = json.loads(out)
    assert found["before"] == "not installed", "importing the app must not install handlers"
    assert sorted(found["after"]) == sorted([*command_types(), *INTERNAL_COMMANDS])


def test_executing_a_command_with_no_handler_installed_fails_clearly(engine: Engine, db_url: str):
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop, _ = create_workshop_row(engine, trajectory_id=trajectory_id, title="Sessie")
    out = run_fresh(
        f"""
        from app.db import make_engine
        from app.realtime.commands import Actor, NotInstalled, execute, uses_presence
        from app.realtime.protocol import PhaseSet
        from app.types import Role
        import app.workshops.phases  # declares phase.set's handler, but nobody installed it

        engine = make_engine({db_url!r})
        command = PhaseSet(type="phase.set", cid="p-1", index=1)
        for attempt in (
            lambda: uses_presence(command),
            lambda: execute(
                engine,
                workshop_id={workshop.id},
                actor=Actor(Role.FACILITATOR, facilitator_id={facilitator_id}),
                command=command,
            ),
        ):
            try:
                attempt()
            except NotInstalled as refused:
                print(refused)
            else:
                print("applied")
        engine.dispose()
        """
    )
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert all("No command handlers are installed" in line for line in lines), out
    with session_scope(engine) as session:
        again = session.get(Workshop, workshop.id)
        assert again is not None and again.last_seq == workshop.last_seq, "nothing was applied"

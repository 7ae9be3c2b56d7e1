"""The command handler modules, named once: every entry that executes commands installs these.

The areas register their handlers with :func:`app.realtime.commands.handles` and import the
command executor to do so; the executor imports none of them back. The list lives here, in a
module of its own rather than in :func:`app.main.create_app`, because the web app is not the only
entry that executes commands: the in-process :class:`app.workshops.runner.Runner` (the demo seed,
``atelier seed-demo``, the tests), the benchmarks and tests that call ``execute`` directly all
install the same list without importing the web layer (routers, templates, the hub) for it.

A new area with commands adds its module to :data:`HANDLER_MODULES`; the protocol docs test
(every command type has a handler) fails until it does.
"""

from __future__ import annotations

from types import ModuleType

from app.realtime import commands
from app.workshops import (
    after_window,
    assisted,
    cards,
    check_out,
    clusters,
    participants,
    phases,
    proposals,
    redrafts,
    rounds,
    vertrekpunt,
    votes,
)

HANDLER_MODULES: tuple[ModuleType, ...] = (
    after_window,
    assisted,
    cards,
    check_out,
    clusters,
    participants,
    phases,
    proposals,
    redrafts,
    rounds,
    vertrekpunt,
    votes,
)


def install_handlers() -> None:
    """Put the handlers of :data:`HANDLER_MODULES` in force (idempotent)."""
    commands.install(HANDLER_MODULES)

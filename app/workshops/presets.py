"""Workshop templates: agendas with planned minutes per step, chosen when creating a workshop.

A preset only fills in the creation form: the facilitator can still reorder, repeat, add and
drop steps and change the minutes and thresholds, before and during the workshop. Names are
English msgids, translated like every other label (``app/locale``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.labels import N_
from app.types import Phase

P = Phase


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    description: str
    steps: tuple[tuple[Phase, int], ...]
    ssd_step: int = 1
    reframe: bool = False
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def agenda(self) -> list[Phase]:
        return [phase for phase, _ in self.steps]

    @property
    def minutes(self) -> list[int]:
        return [minutes for _, minutes in self.steps]

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes)


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            "startbijeenkomst",
            N_("Kick-off meeting, two hours"),
            N_("The whole method once: from images to a shared why and a scoped mission."),
            (
                (P.LOBBY, 10),
                (P.BEELDEN, 15),
                (P.FACTOREN, 15),
                (P.CONSEQUENTIES, 15),
                (P.CLUSTEREN, 15),
                (P.PRIORITEREN, 10),
                (P.WAAROM, 15),
                (P.OPGAVE, 15),
                (P.AFRONDING, 10),
            ),
        ),
        Preset(
            "herijking",
            N_("Reframing, one hour"),
            N_(
                "Starts from the current starting point: check who is at the table, rate the "
                "current why and mission, and change what no longer fits."
            ),
            (
                (P.LOBBY, 5),
                (P.FACTOREN, 10),
                (P.CLUSTEREN, 5),
                (P.WAAROM, 15),
                (P.OPGAVE, 15),
                (P.AFRONDING, 10),
            ),
            ssd_step=3,
            reframe=True,
        ),
        Preset(
            "verkenning",
            N_("Exploration, 90 minutes"),
            N_("Images, factors and consequences, clustered and prioritised; no decision yet."),
            (
                (P.LOBBY, 10),
                (P.BEELDEN, 20),
                (P.FACTOREN, 15),
                (P.CONSEQUENTIES, 15),
                (P.CLUSTEREN, 15),
                (P.PRIORITEREN, 10),
                (P.AFRONDING, 5),
            ),
        ),
        Preset(
            "waarom_en_opgave",
            N_("Why and mission in two rounds, 90 minutes"),
            N_("For a group that already knows the material: two agreement rounds per step."),
            (
                (P.LOBBY, 5),
                (P.WAAROM, 20),
                (P.CLUSTEREN, 5),
                (P.WAAROM, 15),
                (P.OPGAVE, 20),
                (P.OPGAVE, 15),
                (P.AFRONDING, 10),
            ),
        ),
    )
}

#: Minutes per step when a facilitator builds an agenda by hand.
TYPICAL_MINUTES: dict[Phase, int] = {
    P.LOBBY: 10,
    P.BEELDEN: 15,
    P.FACTOREN: 15,
    P.CONSEQUENTIES: 15,
    P.CLUSTEREN: 15,
    P.PRIORITEREN: 10,
    P.WAAROM: 15,
    P.OPGAVE: 15,
    P.AFRONDING: 10,
}


def minutes_for(agenda: list[Phase], minutes: list[int] | None) -> list[int]:
    """Planned minutes for each step: as given when they match the agenda, else typical ones."""
    if minutes is not None and len(minutes) == len(agenda):
        return list(minutes)
    return [TYPICAL_MINUTES[phase] for phase in agenda]


@dataclass(frozen=True)
class Plan:
    """What a workshop is planned to be: its agenda, minutes per step, SSD step, reframing."""

    agenda: list[Phase]
    minutes: list[int]
    ssd_step: int = 1
    reframe: bool = False

    @classmethod
    def from_request(
        cls,
        preset: Preset | None,
        *,
        agenda: list[Phase] | None = None,
        minutes: list[int] | None = None,
        reframe: bool | None = None,
        ssd_step: int | None = None,
    ) -> Plan:
        """The preset's plan with what the facilitator set explicitly taking precedence."""
        steps = agenda or (preset.agenda if preset else list(Phase))
        given = minutes if minutes is not None else (preset.minutes if preset else None)
        again = reframe if reframe is not None else bool(preset and preset.reframe)
        return cls(
            agenda=list(steps),
            minutes=minutes_for(list(steps), given),
            ssd_step=ssd_step or (preset.ssd_step if preset else (3 if again else 1)),
            reframe=again,
        )

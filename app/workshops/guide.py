"""What a facilitator needs per phase: its purpose, what to say, what the phones and the projector
show, and tips; and the running order (draaiboek) of a workshop, with the clock time of each step.

One place for these texts: the draaiboek page prints them, and ``docs/facilitator.md`` says the
same at more length. Texts are English message ids (``N_``), translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from app.labels import N_
from app.types import Phase
from app.workshops.presets import TYPICAL_MINUTES, minutes_for

P = Phase


@dataclass(frozen=True)
class PhaseGuide:
    """How to run one kind of agenda step.

    ``again`` is what changes when the step comes back on the agenda (a second round);
    ``reframing`` what is different in a reframing workshop (SSD step 3); ``say_anonymous`` what
    to say instead of ``say`` in an anonymous workshop, where nobody chooses a name. Each may be
    empty. ``say`` and ``say_anonymous`` are said to the room, so the draaiboek gives them in the
    workshop's language; the rest is for the facilitator, in the page's.
    """

    phase: Phase
    purpose: str
    say: str
    phones: str
    projector: str
    tips: tuple[str, ...]
    again: str = ""
    reframing: str = ""
    say_anonymous: str = ""

    def say_for(self, *, anonymous: bool) -> str:
        """The lines to say aloud in a workshop that is anonymous or not."""
        return self.say_anonymous if anonymous and self.say_anonymous else self.say

    @property
    def typical_minutes(self) -> int:
        return TYPICAL_MINUTES[self.phase]


_ROUND_AGAIN = N_(
    "Another round: read out the objections and their reasons, let people amend or merge "
    "proposals, then open a new round and rate again."
)

GUIDE: dict[Phase, PhaseGuide] = {
    guide.phase: guide
    for guide in (
        PhaseGuide(
            P.LOBBY,
            purpose=N_("Everyone joins on their phone, and the room sees who is at the table."),
            say=N_(
                "Welcome. Scan the QR code, or go to the address on the screen and type the "
                "code. Take part with your name or anonymously, and choose the group you are "
                "here for. The others see what you write, never who wrote it. The report "
                "names you beside your cards only if you tick that when you join."
            ),
            say_anonymous=N_(
                "Welcome. Scan the QR code, or go to the address on the screen and type the "
                "code. Everyone takes part anonymously: nobody is asked for a name, and no name "
                "is shown or kept. Choose the group you are here for."
            ),
            phones=N_(
                "The join form: name or anonymous (and whether the name may go with your cards "
                "in the report, unticked unless you tick it), stakeholder group, organisation "
                "(optional), drijfveer and how you want to contribute, each with who may see it."
            ),
            projector=N_(
                "The join code, a QR code, and how many people have joined per stakeholder group."
            ),
            tips=(
                N_("Test the Wi-Fi, the projector and a phone before people arrive."),
                N_("Have the address and the code on paper for phones that cannot scan."),
                N_("Have a spare phone or tablet for someone without a smartphone."),
                N_("Ask out loud which groups are missing, and say so: the record names them."),
            ),
            reframing=N_(
                "In a reframing workshop the lobby and the projector show the current "
                "vertrekpunt: read the why and the mission aloud before you start."
            ),
        ),
        PhaseGuide(
            P.BEELDEN,
            purpose=N_(
                "Everyone shows how they see the theme: a photo or an image described in words. "
                "Images open the conversation before anyone argues."
            ),
            say=N_(
                "Share an image of the theme as you see it: a photo you take now or one from "
                "your phone, or describe a picture in words. Add one line: what does it show "
                "about the theme? There is no wrong image."
            ),
            phones=N_(
                "A form to take or choose a photo or describe an image, with a caption; their "
                "own images and those of the others."
            ),
            projector=N_("The wall of images with their captions, as they come in, without names."),
            tips=(
                N_("Post the first image yourself, to show that personal is welcome."),
                N_(
                    "Location data is removed from photos. Ask people not to photograph others "
                    "without asking."
                ),
            ),
        ),
        PhaseGuide(
            P.FACTOREN,
            purpose=N_(
                "Name what drives or shapes the theme: causes, circumstances, rules, habits."
            ),
            say=N_(
                "What causes this, or makes it better or worse? Write one factor per card, short "
                "and concrete. The images can give you ideas."
            ),
            phones=N_("A form to add a factor; their own factors (edit, withdraw) and the room's."),
            projector=N_("The wall of factors as they come in."),
            tips=(
                N_("Ask for one thought per card: that makes clustering easier."),
                N_("Read a few cards aloud now and then, to keep the room together."),
            ),
        ),
        PhaseGuide(
            P.CONSEQUENTIES,
            purpose=N_(
                "What the theme leads to, for people in their daily life (leefwereld) and for "
                "organisations, rules and money (systeemwereld). Where the two worlds clash, the "
                "angel is often close."
            ),
            say=N_(
                "What does this lead to? For people in their daily life, or for organisations "
                "and rules? Choose the world, and tick the factors it follows from."
            ),
            phones=N_(
                "A form for a consequence: leefwereld or systeemwereld, and the factors it "
                "follows from."
            ),
            projector=N_("Two walls side by side: leefwereld and systeemwereld."),
            tips=(
                N_("If one world stays empty, ask for it explicitly."),
                N_("Ask the people with lived experience first about the leefwereld."),
            ),
        ),
        PhaseGuide(
            P.CLUSTEREN,
            purpose=N_(
                "Put together what belongs together, and mark the angel (the core of the issue), "
                "the kiemen (where change is already visible) and the hefbomen (the levers)."
            ),
            say=N_(
                "Which themes do you see? Where does it hurt most (angel)? Where is change "
                "already happening (kiem)? What would make a big difference (hefboom)?"
            ),
            phones=N_(
                "The clusters as they form; when you allow it, people suggest where a card belongs."
            ),
            projector=N_(
                "The clusters with their cards and their tags angel, kiem and hefboom, "
                "explained in one line."
            ),
            tips=(
                N_("Cluster on the console while the room talks, and say aloud what you do."),
                N_("Name clusters in the room's own words, not in policy terms."),
            ),
        ),
        PhaseGuide(
            P.PRIORITEREN,
            purpose=N_(
                "Everyone divides a few dots over what matters most. The result stays hidden "
                "until the vote closes, so nobody follows the crowd."
            ),
            say=N_(
                "You have a few dots. Put them on what matters most to you; several on one is "
                "fine. Nobody sees the result until the vote closes."
            ),
            phones=N_("The clusters and cards with + and − buttons, and how many dots are left."),
            projector=N_(
                "How many people have voted; once the vote closes, the result as a bar chart."
            ),
            tips=(
                N_("Close the vote when nearly everyone has voted: the console shows how many."),
                N_("Talk about what surprises in the result, not only about what won."),
            ),
        ),
        PhaseGuide(
            P.WAAROM,
            purpose=N_(
                "The room writes and agrees a shared why: the reason we work on this together. "
                "A shared why is a stronger vertrekpunt than a why at a distance."
            ),
            say=N_(
                "Why do we do this, together? Write a proposal in one or two sentences and pick "
                "the clusters and cards it grows from. Then everyone rates each proposal from 5 "
                "(fully agree) to 1 (objection); with a 1, say why."
            ),
            phones=N_(
                "A form for a proposal that cites clusters and cards; during a round, a rating "
                "from 1 to 5 for each proposal."
            ),
            projector=N_(
                "The proposals with what they cite; during a round the convergence meter, after "
                "it the figures and the reasons given with objections."
            ),
            tips=(
                N_(
                    "Converged means: enough 4s and 5s, no more objections than allowed, and "
                    "enough of the people present rated. The thresholds are this workshop's."
                ),
                N_("An objection is information, not obstruction: ask what would make it work."),
            ),
            again=_ROUND_AGAIN,
            reframing=N_(
                "In a reframing workshop the current why is the first proposal (“zoals het nu "
                "is”): the room rates it before changing it."
            ),
        ),
        PhaseGuide(
            P.OPGAVE,
            purpose=N_(
                "The room scopes what it takes on: the mission, what is in and out of scope, and "
                "one or a few core themes to start with."
            ),
            say=N_(
                "What do we take on, and what not (yet)? A big mission cannot be taken on at "
                "once: choose one or a few core themes to start with. Write a proposal, then "
                "rate as before."
            ),
            phones=N_(
                "A form for the mission with in scope, out of scope and core themes; a rating "
                "for each proposal during a round."
            ),
            projector=N_(
                "The proposals with their scope and core themes; the convergence meter and the "
                "objections with their reasons."
            ),
            tips=(
                N_("Out of scope does not mean unimportant: it means not now, not here."),
                N_("Check the mission against the why: does it serve it?"),
            ),
            again=_ROUND_AGAIN,
            reframing=N_(
                "In a reframing workshop the current mission is the first proposal: is it still "
                "the mission, with what we have learned since?"
            ),
        ),
        PhaseGuide(
            P.AFRONDING,
            purpose=N_(
                "Look back on the result, adopt it and save it as the trajectory's vertrekpunt."
            ),
            say=N_(
                "This is what we agreed: our why and our mission. This is where we did not "
                "agree, and who was missing. Thank you: you will receive the summary."
            ),
            phones=N_("The adopted why and mission."),
            projector=N_("The adopted why and mission, and who was at the table."),
            tips=(
                N_(
                    "Adopting a proposal that has not converged needs a written reason; the "
                    "record keeps it."
                ),
                N_("Save the vertrekpunt once, then download the summary."),
                N_("Agree who invites the missing groups next time."),
            ),
        ),
    )
}


@dataclass(frozen=True)
class RunningStep:
    """One line of the draaiboek: an agenda step with its planned clock times.

    ``repeat`` counts the occurrences of the same phase so far (1 the first time); ``offset`` is
    the minute of the workshop the step starts at; ``starts`` and ``ends`` are clock times,
    ``None`` when the workshop has no planned start.
    """

    number: int
    phase: Phase
    minutes: int
    offset: int
    starts: datetime | None
    ends: datetime | None
    repeat: int
    guide: PhaseGuide


def running_order(
    agenda: list[str], phase_minutes: list[int], starts_at: datetime | None, zone: tzinfo
) -> list[RunningStep]:
    """The agenda as a timetable: each step starts when the one before it ends.

    Minutes that do not match the agenda (an older workshop without them) become the typical
    ones; times are shown in ``zone``, the facilitator's clock.
    """
    phases = [Phase(p) for p in agenda]
    minutes = minutes_for(phases, phase_minutes or None)
    clock = starts_at.astimezone(zone) if starts_at is not None else None
    seen: dict[Phase, int] = {}
    steps = []
    offset = 0
    for number, (phase, length) in enumerate(zip(phases, minutes, strict=True), start=1):
        seen[phase] = seen.get(phase, 0) + 1
        ends = clock + timedelta(minutes=length) if clock is not None else None
        steps.append(
            RunningStep(
                number=number,
                phase=phase,
                minutes=length,
                offset=offset,
                starts=clock,
                ends=ends,
                repeat=seen[phase],
                guide=GUIDE[phase],
            )
        )
        clock = ends
        offset += length
    return steps

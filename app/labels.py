"""Display names of the method's words, marked for translation (``N_`` is only a marker).

The values on the wire stay Dutch identifiers (``beelden``, ``inwoner``, ``hefboom``); these are
the English message ids that the catalogs turn into Dutch or English. Scripts get them from the
server, translated, with the rest of the workshop's vocabulary (``app/web/vocabulary.py``).
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


PHASES = {
    "lobby": N_("Lobby"),
    "beelden": N_("Images"),
    "factoren": N_("Factors"),
    "consequenties": N_("Consequences"),
    "clusteren": N_("Clustering"),
    "prioriteren": N_("Prioritising"),
    "waarom": N_("Why"),
    "opgave": N_("Mission"),
    "afronding": N_("Wrap-up"),
}

GROUPS = {
    "inwoner": N_("Resident"),
    "ervaringsdeskundige": N_("Expert by experience"),
    "ketenpartner": N_("Partner organisation"),
    "uitvoering": N_("Front-line service"),
    "beleid": N_("Policy"),
    "bestuur": N_("Governance"),
}

#: The name under which groups too small to show on their own are pooled (``app/privacy.py``).
POOLED_GROUPS = N_("Other groups")

CONTRIBUTIONS = {
    "meeformuleren": N_("Help formulate the mission"),
    "ondersteunen": N_("Support others"),
    "aan_tafel": N_("A full seat at the table"),
}

#: The five steps of a social service design trajectory; the live workshop is step 1.
SSD_STEPS = {
    1: N_("Set up the collaboration and scope the issue"),
    2: N_("Research and analysis"),
    3: N_("Reframe the mission and recalibrate the collaboration"),
    4: N_("Devise and test solutions"),
    5: N_("Implement, spread and scale up"),
}

CARD_KINDS = {"beeld": N_("Image"), "factor": N_("Factor"), "consequentie": N_("Consequence")}
WORLDS = {"leefwereld": N_("Lived world"), "systeemwereld": N_("System world")}
TAGS = {"angel": N_("Sting"), "kiem": N_("Seed"), "hefboom": N_("Lever")}
SCORES = {
    5: N_("5 — fully agree"),
    4: N_("4 — agree"),
    3: N_("3 — can live with it"),
    2: N_("2 — doubts"),
    1: N_("1 — objection (block)"),
}


def group(name: str) -> str:
    """A stakeholder group's label; groups a trajectory invents itself are shown as typed."""
    return GROUPS.get(name, name)

"""Realistic Dutch cards for the projector's tests: what residents, civil servants and partners
write on a card about loneliness among older people, with the long compounds Dutch is made of
("mantelzorgondersteuning", "wijkverpleegkundige"), each text unique, of mixed length.

Made from fixed lists (no randomness), so a failing layout can be reproduced exactly.
"""

from __future__ import annotations

SUBJECTS = [
    "De buurtbus naar het gezondheidscentrum",
    "Het wijkteam van de gemeente",
    "De mantelzorgondersteuning",
    "Het inloopspreekuur in de bibliotheek",
    "De wijkverpleegkundige",
    "Het digitaal aanvraagformulier voor de Wmo-voorziening",
    "De huisartsenpraktijk aan het Stationsplein",
    "Het ontmoetingscentrum in Oost",
    "De schuldhulpverlening",
    "Het vrijwilligersvervoer op zondag",
    "De seniorenwoningen aan de Kerkstraat",
    "Het sociaal raadsliedenwerk",
    "De dagbestedingslocatie bij het zorgcentrum",
    "Het openbaarvervoerabonnement voor 65-plussers",
    "De gemeentelijke klantcontactcentrale",
]
SITUATIONS = [
    "rijdt niet meer na zes uur 's avonds",
    "heeft een wachtlijst van vier maanden",
    "is alleen telefonisch bereikbaar en de wachttijd is lang",
    "weet niemand te vinden als je niet op internet zit",
    "sluit in de zomervakantie helemaal",
    "vraagt een DigiD die veel ouderen niet hebben",
    "komt alleen als er al een zorgindicatie is",
    "heeft te weinig vrijwilligers sinds de coronaperiode",
    "is slecht bereikbaar met een rollator door de drempels",
    "stuurt brieven vol ambtelijke taal en afkortingen",
]
FEELINGS = [
    "Mijn buurvrouw van 84 zit daardoor de hele week binnen.",
    "Dan blijf je thuis en zie je niemand meer.",
    "Mensen schamen zich om om hulp te vragen.",
    "Ik hoor dat vaak van bewoners op het spreekuur.",
    "Dat maakt dat ouderen zich een last voelen.",
    "",
    "",
]
SHORT = [
    "Eenzaamheidsbestrijding begint bij de voordeur",
    "Geen bankjes meer op het Marktplein",
    "Burenhulp werkt, maar niemand organiseert het",
    "Koffieochtend in het buurthuis: altijd vol",
    "Mantelzorgers raken overbelast",
    "Ouderenadviseur is onbekend in de wijk",
    "Wijkgerichte samenwerkingsafspraken ontbreken",
    "Pinautomaat weg uit het winkelcentrum",
]


def card_text(n: int) -> str:
    """Card ``n``: a short slogan, or a subject, a situation and sometimes how it feels."""
    if n % 4 == 3:
        return f"{SHORT[n % len(SHORT)]} ({n})"
    subject = SUBJECTS[n % len(SUBJECTS)]
    situation = SITUATIONS[(n * 7 + n // len(SUBJECTS)) % len(SITUATIONS)]
    feeling = FEELINGS[(n * 3) % len(FEELINGS)]
    return f"{subject} {situation} ({n}). {feeling}".strip()


CLUSTER_TITLES = [
    "Vervoer en bereikbaarheid",
    "Wachtlijsten in de zorg",
    "Digitale dienstverlening",
    "Ontmoetingsplekken in de wijk",
    "Mantelzorg en vrijwilligerswerk",
    "Geldzorgen en schuldhulpverlening",
    "Informatievoorziening en ambtelijke taal",
    "Wonen en toegankelijkheid",
    "Schaamte en eigen regie",
    "Samenwerking tussen ketenpartners",
]

"""What the demo's finished workshop holds: thirty people and the cards they wrote.

A startbijeenkomst of the programme ‘Niemand alleen’ in Waterland-Oost, written as residents,
people with lived experience, partner organisations, front-line staff, policy makers and one
alderman would type it on a phone: long compounds, short outbursts, the odd typo. Kept apart from
:mod:`app.demo`, which only plays it through the command executor, so that the script reads as
a workshop and this module as what was said in it. Every card, cluster, dot and rating is referred
to by a short key (``"buurthuis"``) so the links between them can be read here.

Consent is mixed on purpose, as in a real room: some people join anonymously, some give their
name but not for the verslag, some agree that their name may stand beside their cards; drijfveer
and wished contribution are for the facilitator only or for the record, each person's own choice.
``docs/examples/`` is made from this workshop, so it shows what each of those choices gives.
"""

from __future__ import annotations

from dataclasses import dataclass

THEME = "Eenzaamheid onder oudere inwoners van Waterland-Oost"
DESCRIPTION = "Programma ‘Niemand alleen’: samen met inwoners en partners de opgave formuleren."
TITLE = "Startbijeenkomst ‘Niemand alleen’"
QUESTION = (
    "Wat maakt dat oudere inwoners van Waterland-Oost zich eenzaam voelen, "
    "en waar begint verandering?"
)
EXPECTED = ["inwoner", "ervaringsdeskundige", "ketenpartner", "uitvoering", "beleid", "bestuur"]

FACILITATOR = "facilitator"  # the author key of what the facilitator does
Use = str  # "facilitator" (only the facilitator sees it) or "record" (may go in the verslag)


@dataclass(frozen=True)
class Person:
    key: str
    #: ``None``: joined anonymously.
    name: str | None
    group: str
    organisation: str = ""
    drijfveer: str = ""
    contribution: str = "meeformuleren"
    drijfveer_use: Use = "facilitator"
    contribution_use: Use = "facilitator"
    #: "Mijn naam mag bij mijn kaarten in het verslag" (default no).
    name_in_verslag: bool = False


def _p(key: str, name: str | None, group: str, org: str, drijfveer: str, contribution: str,
       uses: str, consent: bool = False) -> Person:  # fmt: skip
    """``uses`` is two letters: drijfveer and contribution, ``f`` facilitator or ``r`` record."""
    use = {"f": "facilitator", "r": "record"}
    return Person(
        key, name, group, org, drijfveer, contribution, use[uses[0]], use[uses[1]], consent
    )


GEMEENTE = "Gemeente Waterland-Oost"

PEOPLE: list[Person] = [
    # inwoner (8)
    _p("gerda", "Gerda Bakker", "inwoner", "", "Sinds mijn man overleed is het stil in huis",
       "aan_tafel", "fr"),
    _p("henk", "Henk Visser", "inwoner", "Seniorenraad Waterland-Oost",
       "Ik zie het om me heen in de flat aan de Dijkstraat", "meeformuleren", "rr", True),
    _p("buurvrouw", None, "inwoner", "",
       "Mijn buurvrouw ligt soms dagen in bed zonder dat iemand het merkt", "meeformuleren", "rr"),
    _p("fatima", "Fatima El Amrani", "inwoner", "Vrouwengroep De Brug",
       "Oudere migrantenvrouwen vallen overal buiten", "aan_tafel", "rr", True),
    _p("wim", "Wim de Groot", "inwoner", "", "", "ondersteunen", "ff"),
    _p("rollator", None, "inwoner", "", "Ik ben 81 en ik wil nog gewoon meedoen", "aan_tafel",
       "rf"),
    _p("ria", "Ria Koster", "inwoner", "Bewonerscommissie Zonnehof",
       "Onze recreatiezaal staat al drie jaar leeg", "meeformuleren", "rr", True),
    _p("winter", None, "inwoner", "", "", "meeformuleren", "ff"),
    # ervaringsdeskundige (5)
    _p("samira", "Samira Ouali", "ervaringsdeskundige", "", "Mijn moeder vereenzaamde in stilte",
       "aan_tafel", "rr"),
    _p("kees", "Kees Mulder", "ervaringsdeskundige", "Cliëntenraad Sociaal Domein",
       "Na mijn pensioen en een burn-out was ik twee jaar eenzaam", "aan_tafel", "rr", True),
    _p("mantelzorger", None, "ervaringsdeskundige", "", "Ik heb zes jaar voor mijn vader gezorgd",
       "meeformuleren", "rr"),
    _p("dewi", "Dewi Wijaya", "ervaringsdeskundige", "",
       "Als weduwe weet ik hoe lang een zondag kan zijn", "meeformuleren", "fr"),
    _p("theo", "Theo Brouwer", "ervaringsdeskundige", "", "Ik woon alleen en heb geen kinderen",
       "ondersteunen", "rr", True),
    # ketenpartner (6)
    _p("joost", "Joost Hendriks", "ketenpartner", "Stichting Welzijn Waterland",
       "Wij lopen tegen de grenzen van ons bereik aan", "aan_tafel", "rr", True),
    _p("marieke", "Marieke van Dijk", "ketenpartner", "Huisartsenpraktijk De Linde",
       "Eenzaamheid komt elke dag op het spreekuur", "ondersteunen", "fr"),
    _p("yusuf", "Yusuf Demir", "ketenpartner", "Woningcorporatie Oosterhuis",
       "Onze huismeesters zien het als eersten", "meeformuleren", "rr", True),
    _p("lotte", "Lotte Smit", "ketenpartner", "Bibliotheek Waterland",
       "De bieb is voor veel ouderen de laatste openbare huiskamer", "meeformuleren", "rr", True),
    _p("thuiszorg", None, "ketenpartner", "Thuiszorg Zorgzaam",
       "Wij hebben geen tijd meer voor een praatje en dat knaagt", "ondersteunen", "rr"),
    _p("bram", "Bram Jacobs", "ketenpartner", "Vrijwilligerscentrale Waterland",
       "Er zijn vrijwilligers genoeg, maar ze vinden de ouderen niet", "aan_tafel", "rf"),
    # uitvoering (6)
    _p("ruben", "Ruben Jansen", "uitvoering", "Wijkteam Oost",
       "Keukentafelgesprekken raken dit elke week", "meeformuleren", "rr", True),
    _p("esther", "Esther Vos", "uitvoering", "Wijkteam Oost",
       "Ik wil dat we er eerder bij zijn dan bij de crisis", "aan_tafel", "fr"),
    _p("loket", None, "uitvoering", f"{GEMEENTE}, Wmo-loket",
       "Aan de balie hoor ik verhalen die in geen enkel formulier passen", "meeformuleren", "rr"),
    _p("mohamed", "Mohamed Bouzid", "uitvoering", "Buurtsportcoach Oost",
       "Bewegen is ook ontmoeten", "aan_tafel", "rr", True),
    _p("ingrid", "Ingrid Peters", "uitvoering", "Ouderenadviseur Welzijn Waterland", "",
       "ondersteunen", "ff"),
    _p("schuldhulp", None, "uitvoering", f"{GEMEENTE}, schuldhulpverlening",
       "Schulden en eenzaamheid gaan vaak samen", "meeformuleren", "rr"),
    # beleid (4)
    _p("anouk", "Anouk de Boer", "beleid", GEMEENTE,
       "Het programma moet landen in de wijk, niet op papier", "ondersteunen", "rr", True),
    _p("pieter", "Pieter van Leeuwen", "beleid", f"{GEMEENTE}, afdeling Ruimte",
       "Ontmoeten begint bij de inrichting van de openbare ruimte", "meeformuleren", "rr"),
    _p("ggd", None, "beleid", "GGD regio Waterland",
       "De gezondheidsmonitor laat het elk jaar opnieuw zien", "meeformuleren", "rr"),
    _p("sanne", "Sanne Kuipers", "beleid", GEMEENTE,
       "Ik schrijf het beleid en wil weten of het klopt", "meeformuleren", "fr", True),
    # bestuur (1): too small to be shown on its own, so the record pools it (app/privacy.py)
    _p("hoekstra", "Marjolein Hoekstra", "bestuur", f"{GEMEENTE}, wethouder Zorg en Welzijn",
       "Eerst luisteren, dan besluiten", "ondersteunen", "rr", True),
]  # fmt: skip


@dataclass(frozen=True)
class CardText:
    key: str
    author: str
    text: str
    world: str | None = None
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Photo:
    """A beeld with a photo: ``scene`` names the drawing in :mod:`app.demo_photos`."""

    key: str
    author: str
    caption: str
    scene: str


PHOTOS = [
    Photo("foto_bankje", "gerda",
          "Het bankje bij de bushalte op de Dorpsweg. Vroeger zat daar altijd wel iemand, nu "
          "staat het er zo bij.", "bench"),
    Photo("foto_buurthuis", "ria",
          "Buurthuis De Linde, dichtgetimmerd sinds 2023. Hier was elke woensdag koffie-ochtend.",
          "boarded"),
]  # fmt: skip


def _c(key: str, author: str, text: str, world: str | None = None, *factors: str) -> CardText:
    return CardText(key, author, text, world, factors)


BEELDEN = [
    _c("tafel", "gerda", "Een tafel voor zes en ik eet alleen."),
    _c("kalender", "samira",
       "De kalender van mijn moeder op de koelkast: weken achter elkaar zonder één afspraak"),
    _c("deurbel", "ruben", "Een deurbel met een briefje ‘werkt niet’. Al maanden."),
    _c("gordijnen", "buurvrouw",
       "Mijn buurvrouw die om 10 uur ’s ochtends de gordijnen nog dicht heeft"),
    _c("supermarkt", "kees",
       "De supermarkt als enige plek waar ik nog iemand sprak. Ik ging elke dag, ook als ik niks "
       "nodig had"),
    _c("leestafel", "lotte",
       "Elke dinsdagochtend dezelfde vier heren aan de leestafel, de krant tot op de laatste "
       "letter uitgelezen"),
    _c("zondag", "dewi", "Zondagmiddag. De telefoon gaat niet."),
    _c("patient", "marieke",
       "Een patient die voor de derde keer deze maand komt met ‘duizeligheid’ en eigenlijk gewoon "
       "wil praten"),
    _c("galerij", "yusuf",
       "Een galerijflat waar iedereen de deur dicht houdt. De huismeester is de enige die nog "
       "aanbelt."),
    _c("brieven", "fatima",
       "Mijn tante begrijpt de brieven van de gemeente niet en durft het niet te vragen"),
    _c("tienminuten", "thuiszorg",
       "Tien minuten per cliënt, de klok loopt, en mevrouw wil zo graag vertellen over haar "
       "kleinzoon"),
    _c("jeudeboules", "mohamed", "Het jeu-de-boulesveld achter de Zonnehof, vol onkruid"),
    _c("raam", "wim", "Stoelen bij het raam in de aanleunwoningen, allemaal naar buiten gericht"),
    _c("rollatorbus", "rollator",
       "Ik sta met mijn rollator bij de halte en de chauffeur wacht niet"),
    _c("post", "esther", "Een stapel ongeopende post op de deurmat bij een huisbezoek"),
    _c("kerst", "theo", "Kerstavond met de tv aan, voor het geluid"),
    _c("prikbord", "bram",
       "Het prikbord in de bieb vol briefjes van mensen die iets voor een ander willen doen"),
    _c("balie", "loket",
       "Een meneer die elke week aan de balie vraagt of zijn formulier al binnen is. Het is allang "
       "binnen."),
    _c("bankjesweg", "henk", "De bankjes in het park zijn weggehaald ‘tegen hangjongeren’"),
    _c("raadsvoorstel", "hoekstra",
       "Een raadsvoorstel over eenzaamheid van veertig pagina’s zonder één zin van een inwoner"),
    _c("appgroep", "winter", "De appgroep van onze straat gaat alleen over vuilnis en parkeren"),
    _c("nieuwbouwbeeld", "pieter", "Een nieuwbouwwijk zonder één plek om even te gaan zitten"),
]  # fmt: skip

FACTOREN = [
    _c("buurthuis", "joost", "Het buurthuis in Oost is sinds 2023 dicht (bezuiniging)"),
    _c("bus", "henk", "Geen busverbinding op zondag en ’s avonds na zevenen"),
    _c("schaamte", "samira", "Schaamte: niemand zegt graag dat hij eenzaam is"),
    _c("kinderen", "marieke", "Kinderen wonen ver weg en hebben het zelf druk"),
    _c("geenplek", "gerda", "Er is geen plek meer om elkaar gewoon tegen te komen"),
    _c("pensioen", "kees", "Na je pensioen valt je hele netwerk weg, dat zag ik niet aankomen"),
    _c("partner", "dewi",
       "Als je partner overlijdt, houdt de rest na een paar maanden ook op met bellen"),
    _c("minuten", "thuiszorg", "Thuiszorg wordt afgerekend op minuten, niet op contact"),
    _c("indicatie", "ruben", "Eenzaamheid is geen indicatie: formeel mogen we er niks mee"),
    _c("digitaal", "loket",
       "Alles moet digitaal: DigiD, afspraken, formulieren. Wie dat niet kan, haakt af"),
    _c("taal", "fatima", "Taalbarrière bij oudere migranten, vooral bij vrouwen"),
    _c("langerthuis", "yusuf",
       "Huurders wonen steeds langer zelfstandig, ook als het eigenlijk niet meer gaat"),
    _c("bieb", "lotte", "Openingstijden van de bibliotheek ingekort tot drie dagen per week"),
    _c("vrijwpriv", "bram",
       "Vrijwilligers willen wel, maar weten niet wie hulp nodig heeft (privacy)"),
    _c("stoep", "mohamed",
       "Scheve stoepen en geen bankjes onderweg: wie slecht ter been is blijft thuis"),
    _c("crisis", "esther", "Het wijkteam ziet mensen pas als er een crisis is"),
    _c("aanbellen", "buurvrouw",
       "Je durft niet aan te bellen bij de buren, je wil niet opdringerig zijn"),
    _c("gehoor", "rollator", "Gehoorapparaat kapot of te duur, dan haak je af in gesprekken"),
    _c("geld", "wim", "Een kop koffie in het dorpscafé kost 3,50. Dat doe je niet elke dag"),
    _c("nieuwbouw", "pieter", "Bij nieuwbouw wordt niet nagedacht over ontmoetingsplekken"),
    _c("monitor", "ggd",
       "Gezondheidsmonitor: 52% van de 75-plussers in Oost voelt zich eenzaam, hoger dan "
       "gemiddeld in de regio"),
    _c("subsidie", "sanne",
       "Subsidies zijn per jaar, initiatieven krijgen geen adem om te groeien"),
    _c("versnipperd", "anouk",
       "Elke organisatie heeft een eigen stukje, niemand is van het geheel"),
    _c("voorniet", "hoekstra", "Beleid wordt gemaakt vóór ouderen, niet mét ouderen"),
    _c("beheerder", "ria",
       "De recreatiezaal van de Zonnehof mag niet meer open zonder beheerder, en die is er niet"),
    _c("geenfamilie", "theo",
       "Geen kinderen, geen familie in de buurt. Dan is er niemand die vanzelf langskomt"),
    _c("mantelzorg", "mantelzorger",
       "Mantelzorgers raken zelf ook geisoleerd, daar kijkt niemand naar"),
    _c("verwijzen", "marieke",
       "Huisarts heeft geen tijd, en geen plek in de wijk om naar door te verwijzen"),
    _c("schulden", "schuldhulp", "Geldzorgen: wie schulden heeft schaamt zich en trekt zich terug"),
    _c("mannen", "joost",
       "Het aanbod van welzijn is vooral bingo en koffie, dat trekt oudere mannen niet"),
    _c("eerstestap", "kees", "Je moet zelf de eerste stap zetten en dat is juist het moeilijkste"),
    _c("onbekend", "ingrid", "Ouderen kennen de ouderenadviseur niet, we zijn onzichtbaar"),
    _c("rouw", "samira", "Rouw en somberheid worden afgedaan als ‘ouderdom’"),
    _c("verhuizen", "yusuf",
       "Doorstroming: ouderen verhuizen naar een kleinere woning in een buurt waar ze niemand "
       "kennen"),
    _c("winkels", "lotte", "Winkels, postkantoor en bank zijn uit het centrum van Oost verdwenen"),
    _c("vrijwouder", "bram", "Vrijwilligers zijn zelf vaak 70-plus en stoppen ermee"),
    _c("wachtlijst", "esther", "Wachtlijst voor de dagbesteding is vier maanden"),
    _c("donker", "winter",
       "In de winter is het om half vijf donker, dan ga je de deur niet meer uit"),
    _c("last", "gerda", "Ik wil niemand tot last zijn"),
    _c("sport", "mohamed",
       "Het sportaanbod is gericht op jongeren, voor 70-plussers is er weinig laagdrempeligs"),
    _c("laatgevraagd", "henk", "De seniorenraad wordt pas gevraagd als het beleid al klaar is"),
    _c("info", "loket",
       "Informatie over activiteiten staat alleen op Facebook en op de gemeentewebsite"),
    _c("moskee", "fatima",
       "Moskee en kerken doen veel, maar de gemeente ziet ze niet als partner"),
    _c("rijbewijs", "wim", "Rijbewijs kwijt op je 80e, en je wereld wordt heel klein"),
    _c("gezichten", "thuiszorg", "Personeelstekort: steeds een ander gezicht aan de deur"),
    _c("wijkbudget", "pieter", "Wijkgericht werken staat in elk plan, maar er is geen wijkbudget"),
    _c("meten", "anouk", "We meten eenzaamheid eens per vier jaar, te grof om op te sturen"),
    _c("alleen", "theo",
       "eenzaam is niet hetzelfde als alleen. ik ben graag alleen, maar niet eenzaam. Dat "
       "onderscheid word nooit gemaakt"),
    _c("wijkteamplek", "ruben", "Het wijkteam zit in het gemeentehuis, niet in de wijk"),
    _c("vrienden", "dewi", "Vrienden overlijden een voor een"),
    _c("telefoonnummer", "wim", "Wie wil er een keer koffie komen drinken? Bel me: 06 1234 5678"),
]  # fmt: skip

CONSEQUENTIES = [
    # leefwereld
    _c("dagen", "gerda", "Dagen voorbijgaan zonder één gesprek", "leefwereld",
       "buurthuis", "kinderen", "partner"),
    _c("eten", "dewi", "Je gaat slechter eten als je alleen eet, alleen nog een boterham",
       "leefwereld", "partner"),
    _c("bingo", "rollator", "Ik kom niet meer bij de bingo in de kerk, want er gaat geen bus",
       "leefwereld", "bus"),
    _c("cirkel", "kees",
       "Je wordt somber en dan wordt de drempel nog hoger. Een vicieuze cirkel", "leefwereld",
       "eerstestap", "schaamte"),
    _c("aankleden", "samira",
       "Mijn moeder kleedde zich ’s ochtends niet meer aan. Waarvoor zou ze?", "leefwereld",
       "rouw", "schaamte"),
    _c("vallen", "theo", "Niemand merkt het als ik val", "leefwereld", "geenfamilie"),
    _c("namen", "buurvrouw", "Buren die twintig jaar naast elkaar wonen en elkaars naam niet weten",
       "leefwereld", "aanbellen"),
    _c("wachten", "fatima", "Oudere vrouwen zitten thuis te wachten tot hun kinderen komen",
       "leefwereld", "taal", "kinderen"),
    _c("straat", "wim", "Je wereld wordt zo groot als je straat", "leefwereld",
       "rijbewijs", "stoep", "bus"),
    _c("vriendenkwijt", "mantelzorger", "Als mantelzorger raak je je eigen vrienden kwijt",
       "leefwereld", "mantelzorg"),
    _c("binnen", "winter", "In de winter dagen achter elkaar binnen zitten", "leefwereld",
       "donker"),
    _c("kat", "gerda", "Ik praat tegen de kat. Dat is niet gek, dat is eenzaam", "leefwereld",
       "last"),
    _c("serieus", "henk", "Ouderen voelen zich niet serieus genomen door de gemeente",
       "leefwereld", "laatgevraagd", "voorniet"),
    _c("zonnehof", "ria",
       "In de Zonnehof zit iedereen in zijn eigen flat, terwijl beneden een zaal leeg staat",
       "leefwereld", "beheerder"),
    _c("postdicht", "schuldhulp",
       "Post niet meer openmaken, en dan wordt het probleem steeds groter", "leefwereld",
       "schulden"),
    _c("bewegen", "mohamed", "Minder bewegen, spieren verslappen, meer valpartijen", "leefwereld",
       "stoep", "sport"),
    _c("krant", "lotte", "Mensen lezen de krant drie keer, omdat de bieb het enige uitje is",
       "leefwereld", "bieb"),
    _c("verleren", "dewi", "Je verleert het om met mensen te praten", "leefwereld", "vrienden"),
    _c("meelachen", "rollator", "Ik hoor de grapjes niet meer en lach maar mee", "leefwereld",
       "gehoor"),
    _c("schuldgevoel", "samira",
       "Familie krijgt schuldgevoel en ruzie over wie er deze week moet gaan", "leefwereld",
       "kinderen"),
    _c("aanspraak", "yusuf",
       "Na de verhuizing naar een seniorenwoning: mooie woning, geen aanspraak", "leefwereld",
       "verhuizen"),
    _c("gezondheid", "fatima",
       "Gezondheidsklachten worden niet besproken, door de taal en door schaamte", "leefwereld",
       "taal", "schaamte"),
    # systeemwereld
    _c("laat", "marieke",
       "Eenzaamheid wordt pas laat gezien, vaak bij de huisarts met lichamelijke klachten",
       "systeemwereld", "schaamte", "verwijzen"),
    _c("thuiszorgvraag", "ruben", "Meer vraag naar thuiszorg en huisbezoeken", "systeemwereld",
       "bus", "kinderen"),
    _c("crisisopname", "esther",
       "Het wijkteam komt pas bij de crisis: opname, vervuilde woning, overlast",
       "systeemwereld", "crisis", "indicatie"),
    _c("eigentijd", "thuiszorg",
       "Medewerkers doen het praatje in hun eigen tijd en raken opgebrand", "systeemwereld",
       "minuten", "gezichten"),
    _c("terugkomen", "loket",
       "Mensen komen steeds terug bij het loket, voor contact, niet voor hun aanvraag",
       "systeemwereld", "digitaal"),
    _c("consulten", "marieke",
       "Overbelaste huisartsenpraktijk: naar schatting één op de vijf consulten heeft een sociale "
       "oorzaak", "systeemwereld", "verwijzen"),
    _c("verpleeghuis", "ggd",
       "Hogere zorgkosten: eenzame ouderen gaan eerder naar het verpleeghuis", "systeemwereld",
       "monitor", "langerthuis"),
    _c("projecten", "sanne",
       "Losse projecten die na een jaar stoppen; inwoners haken af bij het volgende",
       "systeemwereld", "subsidie"),
    _c("werkt", "anouk", "Niemand kan zeggen of ons beleid werkt", "systeemwereld",
       "meten", "versnipperd"),
    _c("concurreren", "joost",
       "Organisaties concurreren om dezelfde subsidiepot in plaats van samen te werken",
       "systeemwereld", "subsidie", "versnipperd"),
    _c("vergrijst", "bram", "De vrijwilligerspool vergrijst: over vijf jaar is er niemand meer",
       "systeemwereld", "vrijwouder"),
    _c("huismeesters", "yusuf",
       "Huismeesters doen welzijnswerk, maar dat staat nergens in hun taakomschrijving",
       "systeemwereld", "langerthuis"),
    _c("indicatieaanvraag", "ingrid",
       "Ouderen komen pas bij ons als er al een indicatie is aangevraagd", "systeemwereld",
       "onbekend", "crisis"),
    _c("verkeer", "pieter", "De openbare ruimte wordt ingericht op verkeer, niet op verblijven",
       "systeemwereld", "nieuwbouw", "stoep"),
    _c("cijfers", "hoekstra", "De raad krijgt cijfers, geen verhalen, en besluit dus over cijfers",
       "systeemwereld", "voorniet", "meten"),
    _c("huishoudelijk", "ruben",
       "Wmo-aanvragen voor huishoudelijke hulp die eigenlijk een vraag om gezelschap zijn",
       "systeemwereld", "indicatie", "last"),
    _c("dagbesteding", "esther",
       "Dagbesteding zit vol, dus mensen blijven thuis zitten tot het echt misgaat",
       "systeemwereld", "wachtlijst"),
    _c("schuldhulpbereik", "schuldhulp",
       "Schuldhulpverlening bereikt ouderen nauwelijks, ze komen niet uit zichzelf",
       "systeemwereld", "schulden", "eerstestap"),
    _c("informeelloket", "lotte",
       "De bibliotheek is het informele loket van de gemeente geworden, zonder dat te zijn",
       "systeemwereld", "digitaal", "bieb"),
    _c("statistiek", "joost",
       "Mannen komen niet op activiteiten af; die zien we pas terug in de statistieken",
       "systeemwereld", "mannen"),
    _c("adviezen", "henk",
       "Adviezen van de seniorenraad komen te laat om nog iets te veranderen", "systeemwereld",
       "laatgevraagd"),
    _c("weten", "mohamed",
       "Buurtsport, welzijn en wijkteam weten niet van elkaar welke ouderen ze zien",
       "systeemwereld", "versnipperd", "vrijwpriv"),
    _c("campagnes", "ggd",
       "Preventiegeld gaat naar campagnes die juist de eenzaamsten niet bereiken",
       "systeemwereld", "info", "meten"),
]  # fmt: skip

#: Cards the facilitator merged into another (a duplicate), as ``(duplicate, kept)``.
MERGES = [("geenplek", "buurthuis")]
#: Cards the facilitator hid: a phone number does not belong on the projector or in the verslag.
HIDDEN = ["telefoonnummer"]


@dataclass(frozen=True)
class Cluster:
    key: str
    title: str
    cards: tuple[str, ...]
    tags: tuple[str, ...] = ()


CLUSTERS = [
    Cluster("ontmoeten", "Plekken om elkaar dichtbij huis te ontmoeten",
            ("buurthuis", "beheerder", "nieuwbouw", "bieb", "winkels", "bankjesweg",
             "foto_bankje", "foto_buurthuis", "zonnehof", "verkeer", "nieuwbouwbeeld", "tafel",
             "jeudeboules"), ("hefboom",)),
    Cluster("schaamte", "Schaamte en de eerste stap",
            ("schaamte", "eerstestap", "last", "aanbellen", "cirkel", "kat", "rouw",
             "aankleden", "alleen", "gordijnen"), ("angel",)),
    Cluster("signaleren", "Op tijd signaleren, vóór de crisis",
            ("crisis", "verwijzen", "onbekend", "laat", "crisisopname", "indicatieaanvraag",
             "post", "patient", "consulten", "wijkteamplek", "balie", "terugkomen"),
            ("hefboom",)),
    Cluster("bereik", "Bereikbaarheid: bus, stoep en rijbewijs",
            ("bus", "stoep", "rijbewijs", "donker", "bingo", "straat", "bewegen",
             "rollatorbus")),
    Cluster("minuten", "Zorg en welzijn op de minuut",
            ("minuten", "gezichten", "indicatie", "wachtlijst", "eigentijd", "huishoudelijk",
             "dagbesteding", "tienminuten")),
    Cluster("versnipperd", "Versnipperd beleid met een korte adem",
            ("subsidie", "versnipperd", "meten", "wijkbudget", "voorniet", "laatgevraagd",
             "projecten", "werkt", "concurreren", "cijfers", "adviezen", "raadsvoorstel",
             "serieus")),
    Cluster("kiemen", "Wat er al is: huismeesters, bieb, moskee en vrijwilligers",
            ("vrijwpriv", "moskee", "prikbord", "leestafel", "huismeesters", "informeelloket",
             "vrijwouder", "vergrijst", "galerij", "supermarkt"), ("kiem",)),
    Cluster("bereiken", "Wie we niet bereiken: migranten, mannen, mensen met geldzorgen",
            ("taal", "mannen", "schulden", "digitaal", "info", "wachten", "statistiek",
             "postdicht", "schuldhulpbereik", "brieven", "gezondheid", "campagnes")),
]  # fmt: skip

#: Single cards the facilitator tagged (a cluster's tag is on the cluster).
CARD_TAGS = {"leestafel": ["kiem"], "huismeesters": ["kiem"], "zonnehof": ["hefboom"]}

#: Each person's three dots (budget 3), on clusters; a cluster may get more than one.
DOTS: dict[str, tuple[str, ...]] = {
    "gerda": ("ontmoeten", "ontmoeten", "schaamte"),
    "henk": ("ontmoeten", "versnipperd", "bereik"),
    "buurvrouw": ("schaamte", "signaleren", "ontmoeten"),
    "fatima": ("bereiken", "bereiken", "kiemen"),
    "wim": ("bereik", "ontmoeten", "bereik"),
    "rollator": ("bereik", "bereik", "ontmoeten"),
    "ria": ("ontmoeten", "ontmoeten", "kiemen"),
    "winter": ("ontmoeten", "schaamte", "bereik"),
    "samira": ("schaamte", "schaamte", "signaleren"),
    "kees": ("schaamte", "ontmoeten", "signaleren"),
    "mantelzorger": ("signaleren", "schaamte", "minuten"),
    "dewi": ("ontmoeten", "schaamte", "schaamte"),
    "theo": ("signaleren", "ontmoeten", "schaamte"),
    "joost": ("ontmoeten", "kiemen", "versnipperd"),
    "marieke": ("signaleren", "signaleren", "minuten"),
    "yusuf": ("kiemen", "signaleren", "ontmoeten"),
    "lotte": ("kiemen", "ontmoeten", "bereiken"),
    "thuiszorg": ("minuten", "minuten", "signaleren"),
    "bram": ("kiemen", "kiemen", "ontmoeten"),
    "ruben": ("signaleren", "signaleren", "ontmoeten"),
    "esther": ("signaleren", "minuten", "schaamte"),
    "loket": ("bereiken", "signaleren", "ontmoeten"),
    "mohamed": ("ontmoeten", "bereik", "kiemen"),
    "ingrid": ("signaleren", "bereiken", "ontmoeten"),
    "schuldhulp": ("bereiken", "schaamte", "signaleren"),
    "anouk": ("versnipperd", "ontmoeten", "signaleren"),
    "pieter": ("ontmoeten", "ontmoeten", "bereik"),
    "ggd": ("signaleren", "versnipperd", "bereiken"),
    "sanne": ("versnipperd", "versnipperd", "signaleren"),
    "hoekstra": ("ontmoeten", "signaleren", "kiemen"),
}


@dataclass(frozen=True)
class ProposalText:
    key: str
    author: str
    kind: str
    text: str
    cites_cards: tuple[str, ...] = ()
    cites_clusters: tuple[str, ...] = ()
    in_scope: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    core_themes: tuple[str, ...] = ()


WAAROM_BELEID = ProposalText(
    "waarom_beleid", "anouk", "waarom",
    "Eenzaamheid onder ouderen in Waterland-Oost terugdringen, in lijn met de landelijke aanpak "
    "tegen eenzaamheid.",
    cites_cards=("monitor",),
)  # fmt: skip
WAAROM_KEES = ProposalText(
    "waarom_kees", "kees", "waarom",
    "Iedereen in Oost telt mee, ook als je oud bent en alleen.",
    cites_cards=("dagen", "schaamte"),
)  # fmt: skip
#: Between the rounds the facilitator amends Kees's proposal with what the objections asked for.
WAAROM_AMENDED = ProposalText(
    "waarom", FACILITATOR, "waarom",
    "Iedere oudere in Waterland-Oost heeft iemand om mee te praten en een plek dichtbij huis om "
    "naartoe te gaan, en wie zich terugtrekt wordt op tijd gezien, door buren, partners en "
    "gemeente samen.",
    cites_cards=("dagen", "schaamte", "laat"),
    cites_clusters=("ontmoeten", "signaleren"),
)  # fmt: skip
OPGAVE = ProposalText(
    "opgave", "joost", "opgave",
    "Samen met inwoners zorgen dat ouderen in Oost elkaar weer dichtbij huis ontmoeten, en dat "
    "eenzaamheid eerder wordt opgemerkt door wie ouderen al dagelijks zien: huisarts, "
    "huismeester, thuiszorg, bieb en buren.",
    cites_cards=("zonnehof", "huismeesters"),
    cites_clusters=("ontmoeten", "signaleren", "kiemen"),
    in_scope=(
        "ontmoetingsplekken in de wijk, te beginnen met de Zonnehof en het oude buurthuis",
        "vervoer naar activiteiten op zondag en ’s avonds",
        "signalering door huisarts, huismeester, thuiszorg en wijkteam, met toestemming",
        "oudere migranten en oudere mannen die het huidige aanbod niet bereikt",
    ),
    out_of_scope=(
        "indicaties en zorgbudgetten (Wmo, Wlz)",
        "woningbouwprogrammering",
        "een nieuwe landelijke campagne",
    ),
    core_themes=("ontmoeten dichtbij huis", "op tijd signaleren", "meedoen zonder schaamte"),
)  # fmt: skip


def _scores(line: str) -> list[int]:
    """Thirty scores in :data:`PEOPLE`'s order, written in groups of the people's groups."""
    scores = [int(c) for c in line if c.isdigit()]
    assert len(scores) == len(PEOPLE), len(scores)
    return scores


# Order: 8 inwoners | 5 ervaringsdeskundigen | 6 ketenpartners | 6 uitvoering | 4 beleid | bestuur
#: Round 1 (waarom): neither converges. The policy text gets objections, Kees's is found too vague.
ROUND_ONE = {
    "waarom_beleid": _scores("12312223 | 21223 | 324332 | 332433 | 5444 | 3"),
    "waarom_kees": _scores("55455454 | 55454 | 434343 | 443434 | 2312 | 4"),
}
#: Round 2 (waarom): the amended proposal converges (at least 75% 4 or 5, nobody blocks).
ROUND_TWO = {"waarom": _scores("55454545 | 55545 | 454545 | 545443 | 4443 | 5")}
#: Round 3 (opgave): converges at once.
ROUND_OPGAVE = {"opgave": _scores("45454534 | 54545 | 545453 | 454544 | 4535 | 4")}

#: The reasons given with a 1 (bezwaar) or a 2, by person and proposal.
REASONS: dict[tuple[str, str], str] = {
    ("gerda", "waarom_beleid"):
        "Bezwaar. ‘Terugdringen’ klinkt alsof wij een probleem zijn dat weg moet.",
    ("ria", "waarom_beleid"):
        "Dit is de taal van het ministerie. Mijn buren herkennen zich hier niet in.",
    ("kees", "waarom_beleid"):
        "Er staat niks in over ontmoeten, en daar ging het vandaag de hele tijd over.",
    ("fatima", "waarom_beleid"):
        "Wie is ‘ouderen’? Mijn tante en haar vriendinnen tellen in die cijfers niet mee.",
    ("ggd", "waarom_kees"):
        "Zo breed dat niemand ertegen is en niemand iets hoeft te doen. Waar sturen we op?",
    ("anouk", "waarom_kees"):
        "Mooi, maar het zegt niet wat we gaan doen of wie er aan zet is.",
    ("sanne", "waarom_kees"):
        "Te vaag om op te sturen, en het gaat niet over op tijd signaleren.",
    ("pieter", "waarom_kees"):
        "Mis de plek: ontmoeten gebeurt ergens, in de wijk.",
}  # fmt: skip

#: Why the policy proposal is withdrawn before the second round (by its author).
WITHDRAWN = "waarom_beleid"

"""The chain, who was heard and what people consented to share, through a whole workshop into
every export format, each opened by its own reader library.

One anonymous workshop of ten people is run through the real command executor: beelden (one a
real photo through the image pipeline), factoren, consequenties in both worlds, tagged clusters,
a closed dot vote, a waarom citing two clusters and a loose card that needed two rounds (an
objection with a reason in the first), an opgave, and participants who did and did not agree to
have their drijfveer in the record. Then every format — Markdown, HTML, PDF, JSON, CSV, Word,
spreadsheet, OpenDocument — must hold the same record.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import jsonschema
import openpyxl
import pytest
from odf import draw, teletype
from odf import text as odf_text
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odt
from pypdf import PdfReader
from sqlmodel import select

from app.db import session_scope
from app.exports.document import counted, document, share
from app.exports.formats import render
from app.exports.pdf import column_widths
from app.exports.renderers import CSV_TABLES, csv_table, markdown
from app.exports.summary import SCHEMA_PATH, Summary, build_summary
from app.images.pipeline import process
from app.images.storage import LocalImageStore, file_key
from app.realtime.commands import execute
from app.realtime.protocol import CardPostImage
from app.workshops.heard import Heard, heard
from app.workshops.models import Vertrekpunt, WorkshopSettings
from app.workshops.presets import Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.accounts.factories import migrated_engine
from tests.images import samples
from tests.support.databases import database_url
from tests.workshops.scripted import facilitator_and_trajectory, new_room

K = 3
#: (name typed at joining, group, drijfveer, drijfveer consent, contribution, its consent)
PEOPLE = [
    (
        "Wilhelmina Zonneveld",
        "inwoner",
        "Mijn moeder woont alleen",
        "record",
        "aan_tafel",
        "record",
    ),
    (
        "Gijsbertha Tuinstra",
        "inwoner",
        "Ik ben zelf eenzaam",
        "facilitator",
        "ondersteunen",
        "record",
    ),
    ("Hendrikus Pietersma", "inwoner", "", "facilitator", "meeformuleren", "record"),
    ("Aaltje Brouwerskamp", "inwoner", "", "facilitator", "meeformuleren", "facilitator"),
    (
        "Barend Kwakkelstein",
        "beleid",
        "Beleid moet dichter bij mensen",
        "record",
        "meeformuleren",
        "record",
    ),
    ("Cornelis Dijkhuizen", "beleid", "", "facilitator", "meeformuleren", "record"),
    ("Dirkje Oosterwolde", "beleid", "", "facilitator", "ondersteunen", "record"),
    ("Evert Hoogeveen", "ketenpartner", "", "facilitator", "ondersteunen", "facilitator"),
    ("Froukje Wijnstra", "ketenpartner", "", "facilitator", "ondersteunen", "facilitator"),
    ("Geertruida Valkema", "ketenpartner", "", "facilitator", "ondersteunen", "facilitator"),
]
CONSENTED = ["Mijn moeder woont alleen", "Beleid moet dichter bij mensen"]
NOT_CONSENTED = "Ik ben zelf eenzaam"
OBJECTION = "Te vaag voor onze wijk"
OPGAVE = "Ontmoetingsplekken dichtbij huis in Oost."
WAAROM = "Niemand in Oost hoeft alleen te zijn."
CLUSTER = "Plekken om elkaar te ontmoeten"
PHOTO = "Een leeg bankje bij de bushalte"
LOOSE = "Te weinig vrijwilligers"
LEEFWERELD = "Dagen zonder gesprek"
SYSTEEMWERELD = "Meer vraag naar thuiszorg"
#: Text in the tree, in the order it must be read: opgave, waarom, cluster, card, its factor.
TREE_ORDER = [OPGAVE, WAAROM, CLUSTER, PHOTO, LEEFWERELD]


@dataclass
class Record:
    summary: Summary
    heard: Heard
    store: LocalImageStore
    files: dict[str, bytes | str]


def post_photo(room: Runner, store: LocalImageStore, person, text: str) -> int:
    """A beeld with a real photo, through the same image pipeline an upload takes."""
    processed = process(samples.jpeg_with_gps_rotated())
    key = f"{room.workshop_id}/{'cd' * 16}"
    store.put(file_key(key, "display"), processed.display)
    store.put(file_key(key, "thumb"), processed.thumb)
    outcome = execute(
        room.engine,
        workshop_id=room.workshop_id,
        actor=person,
        images=store,
        command=CardPostImage(
            type="card.post_image",
            cid="photo",
            text=text,
            image_key=key,
            width=processed.width,
            height=processed.height,
        ),
    )
    return int(outcome.ack.result["card_id"])


def run_workshop(engine, store: LocalImageStore) -> int:
    room = new_room(
        engine,
        ["inwoner", "beleid", "ketenpartner", "bestuur"],
        title="Startbijeenkomst",
        theme_question="Wat maakt ouderen eenzaam?",
        anonymous=True,
    )
    for name, group, drijfveer, drijfveer_use, contribution, contribution_use in PEOPLE:
        room.join(
            name,
            group,
            organisation="Gemeente Waterland",
            drijfveer=drijfveer,
            drijfveer_use=drijfveer_use,
            contribution=contribution,
            contribution_use=contribution_use,
        )
    inwoners, beleid = room.people[:4], room.people[4:7]
    room.phase("beelden")
    photo = post_photo(room, store, inwoners[0], PHOTO)
    room.do(inwoners[1], type="card.post", kind="beeld", text="Een gesloten deur")
    room.phase("factoren")
    buurthuis = room.do(inwoners[2], type="card.post", kind="factor", text="Buurthuis gesloten")
    bus = room.do(beleid[0], type="card.post", kind="factor", text="Geen bus op zondag")
    loose = room.do(beleid[1], type="card.post", kind="factor", text=LOOSE)
    room.phase("consequenties")
    leef = room.do(
        inwoners[3],
        type="card.post",
        kind="consequentie",
        text=LEEFWERELD,
        world="leefwereld",
        factor_ids=[buurthuis["card_id"]],
    )
    systeem = room.do(
        beleid[2],
        type="card.post",
        kind="consequentie",
        text=SYSTEEMWERELD,
        world="systeemwereld",
        factor_ids=[bus["card_id"]],
    )
    room.phase("clusteren")
    meet = room.do(
        room.facilitator,
        type="cluster.create",
        title=CLUSTER,
        card_ids=[photo, buurthuis["card_id"], leef["card_id"]],
    )["cluster_id"]
    reach = room.do(
        room.facilitator,
        type="cluster.create",
        title="Bereikbaarheid",
        card_ids=[bus["card_id"], systeem["card_id"]],
    )["cluster_id"]
    room.do(room.facilitator, type="cluster.tag", cluster_id=meet, tags=["hefboom"])
    room.do(room.facilitator, type="cluster.tag", cluster_id=reach, tags=["angel"])
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open", budget=2)
    for n, person in enumerate(room.people):
        room.do(person, type="vote.cast", target_type="cluster", target_id=meet)
        room.do(person, type="vote.cast", target_type="cluster", target_id=reach if n % 3 else meet)
    room.do(room.facilitator, type="vote.close")
    room.phase("waarom")
    first = room.do(
        inwoners[0],
        type="proposal.create",
        kind="waarom",
        text="Minder eenzaamheid.",
        cited_cluster_ids=[meet, reach],
        cited_card_ids=[loose["card_id"]],
    )["proposal_id"]
    round_one = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for n, person in enumerate(room.people):
        room.do(
            person,
            type="rating.give",
            round_id=round_one,
            proposal_id=first,
            score=1 if n == 1 else 4,
            reason=OBJECTION if n == 1 else "",
        )
    room.do(room.facilitator, type="round.close", round_id=round_one)
    second = room.do(room.facilitator, type="proposal.amend", proposal_id=first, text=WAAROM)[
        "proposal_id"
    ]
    round_two = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=round_two, proposal_id=second, score=5)
    room.do(room.facilitator, type="round.close", round_id=round_two)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=second)
    room.phase("opgave")
    opgave = room.do(
        beleid[0],
        type="proposal.create",
        kind="opgave",
        text=OPGAVE,
        in_scope=["buurthuis heropenen"],
        out_of_scope=["zorgbudgetten"],
        core_themes=["ontmoeten"],
        cited_cluster_ids=[meet],
    )["proposal_id"]
    round_three = room.do(room.facilitator, type="round.open", kind="opgave")["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=round_three, proposal_id=opgave, score=5)
    room.do(room.facilitator, type="round.close", round_id=round_three)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave)
    room.phase("afronding")
    room.do(room.facilitator, type="vertrekpunt.save")
    return room.workshop_id


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Record]:
    """The workshop, run once, and every export of it (in Dutch; English where it differs)."""
    folder = tmp_path_factory.mktemp("chain")
    store = LocalImageStore(folder / "images")
    with database_url(folder) as url, migrated_engine(url) as engine:
        workshop_id = run_workshop(engine, store)
        summary = build_summary(engine, workshop_id=workshop_id, min_group_size=K)
        assert summary is not None
        with session_scope(engine) as session:
            figures = heard(session, workshop_id, K)
        files: dict[str, bytes | str] = {
            fmt: render(summary, fmt, "nl", store)
            for fmt in ("md", "html", "pdf", "json", "docx", "xlsx", "odt")
        }
        files["pdf-en"] = render(summary, "pdf", "en", store)
        files |= {f"{t}.csv": csv_table(summary, t) for t in CSV_TABLES}
        yield Record(summary, figures, store, files)


def pdf_pages(data: bytes | str) -> list[str]:
    assert isinstance(data, bytes)
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def docx_text(data: bytes | str) -> str:
    assert isinstance(data, bytes)
    word = docx.Document(io.BytesIO(data))
    lines = [p.text for p in word.paragraphs]
    lines += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def odt_text(data: bytes | str) -> str:
    assert isinstance(data, bytes)
    opened = load_odt(io.BytesIO(data))
    parts = [
        teletype.extractText(element)
        for kind in (odf_text.H, odf_text.P)
        for element in opened.getElementsByType(kind)
    ]
    return "\n".join(parts)


def odt_in_order(data: bytes | str) -> str:
    """Headings and paragraphs in document order (lists and tables included)."""
    assert isinstance(data, bytes)
    opened = load_odt(io.BytesIO(data))

    def walk(node) -> Iterator[str]:
        if node.qname in ((TEXTNS, "h"), (TEXTNS, "p")):
            yield teletype.extractText(node)
            return
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE:
                yield from walk(child)

    return "\n".join(walk(opened.text))


def xlsx_book(data: bytes | str) -> openpyxl.Workbook:
    assert isinstance(data, bytes)
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_text(data: bytes | str) -> str:
    book = xlsx_book(data)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def readable(record: Record) -> dict[str, str]:
    """Every export as the text its reader library gives back."""
    files = record.files
    out = {
        "md": str(files["md"]),
        "html": str(files["html"]),
        "json": str(files["json"]),
        "pdf": " ".join(pdf_pages(files["pdf"])),
        "docx": docx_text(files["docx"]),
        "odt": odt_text(files["odt"]),
        "xlsx": xlsx_text(files["xlsx"]),
    }
    out |= {name: str(body) for name, body in files.items() if name.endswith(".csv")}
    out["csv"] = "\n".join(str(files[f"{t}.csv"]) for t in CSV_TABLES)
    return out


def after(text: str, marker: str) -> str:
    assert marker in text, f"no {marker!r}"
    return text[text.index(marker) :]


def in_order(text: str, fragments: list[str]) -> bool:
    positions = [text.find(f) for f in fragments]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def test_the_tree_is_in_every_format_in_reading_order(record: Record):
    texts = readable(record)
    tree = record.summary.tree
    assert tree is not None and tree.kind == "opgave" and tree.children[0].kind == "waarom"
    assert [c.text for c in tree.children[0].children][:2] == [CLUSTER, "Bereikbaarheid"]
    assert LOOSE in [c.text for c in tree.children[0].children], "the loose card is cited"
    documents = {
        "md": texts["md"],
        "html": texts["html"],
        "pdf": texts["pdf"],
        "docx": texts["docx"],
        "odt": odt_in_order(record.files["odt"]),
    }
    for name, text in documents.items():
        section = after(text, "Waar het vandaan komt")
        assert in_order(section, TREE_ORDER), f"{name}: the tree is not in reading order"
        assert LOOSE in section and SYSTEEMWERELD in section, name
        assert "Hefboom" in section and "Angel" in section, f"{name}: cluster tags"
        assert "Leefwereld" in section and "Systeemwereld" in section, f"{name}: worlds"
        assert "stippen" in section, f"{name}: dots in the tree"
        assert "verwijzen naar geen kaarten" not in text, f"{name} says nothing is cited"
    chain_sheet = xlsx_book(record.files["xlsx"])["Keten"]
    rows = list(chain_sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows][:3] == [OPGAVE, WAAROM, CLUSTER]
    assert [r[0] for r in rows][:3] == [0, 1, 2], "levels say what grew from what"
    chain_csv = list(csv.DictReader(io.StringIO(str(record.files["chain.csv"]))))
    assert [r["text"] for r in chain_csv][:3] == [OPGAVE, WAAROM, CLUSTER]
    assert in_order(after(texts["json"], '"tree"'), [OPGAVE, WAAROM, CLUSTER, PHOTO])
    assert texts["md"].count("  - ") >= 5, "Markdown nests the tree"


def test_all_cards_loose_ones_and_both_worlds_side_by_side(record: Record):
    md = str(record.files["md"])
    cards = after(md, "## Alle kaarten")
    assert "| Leefwereld | Systeemwereld |" in cards
    assert re.search(rf"\| {LEEFWERELD}[^|]*\| {SYSTEEMWERELD}", cards), "one row, two worlds"
    assert "Niet in een cluster: Een gesloten deur" in md, "a loose card that nobody cited"
    html = str(record.files["html"])
    assert '<div class="columns"><section><h4>Leefwereld</h4>' in html
    word = docx.Document(io.BytesIO(record.files["docx"]))  # type: ignore[arg-type]
    worlds = next(t for t in word.tables if t.cell(0, 0).text == "Leefwereld")
    assert worlds.cell(0, 1).text == "Systeemwereld"
    assert LEEFWERELD in worlds.cell(1, 0).text and SYSTEEMWERELD in worlds.cell(1, 1).text


def test_objections_and_consent_in_every_format(record: Record):
    texts = readable(record)
    for name in ("md", "html", "pdf", "json", "docx", "odt", "xlsx", "csv"):
        assert OBJECTION in texts[name], f"{name} lacks the objection's reason"
        for drijfveer in CONSENTED:
            assert drijfveer in texts[name], f"{name} lacks a consented drijfveer"
    assert OBJECTION in texts["ratings.csv"] and OBJECTION in texts["rounds.csv"]
    assert all(d in texts["consented.csv"] for d in CONSENTED)
    for name, text in texts.items():
        assert NOT_CONSENTED not in text, f"{name} holds a drijfveer without consent"
        assert "Gemeente Waterland" not in text, f"{name} holds an organisation"


def test_no_name_in_any_export_of_an_anonymous_workshop(record: Record):
    for name, text in readable(record).items():
        for person in PEOPLE:
            for part in person[0].split():
                assert part not in text, f"{part} leaked into {name}"


def test_who_was_heard_equals_the_figures_of_heard(record: Record):
    figures = record.heard
    assert record.summary.heard == figures
    assert figures.groups, "groups of k or more people are shown"
    assert "ketenpartner" in figures.under_heard, "they posted nothing: they mostly listened"
    total = figures.total
    labels = {"inwoner": "Inwoner", "beleid": "Beleid", "ketenpartner": "Ketenpartner"}
    labels["overige groepen"] = "Overige groepen"
    expected_rows = [
        [
            labels[g.group],
            counted(g.people, total.people),
            counted(g.cards, total.cards),
            counted(g.proposals, total.proposals),
            counted(g.dots, total.dots),
            counted(g.objections, total.objections),
        ]
        for g in figures.groups
    ]
    md = after(str(record.files["md"]), "## Wie er gehoord is")
    for row in expected_rows:
        assert "| " + " | ".join(row) + " |" in md
    assert "Luisterde vooral: Ketenpartner" in md
    html = after(str(record.files["html"]), "<h2>Wie er gehoord is</h2>")
    for row in expected_rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if i else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        assert cells in html
    pdf = after(" ".join(pdf_pages(record.files["pdf"])), "Wie er gehoord is")
    for row in expected_rows:
        assert " ".join(row) in pdf
    word = docx.Document(io.BytesIO(record.files["docx"]))  # type: ignore[arg-type]
    table = next(t for t in word.tables if t.cell(0, 1).text == "Mensen")
    assert [[c.text for c in r.cells] for r in table.rows[1:-1]] == expected_rows
    odt = after(odt_in_order(record.files["odt"]), "Wie er gehoord is")
    for row in expected_rows:
        assert "\n".join(row) in odt
    sheet = xlsx_book(record.files["xlsx"])["Gehoord"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [list(r[1:6]) for r in values[:-1]] == [
        [g.people, g.cards, g.proposals, g.dots, g.objections] for g in figures.groups
    ]
    assert list(values[-1][1:6]) == [
        total.people,
        total.cards,
        total.proposals,
        total.dots,
        total.objections,
    ]
    lines = list(csv.DictReader(io.StringIO(str(record.files["heard.csv"]))))
    assert [int(x["people"]) for x in lines] == [g.people for g in figures.groups] + [total.people]
    assert json.loads(str(record.files["json"]))["heard"] == figures.model_dump(mode="json")


def test_charts_with_their_text_alternatives(record: Record):
    html = str(record.files["html"])
    svgs = re.findall(r"<svg role=\"img\" aria-labelledby=\"([^\"]+)\".*?</svg>", html, re.S)
    assert len(svgs) == 4, "dots, agreement for waarom and for opgave, who was heard"
    for title in ("Stippen per kaart of cluster", "Waarom: instemming (4–5) per voorstel"):
        assert re.search(rf'<title id="chart-\d+-t">{re.escape(title)}', html), title
        assert f"<caption>{title}" in html, "the chart's table, captioned with its title"
    dots = record.summary.votes[-1].results
    assert f'<td class="num">{dots[0].dots}</td>' in html
    assert "http://" not in html and "https://" not in html, "self-contained"

    pages = pdf_pages(record.files["pdf"])
    reader = PdfReader(io.BytesIO(record.files["pdf"]))  # type: ignore[arg-type]
    drawn = [
        n
        for n, page in enumerate(reader.pages)
        if re.search(
            r"\.043137 \.309804 \.541176 rg", page.get_contents().get_data().decode("latin-1")
        )
    ]
    assert drawn, "the bars are vector graphics in the page's own content"
    chart_page = next(p for p in pages if "Stippen per kaart of cluster" in p)
    assert "Meeste stippen: " + CLUSTER in chart_page, "the sentence beside the chart"
    assert pages.index(chart_page) in drawn
    for n, page in enumerate(pages, start=1):
        assert f"Pagina {n} van {len(pages)}" in page
        assert "Startbijeenkomst — " in page, "the footer names the workshop and the date"
    english = pdf_pages(record.files["pdf-en"])
    assert all(f"Page {n} of {len(english)}" in p for n, p in enumerate(english, start=1))

    for name in ("md", "docx", "odt"):
        text = readable(record)[name]
        assert "Stippen per kaart of cluster" in text and "Aandeel in de mensen" in text, name
    with zipfile.ZipFile(io.BytesIO(record.files["xlsx"])) as archive:  # type: ignore[arg-type]
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())


def test_the_photo_is_embedded_in_every_document(record: Record):
    html = str(record.files["html"])
    assert html.count('src="data:image/jpeg;base64,') >= 2, "in the tree and with the cards"
    assert f'alt="{PHOTO}"' in html
    word = docx.Document(io.BytesIO(record.files["docx"]))  # type: ignore[arg-type]
    assert len(word.inline_shapes) >= 2
    assert any(p.partname.startswith("/word/media/") for p in word.part.package.parts)
    reader = PdfReader(io.BytesIO(record.files["pdf"]))  # type: ignore[arg-type]
    assert any(page.images for page in reader.pages), "an image XObject"
    opened = load_odt(io.BytesIO(record.files["odt"]))  # type: ignore[arg-type]
    assert opened.getElementsByType(draw.Image)
    with zipfile.ZipFile(io.BytesIO(record.files["odt"])) as archive:  # type: ignore[arg-type]
        assert any(n.startswith("Pictures/") for n in archive.namelist())


def test_every_round_with_figures_and_digits_that_do_not_wrap(record: Record):
    md = str(record.files["md"])
    for heading in ("### Waarom, ronde 1", "### Waarom, ronde 2", "### Opgave, ronde 1"):
        assert heading in md
    assert "| Minder eenzaamheid. | 90% | 10/10 | 1 0 0 9 0 | 1 | nee |" in md
    pdf = " ".join(pdf_pages(record.files["pdf"]))
    assert "1 0 0 9 0" in pdf and "0 0 0 0 10" in pdf, "each count row on one line"
    html = str(record.files["html"])
    assert '<td class="num">1 0 0 9 0</td>' in html and "white-space: nowrap" in html
    rounds = xlsx_book(record.files["xlsx"])["Rondes"]
    reasons = [r[-1] for r in rounds.iter_rows(min_row=2, values_only=True)]
    assert OBJECTION in reasons


def test_spreadsheet_sheets_have_bold_frozen_headers_and_widths(record: Record):
    book = xlsx_book(record.files["xlsx"])
    for name in ("Keten", "Kaarten", "Clusters", "Stippen", "Rondes", "Beoordelingen"):
        assert name in book.sheetnames
    for name in ("Aan tafel", "Gehoord", "Drijfveren", "Bijdragen"):
        assert name in book.sheetnames
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1] if cell.value), sheet.title
        assert sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width > 3
    ratings = list(book["Beoordelingen"].iter_rows(values_only=True))
    assert len(ratings[0]) == 6 and len(ratings) == 31, "30 ratings, never who gave them"


def test_a_workshop_of_few_people_hides_groups_in_the_heard_section(tmp_path: Path, engine):
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Klein", settings=WorkshopSettings()
    )
    room = Runner(engine, workshop, facilitator_id)
    room.join("Aaltje", "inwoner")
    room.join("Bram", "bestuur")
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and summary.heard is not None and not summary.heard.groups
    text = markdown(document(summary, language="en"))
    assert "Too few people took part to show figures per group." in text
    assert "Governance" not in after(text, "## Who was heard")
    assert "Nothing has been adopted yet." in text and "cite no cards" not in text
    for fmt in ("pdf", "docx", "odt", "xlsx", "html"):
        assert render(summary, fmt, "en", LocalImageStore(tmp_path)), fmt


def reframed(engine, *, old_record: bool) -> Summary:
    """Two workshops: the second starts from the first and moves a scope item back in."""
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner", "beleid"])

    def held(reframe: bool, groups: list[str], in_scope: list[str], out: list[str]) -> int:
        workshop, _ = create_workshop_row(
            engine,
            trajectory_id=trajectory_id,
            title="Herijking" if reframe else "Start",
            plan=Plan.from_request(None, reframe=reframe),
        )
        room = Runner(engine, workshop, facilitator_id)
        for n, group in enumerate(groups):
            room.join(f"Persoon {n}", group)
        for kind, text in (("waarom", "Niemand alleen."), ("opgave", "Ontmoeting.")):
            room.phase(kind)
            extra = {"in_scope": in_scope, "out_of_scope": out} if kind == "opgave" else {}
            proposal = room.do(
                room.people[0], type="proposal.create", kind=kind, text=text, **extra
            )["proposal_id"]
            room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal, reason="Tijd")
        room.phase("afronding")
        room.do(room.facilitator, type="vertrekpunt.save")
        return room.workshop_id

    held(False, ["inwoner"] * 3 + ["beleid"] * 3, ["ontmoeting"], ["zorgbudgetten", "vervoer"])
    if old_record:  # a vertrekpunt saved before version 2: no tree, heard or consented
        with session_scope(engine) as session:
            saved = session.exec(select(Vertrekpunt)).one()
            old = {k: v for k, v in saved.record.items() if k not in ("tree", "heard", "consented")}
            saved.record = {**old, "version": 1}
            session.add(saved)
    second = held(True, ["inwoner"] * 3, ["ontmoeting", "zorgbudgetten"], ["vervoer"])
    summary = build_summary(engine, workshop_id=second, min_group_size=K)
    assert summary is not None
    return summary


@pytest.mark.parametrize("old_record", [False, True])
def test_what_changed_is_complete_also_from_an_old_record(engine, tmp_path: Path, old_record: bool):
    summary = reframed(engine, old_record=old_record)
    assert summary.changes is not None
    assert summary.changes.out_of_scope.removed == ["zorgbudgetten"]
    for language, lines in (
        (
            "nl",
            [
                "Van buiten naar binnen de opgave verplaatst: zorgbudgetten",
                "Niet meer aan tafel: Beleid",
                "Ontbreekt nu aan tafel: Beleid",
            ],
        ),
        (
            "en",
            [
                "Moved from out of scope into scope: zorgbudgetten",
                "Now missing at the table: Policy",
            ],
        ),
    ):
        text = markdown(document(summary, language=language))
        for line in lines:
            assert f"- {line}" in text, line
        changed = next(part for part in text.split("\n## ") if lines[0] in part)
        assert changed.count("zorgbudgetten") == 1, "one move is one line, not two"
    store = LocalImageStore(tmp_path)
    for fmt in ("html", "pdf", "docx", "odt", "xlsx", "json"):
        assert render(summary, fmt, "nl", store), fmt


def test_an_older_summary_without_tree_heard_or_consent_still_validates_and_renders(
    record: Record,
):
    older = json.loads(str(record.files["json"]))
    for key in ("tree", "heard", "consented"):
        del older[key]
    jsonschema.validate(older, json.loads(SCHEMA_PATH.read_text()))
    summary = Summary.model_validate(older)
    text = markdown(document(summary, language="nl"))
    assert "## Waar het vandaan komt" in text and PHOTO in after(text, "## Waar het vandaan")
    assert "Wie er gehoord is" not in text
    jsonschema.validate(json.loads(str(record.files["json"])), json.loads(SCHEMA_PATH.read_text()))


def test_column_widths_fit_figures_and_share_the_rest():
    rows = [
        ["Voorstel", "Eens (4–5)", "Gewaardeerd", "1 2 3 4 5", "Bezwaren"],
        ["Een heel lang voorstel " * 12, "100%", "38/40", "10 10 10 10 10", "0"],
    ]
    widths = column_widths(rows, {1, 2, 3, 4}, 480.0)
    assert abs(sum(widths) - 480.0) < 1, "the text column takes what is left"
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert widths[3] >= stringWidth("10 10 10 10 10", "Helvetica", 10) + 12
    assert widths[0] > max(widths[1:]), "the long text gets the most room"
    short = column_widths([["a", "b"], ["1", "2"]], {1}, 480.0)
    assert sum(short) < 100, "a small table is as wide as its content, not the page"
    assert share(1, 3) == "33%" and counted(2, 0) == "2 (—)"


FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+31 6 1234", "-2+3", "@SUM(A1)"]


def test_spreadsheet_cells_never_become_formulas(engine):
    group = "=cmd|' /c calc'!a0"
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, [group])
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Formules", settings=WorkshopSettings()
    )
    room = Runner(engine, workshop, facilitator_id)
    people = [
        room.join("=Wilhelmina", group, name_in_verslag=True),
        room.join("@Barend", group, name_in_verslag=True),
    ]
    room.phase("factoren")
    for n, text in enumerate(FORMULAS):
        room.do(people[n % 2], type="card.post", kind="factor", text=text)
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=2)
    assert summary is not None
    data = render(summary, "xlsx", "nl", None)
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets), "no formula"
    cards = xlsx_book(data)["Kaarten"]
    texts = {row[2].value: row[2] for row in cards.iter_rows(min_row=2)}
    assert set(texts) == set(FORMULAS), "shown exactly as typed, without a leading quote"
    for text in ("=HYPERLINK", "@SUM"):
        cell = next(c for value, c in texts.items() if value.startswith(text))
        assert cell.data_type == "s" and cell.quotePrefix, "a string, and it stays one"
    authors = {row[8] for row in cards.iter_rows(min_row=2, values_only=True)}
    assert authors == {"=Wilhelmina", "@Barend"}
    groups = {row[7] for row in cards.iter_rows(min_row=2, values_only=True)}
    assert groups == {group}


def test_atelier_export_writes_every_new_format(engine, db_url: str, tmp_path: Path):
    from app.exports.cli import export_command
    from app.settings import Settings

    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner"])
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Archief", settings=WorkshopSettings()
    )
    room = Runner(engine, workshop, facilitator_id)
    room.join(None, "inwoner", drijfveer="Mijn buurt", drijfveer_use="record")
    room.phase("factoren")
    room.do(room.people[0], type="card.post", kind="factor", text="Geen bankjes")
    settings = Settings(database_url=db_url, data_dir=tmp_path)

    def export(fmt: str) -> Path:
        out = tmp_path / f"archief.{fmt}"
        code = export_command(
            settings, workshop_id=room.workshop_id, fmt=fmt, language="en", out=str(out)
        )
        assert code == 0, fmt
        return out

    assert "Geen bankjes" in docx_text(export("docx").read_bytes())
    assert "Geen bankjes" in xlsx_text(export("xlsx").read_bytes())
    assert "Geen bankjes" in odt_text(export("odt").read_bytes())
    assert "Mijn buurt" in export("consented.csv").read_text(encoding="utf-8")
    assert (
        export_command(
            settings,
            workshop_id=room.workshop_id,
            fmt="exe",
            language=None,
            out=str(tmp_path / "x"),
        )
        == 2
    )


def test_a_full_room_exports_every_format_in_time(engine, tmp_path: Path):
    """32 people and 160 cards: every format is made, and the PDF keeps its figures whole."""
    import time

    groups = ["inwoner"] * 12 + ["ervaringsdeskundige"] * 6 + ["beleid"] * 8 + ["uitvoering"] * 6
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, sorted(set(groups)))
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Groot", settings=WorkshopSettings()
    )
    room = Runner(engine, workshop, facilitator_id)
    for n, group in enumerate(groups):
        room.join(None, group, drijfveer=f"Drijfveer {n}", drijfveer_use="record")
    room.phase("factoren")
    factors = [
        room.do(room.people[n % 20], type="card.post", kind="factor", text=f"Factor {n} " * 3)[
            "card_id"
        ]
        for n in range(100)
    ]
    room.phase("consequenties")
    for n in range(60):
        room.do(
            room.people[n % 26],
            type="card.post",
            kind="consequentie",
            text=f"Gevolg {n}",
            world="leefwereld" if n % 2 else "systeemwereld",
            factor_ids=[factors[n]],
        )
    room.phase("clusteren")
    clusters = [
        room.do(
            room.facilitator,
            type="cluster.create",
            title=f"Thema {c}",
            card_ids=factors[c * 10 : c * 10 + 10],
        )["cluster_id"]
        for c in range(8)
    ]
    room.phase("waarom")
    proposal = room.do(
        room.people[0],
        type="proposal.create",
        kind="waarom",
        text="Samen " * 30,
        cited_cluster_ids=clusters[:4],
    )["proposal_id"]
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for person in room.people:
        room.do(person, type="rating.give", round_id=round_id, proposal_id=proposal, score=4)
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=proposal)
    summary = build_summary(engine, workshop_id=room.workshop_id, min_group_size=K)
    assert summary is not None and len(summary.cards) == 160
    store = LocalImageStore(tmp_path)
    started = time.monotonic()
    made = {fmt: render(summary, fmt, "nl", store) for fmt in ("pdf", "docx", "odt", "xlsx")}
    assert time.monotonic() - started < 30, "a large record is made in seconds"
    pdf = " ".join(pdf_pages(made["pdf"]))
    assert "0 0 0 32 0" in pdf and "32/32" in pdf, "figures stay on one line"
    assert "Drijfveer 31" in pdf and "Factor 99" in pdf
    assert len(xlsx_book(made["xlsx"])["Kaarten"]["A"]) == 161

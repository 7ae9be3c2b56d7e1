"""Charts and tables that look finished (issue 24), read from the real files with their readers.

A herijking of a trajectory is run through the real command executor: it starts from a saved
vertrekpunt (its old waarom becomes the first proposal, "zoals het nu is"), rates that old
framing at 20% beside a new waarom that begins with the same 37 characters and a third nobody
rates, votes on a cluster, and moves one scope item from inside to outside the opgave. Then
each point of the issue is checked in the file a reader opens: the PDF's chart drawing and text
(pypdf), the HTML page's SVG and styles, the workbook's cells (openpyxl), Word's styles
(python-docx) and the CSV headers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt
from pypdf import PdfReader

from app.exports.blocks import Chart
from app.exports.charts import drawing, svg
from app.exports.document import document
from app.exports.formats import render
from app.exports.registry import BY_NAME
from app.exports.renderers import csv_table
from app.exports.summary import Summary, build_summary
from app.workshops.presets import Plan
from app.workshops.routes import create_workshop_row
from app.workshops.runner import Runner
from tests.accounts.factories import migrated_engine
from tests.support.databases import database_url
from tests.workshops.scripted import facilitator_and_trajectory

OLD = "Gezinnen in Noord krijgen eerder hulp wanneer schulden zich opstapelen."
NEW = "Gezinnen in Noord krijgen eerder hulp van één vaste contactpersoon die alles overziet."
UNRATED = "Gezinnen in Noord krijgen eerder hulp, ook als ze er zelf niet om vragen."
CLUSTER = "Vroeg signaleren bij schulden"
MOVED = "huisbezoeken"
#: The moment every file below is dated, so the date in words can be checked.
MOMENT = "2026-12-07T10:15:00Z"
MARK_NL = "het vertrekpunt waar deze sessie van uitging"


@dataclass
class Herijking:
    summary: Summary
    files: dict[tuple[str, str], bytes | str]

    def file(self, fmt: str, language: str = "nl") -> Any:
        return self.files[(fmt, language)]


def _held(engine, trajectory_id: int, facilitator_id: int) -> int:
    """The first workshop: a waarom and an opgave adopted with a reason, saved."""
    workshop, _ = create_workshop_row(
        engine, trajectory_id=trajectory_id, title="Start", plan=Plan.from_request(None)
    )
    room = Runner(engine, workshop, facilitator_id)
    room.join("Anna", "inwoner")
    for kind, text, extra in (
        ("waarom", OLD, {}),
        ("opgave", "Schuldhulp dichtbij.", {"in_scope": ["schuldhulp", MOVED]}),
    ):
        room.phase(kind)
        made = room.do(room.people[0], type="proposal.create", kind=kind, text=text, **extra)
        room.do(
            room.facilitator, type="proposal.adopt", proposal_id=made["proposal_id"], reason="Tijd"
        )
    room.phase("afronding")
    room.do(room.facilitator, type="vertrekpunt.save")
    return room.workshop_id


def _reframed(engine) -> int:
    facilitator_id, trajectory_id = facilitator_and_trajectory(engine, ["inwoner", "beleid"])
    _held(engine, trajectory_id, facilitator_id)
    workshop, _ = create_workshop_row(
        engine,
        trajectory_id=trajectory_id,
        title="Herijking Noord",
        plan=Plan.from_request(None, reframe=True),
    )
    room = Runner(engine, workshop, facilitator_id)
    for n in range(10):
        room.join(f"Persoon {n}", "inwoner" if n < 5 else "beleid")
    room.phase("factoren")
    cards = [
        room.do(person, type="card.post", kind="factor", text=f"Brief {n} blijft liggen")["card_id"]
        for n, person in enumerate(room.people[:3])
    ]
    room.phase("clusteren")
    cluster = room.do(room.facilitator, type="cluster.create", title=CLUSTER, card_ids=cards)
    room.phase("prioriteren")
    room.do(room.facilitator, type="vote.open", budget=1)
    for person in room.people:
        room.do(person, type="vote.cast", target_type="cluster", target_id=cluster["cluster_id"])
    room.do(room.facilitator, type="vote.close")
    room.phase("waarom")  # the old waarom comes in as the first proposal
    new = room.do(room.people[0], type="proposal.create", kind="waarom", text=NEW)["proposal_id"]
    room.do(room.people[1], type="proposal.create", kind="waarom", text=UNRATED)
    summary = build_summary(engine, workshop_id=room.workshop_id)
    assert summary is not None
    old = next(p.id for p in summary.proposals if p.seeded_from_id is not None)
    round_id = room.do(room.facilitator, type="round.open", kind="waarom")["round_id"]
    for n, person in enumerate(room.people):
        for proposal, score in ((old, 4 if n < 2 else 2), (new, 5)):
            room.do(
                person, type="rating.give", round_id=round_id, proposal_id=proposal, score=score
            )
    room.do(room.facilitator, type="round.close", round_id=round_id)
    room.do(room.facilitator, type="proposal.adopt", proposal_id=new)
    room.phase("opgave")
    opgave = room.do(
        room.people[0],
        type="proposal.create",
        kind="opgave",
        text="Schuldhulp dichtbij, zonder loketten.",
        in_scope=["schuldhulp"],
        out_of_scope=[MOVED],
    )["proposal_id"]
    room.do(room.facilitator, type="proposal.adopt", proposal_id=opgave, reason="Tijd")
    room.phase("afronding")
    room.do(room.facilitator, type="vertrekpunt.save")
    return room.workshop_id


@pytest.fixture(scope="module")
def herijking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Herijking]:
    folder = tmp_path_factory.mktemp("finished")
    with database_url(folder) as url, migrated_engine(url) as engine:
        built = build_summary(engine, workshop_id=_reframed(engine))
    assert built is not None
    summary = built.model_copy(update={"generated_at": MOMENT})
    files = {
        (fmt, language): render(summary, fmt, language, None)
        for fmt in ("pdf", "html", "md", "docx", "odt", "xlsx")
        for language in ("nl", "en")
    }
    yield Herijking(summary, files)


def helvetica(size: float, slack: float = 1.0) -> Any:
    """How wide a text is in Helvetica at ``size``, as reportlab measures it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return lambda text: stringWidth(text, "Helvetica", size) * slack


def pdf_text(data: bytes | str) -> str:
    assert isinstance(data, bytes)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def strings(node: Any) -> Iterator[Any]:
    """Every text a reportlab drawing draws, its widgets expanded into shapes."""
    from reportlab.graphics.shapes import Group, String, UserNode

    for child in getattr(node, "contents", []):
        if isinstance(child, UserNode):  # a chart, an axis, a label: what it draws
            child = child.provideNode()
        if isinstance(child, String):
            yield child
        elif isinstance(child, Group):
            yield from strings(child)


def agreement_chart(summary: Summary, language: str = "nl") -> Chart:
    return next(
        b
        for b in document(summary, language=language).blocks
        if isinstance(b, Chart) and b.percent and len(b.categories) == 3
    )


def test_proposal_labels_wrap_in_the_pdf_chart_and_nothing_is_cut(herijking: Herijking):
    chart = agreement_chart(herijking.summary)
    width = 481.0  # A4 less the margins, as the PDF draws it
    picture = drawing(chart, width)
    drawn = list(strings(picture))
    joined = " ".join(s.text for s in drawn)
    assert "…" not in joined, "no label is cut"
    for category in chart.categories:  # each label says the whole proposal, over its lines
        assert category in joined, category
    lines = [s.text for s in drawn if s.text in {*OLD.split(), *NEW.split()} or "Noord" in s.text]
    assert len(lines) >= 3 and max(helvetica(8)(line) for line in lines) <= 190, "wrapped"
    x0, _y0, x1, _y1 = picture.getBounds()  # every text and bar, where it is drawn
    assert x0 >= -0.5 and x1 <= width + 0.5, "nothing runs off the drawing's edge"
    pdf = pdf_text(herijking.file("pdf"))
    assert "eerder…" not in pdf and "eerder..." not in pdf
    assert "opstapelen. (het vertrekpunt waar" in pdf.replace("\n", " ")


def test_series_labels_are_whole_in_pdf_and_svg(herijking: Herijking):
    chart = agreement_chart(herijking.summary)
    chart = Chart(  # a series name as long as "Aandeel in kaarten en voorstellen"
        title=chart.title,
        description=chart.description,
        categories=chart.categories,
        series=["Aandeel in de mensen", "Aandeel in kaarten en voorstellen"],
        values=[[1.0, 1.0], [0.5, None], [0.2, 0.9]],
        percent=True,
        table=chart.table,
    )
    picture = drawing(chart, 481.0)
    texts = [s.text for s in strings(picture)]
    assert picture.getBounds()[2] <= 481.5, "the longest bar label fits beside its bar"
    assert "100% (Aandeel in kaarten en voorstellen)" in texts
    assert texts.count("Aandeel in kaarten en voorstellen") == 1, "the legend names it whole"
    image = svg(chart, "c")
    assert "100% (Aandeel in kaarten en voorstellen)</text>" in image
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', image).group(1))
    measure = helvetica(12, 1.12)
    drawn = re.findall(r'<text x="([\d.]+)"[^>]*font-size="12"[^>]*>([^<]+)</text>', image)
    assert len(drawn) == 2 + 5, "the legend's two names and five bar labels"
    for x, text in drawn:
        assert float(x) + measure(text) <= width + 1, text


def test_the_html_chart_wraps_labels_and_headers_keep_their_words(herijking: Herijking):
    html = str(herijking.file("html"))
    labels = re.findall(
        r'<text font-size="13" text-anchor="end"><title>([^<]*)</title>(.*?)</text>', html
    )
    shown = {
        title: " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", spans))
        for title, spans in labels
    }
    for proposal in (NEW, UNRATED):
        assert shown[proposal] == proposal, "wrapped over lines, not cut"
    assert "…" not in "".join(shown.values())
    style = html[html.index("<style>") : html.index("</style>")]
    rules = dict(re.findall(r"^\s*([^{}\n/]+?)\s*\{([^}]*)\}", style, re.M))
    cells = [body for selector, body in rules.items() if re.search(r"\b(th|td)\b", selector)]
    assert cells and not any(
        re.search(r"overflow-wrap:\s*anywhere|word-break:\s*break-all", body) for body in cells
    ), "no cell may break a word anywhere (it split “Geconvergeerd”)"
    assert re.search(r"hyphens:\s*manual", rules["th"]), "headers are never hyphenated"
    assert html.startswith('<!doctype html>\n<html lang="nl">'), "hyphenation follows lang"
    assert '<th scope="col">Geconvergeerd</th>' in html


def test_a_proposal_nobody_rated_says_not_rated_not_zero(herijking: Herijking):
    for language, words in (("nl", "niet gewaardeerd"), ("en", "not rated")):
        md = str(herijking.file("md", language))
        row = next(
            line for line in md.splitlines() if line.startswith(f"| {UNRATED}") and "/10" in line
        )
        assert f"| {words} | 0/10 |" in row and "0%" not in row, row
        chart = agreement_chart(herijking.summary, language)
        assert f"| {UNRATED} | {words} |" in markdown_table(chart)
        assert words in " ".join(s.text for s in strings(drawing(chart, 481)))
        assert f"{words}</text>" in str(herijking.file("html", language))
        assert words in pdf_text(herijking.file("pdf", language))
    rounds = csv_rows(csv_table(herijking.summary, "rounds"))
    unrated = next(r for r in rounds if r["proposal"] == UNRATED)
    assert unrated["raters"] == "0" and unrated["agree_share"] == "", "no share, not 0"


def markdown_table(chart: Chart) -> str:
    return "\n".join("| " + " | ".join(row) + " |" for row in chart.table.rows)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dates_are_written_in_the_export_language(herijking: Herijking):
    from app.exports.dates import long_date  # the one helper every format writes dates with

    assert long_date(MOMENT, "nl") == "7 december 2026"
    assert long_date(MOMENT, "en") == "7 December 2026"
    assert long_date("2026-12-06T23:30:00Z", "nl") == "7 december 2026", "a Dutch day"
    for language, line in (
        ("nl", "Verslag van 7 december 2026"),
        ("en", "Summary of 7 December 2026"),
    ):
        word = docx.Document(io.BytesIO(herijking.file("docx", language)))
        odt = load_odt(io.BytesIO(herijking.file("odt", language)))
        texts = {
            "md": str(herijking.file("md", language)),
            "html": str(herijking.file("html", language)),
            "pdf": pdf_text(herijking.file("pdf", language)),
            "docx": "\n".join(p.text for p in word.paragraphs),
            "odt": "\n".join(teletype.extractText(p) for p in odt.getElementsByType(odf_text.P)),
        }
        for fmt, text in texts.items():
            assert line in text, fmt
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text), fmt
        day = "7 december 2026" if language == "nl" else "7 December 2026"
        assert word.sections[0].footer.paragraphs[0].text.startswith(f"Herijking Noord — {day}")


def test_xlsx_shares_are_numbers_shown_as_percentages(herijking: Herijking):
    book = openpyxl.load_workbook(io.BytesIO(herijking.file("xlsx")))
    rounds = book["Rondes"]
    header = [c.value for c in rounds[1]]
    agree = header.index("Eens (4–5)")
    cells = {row[header.index("Voorstel")].value: row[agree] for row in rounds.iter_rows(min_row=2)}
    assert isinstance(cells[OLD].value, float) and cells[OLD].value == pytest.approx(0.2)
    assert cells[OLD].number_format == "0%" and cells[NEW].number_format == "0%"
    assert cells[UNRATED].value == "niet gewaardeerd"
    heard = book["Gehoord"]
    header = [c.value for c in heard[1]]
    share = heard.cell(row=2, column=header.index("Aandeel in de mensen") + 1)
    assert isinstance(share.value, float) and 0 < share.value <= 1
    assert share.number_format == "0%"


@pytest.mark.parametrize(("language", "tag"), [("nl", "nl-NL"), ("en", "en-GB")])
def test_word_is_tagged_with_the_export_language(herijking: Herijking, language: str, tag: str):
    word = docx.Document(io.BytesIO(herijking.file("docx", language)))
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == tag
    for name in ("Normal", "Heading 1", "List Bullet", "Caption"):
        lang = word.styles[name].element.rPr.find(qn("w:lang"))
        assert lang is not None and lang.get(qn("w:val")) == tag, name
    assert "en-US" not in styles.xml
    assert word.core_properties.language == tag


def test_csv_tables_name_their_clusters(herijking: Herijking):
    summary = herijking.summary
    assert "clusters.csv" in BY_NAME and BY_NAME["clusters.csv"].path == "export/clusters.csv"
    clusters = csv_rows(csv_table(summary, "clusters"))
    assert [(c["title"], c["cards"], c["dots"]) for c in clusters] == [(CLUSTER, "3", "10")]
    dots = csv_rows(csv_table(summary, "dots"))
    assert dots[0]["target"] == CLUSTER and dots[0]["target_id"] == clusters[0]["id"]
    cards = csv_rows(csv_table(summary, "cards"))
    assert {c["cluster_id"] for c in cards} == {clusters[0]["id"]}, "cards.csv ids resolve"


def test_the_starting_point_is_marked(herijking: Herijking):
    md = str(herijking.file("md"))
    assert f"| {OLD} ({MARK_NL}) | 20% |" in md
    assert f"{OLD} (the starting point this workshop began from)" in str(herijking.file("md", "en"))
    assert MARK_NL in agreement_chart(herijking.summary).categories[0]
    rounds = csv_rows(csv_table(herijking.summary, "rounds"))
    assert [(r["proposal"], r["starting_point"]) for r in rounds] == [
        (OLD, "True"),
        (NEW, "False"),
        (UNRATED, "False"),
    ]
    book = openpyxl.load_workbook(io.BytesIO(herijking.file("xlsx")))
    sheet = book["Rondes"]
    header = [c.value for c in sheet[1]]
    marked = {
        row[header.index("Voorstel")]: row[header.index("Vertrekpunt")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert marked == {OLD: "ja", NEW: None, UNRATED: None}


def test_a_scope_move_is_one_line(herijking: Herijking):
    changes = herijking.summary.changes
    assert changes is not None and changes.in_scope.removed == [MOVED]
    for language, line in (
        ("nl", "- Van binnen naar buiten de opgave verplaatst: huisbezoeken"),
        ("en", "- Moved from in scope to out of scope: huisbezoeken"),
    ):
        md = str(herijking.file("md", language))
        section = next(part for part in md.split("\n## ") if line in part)
        assert section.count(MOVED) == 1, section

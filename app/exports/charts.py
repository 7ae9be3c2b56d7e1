"""Bar charts for the record: inline SVG for the HTML page, vector drawings for the PDF.

Both draw a :class:`~app.exports.blocks.Chart` the same way: one row per category, one bar per
series, each bar labelled with its value (and its series when there are several), so nothing is
told by colour alone. The chart's table is rendered next to it as its text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from app.exports.blocks import Chart

#: Bar colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by labels too.
COLOURS = ("#0b4f8a", "#a1520b", "#3d6b21", "#6b3d8a")
#: At most this many lines per category label; a longer text ends in "…" (the table beside the
#: chart has it in full). Six lines hold two or three sentences: a proposal's statement.
LINES = 6
#: The HTML page's font is the reader's system font, a little wider than Helvetica, whose
#: metrics measure the SVG's text: leave it this much room.
SVG_SLACK = 1.12

Measure = Callable[[str], float]


def helvetica(size: float, slack: float = 1.0) -> Measure:
    """How wide a text is in Helvetica at ``size`` (points, or pixels for the SVG)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return lambda text: float(stringWidth(text, "Helvetica", size)) * slack


def _fit(text: str, width: float, measure: Measure) -> str:
    """The longest start of ``text`` that fits ``width`` with an ellipsis after it."""
    while text and measure(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, width: float, measure: Measure, lines: int = LINES) -> list[str]:
    """``text`` broken between words into lines no wider than ``width``: a label is wrapped,
    not cut, so two proposals that begin alike stay told apart. A word wider than a line (a
    web address) is broken where it must; past ``lines`` lines the last one ends in "…"."""
    out: list[str] = []
    line = ""
    for word in text.split():
        while measure(word) > width and len(word) > 1:  # a word no line can hold
            cut = next(n for n in range(len(word) - 1, 0, -1) if measure(word[:n]) <= width)
            if line:
                out.append(line)
                line = ""
            out.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and measure(candidate) > width:
            out.append(line)
            line = word
        else:
            line = candidate
    if line:
        out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], _fit(out[lines - 1] + " " + out[lines], width, measure)]
    return out or [""]


def value_text(chart: Chart, value: float) -> str:
    return f"{round(value * 100)}%" if chart.percent else f"{value:g}"


def label(chart: Chart, value: float | None, series: int, category: int) -> str:
    """A bar's label: its value (or the note said instead, "not rated"), and its series when
    there are several, in full (not told by colour alone). Empty where there is no bar."""
    note = chart.notes.get((category, series))
    if value is None and note is None:
        return ""
    text = note if note is not None else value_text(chart, value or 0.0)
    return f"{text} ({chart.series[series]})" if len(chart.series) > 1 else text


def bar_labels(chart: Chart) -> list[str]:
    return [
        label(chart, value, s, c)
        for c, row in enumerate(chart.values)
        for s, value in enumerate(row)
    ]


def _scale(chart: Chart) -> float:
    if chart.percent:
        return 1.0
    top = max((v for row in chart.values for v in row if v is not None), default=0.0)
    return top or 1.0


def _legend_rows(
    names: list[str], width: float, measure: Measure, swatch: float
) -> list[list[str]]:
    """The series names in rows no wider than ``width``: side by side while they fit."""
    rows: list[list[str]] = [[]]
    used = 0.0
    for name in names:
        need = swatch + measure(name) + 16
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append(name)
        used += need
    return rows


def svg(chart: Chart, ident: str) -> str:
    """The chart as an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` naming it.

    Category labels are wrapped beside their bars (each row as tall as its label needs), and
    the drawing is as wide as its longest bar label, so no text is cut off."""
    label_width, bar_width, bar, gap, leading = 250, 300, 16, 10, 15
    category_text, small = helvetica(13, SVG_SLACK), helvetica(12, SVG_SLACK)
    several = len(chart.series) > 1
    scale = _scale(chart)
    widest = max((small(t) for t in bar_labels(chart) if t), default=0.0)
    width = round(label_width + bar_width + widest + 12)
    legend_rows = _legend_rows(chart.series, width - label_width, small, 16) if several else []
    legend = 20 * len(legend_rows) + 4 if several else 0
    labels = [wrap(c, label_width - 12, category_text) for c in chart.categories]
    rows = [max(bar * len(chart.series), leading * len(lines)) + gap for lines in labels]
    height = legend + sum(rows) + gap
    out = [
        f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" class="chart">',
        f'<title id="{ident}-t">{escape(chart.title)}</title>',
        f'<desc id="{ident}-d">{escape(chart.description)}</desc>',
    ]
    for r, names in enumerate(legend_rows):
        x, row_top = float(label_width), 4 + 20 * r
        for name in names:
            index = chart.series.index(name)
            colour = COLOURS[index % len(COLOURS)]
            out.append(f'<rect x="{x:.0f}" y="{row_top}" width="12" height="12" fill="{colour}"/>')
            out.append(
                f'<text x="{x + 16:.0f}" y="{row_top + 10}" font-size="12">{escape(name)}</text>'
            )
            x += 16 + small(name) + 16
    top = legend + gap // 2
    for c, (lines, values) in enumerate(zip(labels, chart.values, strict=True)):
        inner = rows[c] - gap  # the label and the bars, each centred in it
        first = top + (inner - leading * len(lines)) / 2 + 11
        bars = top + (inner - bar * len(chart.series)) / 2
        tspans = "".join(
            f'<tspan x="{label_width - 8}" y="{first + n * leading:.0f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        out.append(
            f'<text font-size="13" text-anchor="end">'
            f"<title>{escape(chart.categories[c])}</title>{tspans}</text>"
        )
        for s, value in enumerate(values):
            text = label(chart, value, s, c)
            if not text:
                continue
            y = bars + s * bar
            length = max(bar_width * value / scale, 1) if value is not None else 0.0
            if value is not None:
                colour = COLOURS[s % len(COLOURS)]
                out.append(
                    f'<rect x="{label_width}" y="{y:.0f}" width="{length:.1f}" '
                    f'height="{bar - 3}" fill="{colour}"/>'
                )
            style = "" if value is not None else ' font-style="italic"'
            out.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5:.0f}" '
                f'font-size="12"{style}>{escape(text)}</text>'
            )
        top += rows[c]
    out.append("</svg>")
    return "\n".join(out)


def drawing(chart: Chart, width: float) -> Any:
    """The chart as a reportlab ``Drawing`` (vector graphics in the PDF), titled in its text.

    Category labels are wrapped beside their bars (each category as tall as its longest label
    needs), bar labels say their series in full, the plot leaves room on its right for the
    longest of them, and the legend takes a second row when the names do not fit in one."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    several = len(chart.series) > 1
    bar, size, leading = 11, 8, 9.6
    label_width = min(190.0, width * 0.4)
    labels = [wrap(c, label_width - 10, helvetica(size)) for c in chart.categories]
    tallest = max((len(lines) for lines in labels), default=1)
    block = bar * len(chart.series)
    category = max(block + 8, tallest * leading + 6)
    plot_height = max(len(chart.categories) * category, 24)
    widest = max((helvetica(7)(t) for t in bar_labels(chart) if t), default=0.0)
    legend_rows = _legend_rows(chart.series, width - label_width, helvetica(8), 13)
    legend = 14 * len(legend_rows) + 8 if several else 0
    height = plot_height + legend + 40
    picture = Drawing(width, height)
    picture.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=10))
    plot = HorizontalBarChart()
    plot.x, plot.y = label_width, 18
    plot.width, plot.height = max(width - label_width - widest - 10, 60.0), plot_height
    # Reportlab stacks a category's bars upwards: feed the series last-first, so the first
    # series is on top, as in the legend and the table. A bar with a note instead of a value
    # ("not rated") is drawn as nothing, with the note as its label.
    order = list(reversed(range(len(chart.series))))
    plot.data = [
        tuple(
            0.0 if row[s] is None and (c, s) in chart.notes else row[s]
            for c, row in enumerate(chart.values)
        )
        for s in order
    ]
    plot.barLabelFormat = "values"
    plot.barLabelArray = [
        [label(chart, row[s], s, c) for c, row in enumerate(chart.values)] for s in order
    ]
    plot.categoryAxis.categoryNames = ["\n".join(lines) for lines in labels]
    plot.categoryAxis.reverseDirection = 1
    plot.categoryAxis.labels.fontName = "Helvetica"
    plot.categoryAxis.labels.fontSize = size
    plot.categoryAxis.labels.leading = leading
    plot.categoryAxis.labels.boxAnchor = "e"
    plot.categoryAxis.labels.textAnchor = "end"
    plot.valueAxis.valueMin = 0
    plot.valueAxis.valueMax = _scale(chart)
    plot.valueAxis.labels.fontSize = 7
    if chart.percent:
        plot.valueAxis.valueStep = 0.25
        plot.valueAxis.labelTextFormat = lambda v: f"{round(v * 100)}%"
    else:  # whole dots: whole steps
        plot.valueAxis.valueStep = max(1, math.ceil(_scale(chart) / 5))
        plot.valueAxis.labelTextFormat = "%d"
    plot.barLabels.fontName = "Helvetica"
    plot.barLabels.fontSize = 7
    plot.barLabels.boxAnchor = "w"
    plot.barLabels.dx = 3
    # Relative spacing that adds up to exactly one category's height: bars keep their width
    # and the category grows around them to hold its label.
    plot.barWidth = bar
    plot.groupSpacing = category - block
    plot.barSpacing = 0
    for position, s in enumerate(order):
        plot.bars[position].fillColor = colors.HexColor(COLOURS[s % len(COLOURS)])
        plot.bars[position].strokeColor = None
    picture.add(plot)
    if several:  # the legend: a swatch and the series' name, side by side while they fit
        measure = helvetica(8)
        for r, names in enumerate(legend_rows):
            x, y = label_width, height - 28 - 14 * r
            for name in names:
                colour = colors.HexColor(COLOURS[chart.series.index(name) % len(COLOURS)])
                picture.add(Rect(x, y, 9, 9, fillColor=colour, strokeColor=None))
                picture.add(String(x + 13, y + 1.5, name, fontName="Helvetica", fontSize=8))
                x += 13 + measure(name) + 16
    return picture

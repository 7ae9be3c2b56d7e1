"""Bar charts for the record: inline SVG for the HTML page, vector drawings for the PDF.

Both draw a :class:`~app.exports.blocks.Chart` the same way: one row per category, one bar per
series, each bar labelled with its value (and its series when there are several), so nothing is
told by colour alone. The chart's table is rendered next to it as its text alternative.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape

from app.exports.blocks import Chart

#: Bar colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by labels too.
COLOURS = ("#0b4f8a", "#a1520b", "#3d6b21", "#6b3d8a")
LABEL_CHARS = 32


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """A category label that fits beside its bar; the table next to the chart has it in full."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def value_text(chart: Chart, value: float) -> str:
    return f"{round(value * 100)}%" if chart.percent else f"{value:g}"


def label(chart: Chart, value: float, series: int) -> str:
    """A bar's label: its value, and its series when there are several (not colour alone)."""
    text = value_text(chart, value)
    return f"{text} ({short(chart.series[series], 16)})" if len(chart.series) > 1 else text


def _scale(chart: Chart) -> float:
    if chart.percent:
        return 1.0
    top = max((v for row in chart.values for v in row if v is not None), default=0.0)
    return top or 1.0


def svg(chart: Chart, ident: str) -> str:
    """The chart as an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` naming it."""
    label_width, bar_width, bar, gap = 250, 300, 16, 10
    several = len(chart.series) > 1
    legend = 24 if several else 0
    row = bar * len(chart.series) + gap
    height = legend + row * len(chart.categories) + gap
    width = label_width + bar_width + 160
    scale = _scale(chart)
    out = [
        f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" class="chart">',
        f'<title id="{ident}-t">{escape(chart.title)}</title>',
        f'<desc id="{ident}-d">{escape(chart.description)}</desc>',
    ]
    if several:
        x = label_width
        for index, name in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
            out.append(f'<text x="{x + 16}" y="14" font-size="12">{escape(short(name, 30))}</text>')
            x += 24 + 7 * len(short(name, 30))
    for c, (category, values) in enumerate(zip(chart.categories, chart.values, strict=True)):
        top = legend + c * row + gap // 2
        middle = top + bar * len(chart.series) / 2 + 4
        out.append(
            f'<text x="{label_width - 8}" y="{middle:.0f}" font-size="13" text-anchor="end">'
            f"<title>{escape(category)}</title>{escape(short(category))}</text>"
        )
        for s, value in enumerate(values):
            if value is None:
                continue
            y = top + s * bar
            length = max(bar_width * value / scale, 1)
            colour = COLOURS[s % len(COLOURS)]
            text = label(chart, value, s)
            out.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 3}" '
                f'fill="{colour}"/>'
            )
            out.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5}" font-size="12">'
                f"{escape(text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def drawing(chart: Chart, width: float) -> Any:
    """The chart as a reportlab ``Drawing`` (vector graphics in the PDF), titled in its text."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    several = len(chart.series) > 1
    bar = 11
    plot_height = max(len(chart.categories) * (bar * len(chart.series) + 8), 24)
    legend = 16 if several else 0
    height = plot_height + legend + 40
    label_width = min(190.0, width * 0.4)
    picture = Drawing(width, height)
    picture.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=10))
    plot = HorizontalBarChart()
    plot.x, plot.y = label_width, 18
    plot.width, plot.height = width - label_width - 60, plot_height
    # Reportlab stacks a category's bars upwards: feed the series last-first, so the first
    # series is on top, as in the legend and the table.
    order = list(reversed(range(len(chart.series))))
    plot.data = [tuple(row[s] for row in chart.values) for s in order]
    plot.barLabelFormat = "values"
    plot.barLabelArray = [
        ["" if (value := row[s]) is None else label(chart, value, s) for row in chart.values]
        for s in order
    ]
    plot.categoryAxis.categoryNames = [short(c, 34) for c in chart.categories]
    plot.categoryAxis.reverseDirection = 1
    plot.categoryAxis.labels.fontName = "Helvetica"
    plot.categoryAxis.labels.fontSize = 8
    plot.categoryAxis.labels.boxAnchor = "e"
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
    plot.barWidth = bar
    plot.groupSpacing = 8
    plot.barSpacing = 0
    for position, s in enumerate(order):
        plot.bars[position].fillColor = colors.HexColor(COLOURS[s % len(COLOURS)])
        plot.bars[position].strokeColor = None
    picture.add(plot)
    if several:
        key = Legend()
        key.x, key.y = label_width, height - 22
        key.alignment = "right"
        key.columnMaximum = 1
        names = [short(name, 40) for name in chart.series]
        key.deltax = max(stringWidth(name, "Helvetica", 8) for name in names) + 30
        key.fontName, key.fontSize = "Helvetica", 8
        key.colorNamePairs = [
            (colors.HexColor(COLOURS[s % len(COLOURS)]), name) for s, name in enumerate(names)
        ]
        picture.add(key)
    return picture

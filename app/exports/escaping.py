"""Participant text is data, never markup or a formula: escaping it for Markdown and for CSV.

What people type into a workshop ends up in files that other programs open: a wiki renders the
Markdown, a spreadsheet opens the CSV. Both would otherwise *act* on that text — a Markdown
renderer turns ``<img src=x onerror=…>``, ``[x](javascript:…)`` or a bare ``https://…`` into live
HTML, and a spreadsheet runs a cell starting with ``=`` as a formula (OWASP "CSV injection").
HTML and PDF escape through their own libraries (Jinja2 autoescape, ``xml.sax.saxutils``).
"""

from __future__ import annotations

import re

#: Characters with a meaning anywhere in a line of Markdown (CommonMark, GFM and their usual
#: extensions): emphasis, code, links and images, raw HTML and autolinks, entities, tables,
#: strikethrough, headings and quotes, maths and footnotes. Every ASCII punctuation character may
#: be backslash-escaped in CommonMark, so escaping these only ever shows them as typed. Brackets
#: are escaped, so ``(`` and ``)`` can never be part of a link and stay as typed.
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>#|!~&@$^])")
#: ``.`` and ``:`` inside a word, as in ``evil.com`` or ``https://``: what linkifiers turn into
#: links. A full stop or colon before a space, a quote or the end stays readable.
_IN_WORD = re.compile(r"([.:])(?=[\w/])")
#: What opens a block at the start of a line: a list item (``-``, ``+``, ``1.``, ``1)``), a
#: setext or thematic break (``=``, ``-``). ``#``, ``>`` and ``*`` are escaped everywhere already.
_BULLET = re.compile(r"^([-+=])")
_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly this text, on one line, and nothing else.

    Line breaks and runs of spaces become one space: a block's text stays inside its block
    (a table cell, a list item), and no indented code block or new block can start.
    """
    flat = " ".join(text.split())
    escaped = _IN_WORD.sub(r"\\\1", _ALWAYS.sub(r"\\\1", flat))
    return _NUMBER.sub(r"\1\\\2", _BULLET.sub(r"\\\1", escaped))


#: What makes a spreadsheet read a cell as a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as typed: text that could start a formula gets ``'``.

    Only text is touched: numbers the app writes itself stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


#: Characters XML 1.0 cannot hold (control characters other than tab and line breaks): Word,
#: OpenDocument and spreadsheet files are XML, and their libraries refuse these outright.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot contain (they show as nothing)."""
    return _NOT_XML.sub("", text)


def starts_formula(value: object) -> bool:
    """Whether a spreadsheet would run this cell as a formula if it were typed in."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)

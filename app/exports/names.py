"""The export formats by name, in one light module.

The download route, ``atelier export`` and the command line's ``--format`` choices all read these
names; keeping them apart from the renderers means listing the formats (``atelier --help``, any
``atelier`` command) imports no renderer, summary or database code.
"""

from __future__ import annotations

#: Made from the summary's document (the spreadsheet from the summary itself).
DOCUMENT_FORMATS = ("md", "html", "pdf", "docx", "odt", "xlsx")
#: The summary's tables, each downloadable as ``{name}.csv``.
CSV_TABLES = ("cards", "dots", "ratings", "chain", "rounds", "heard", "consented")
#: ``/api/workshops/{id}/export.{ext}``: every document format and JSON.
DOWNLOADS = (*DOCUMENT_FORMATS, "json")
#: What ``atelier export --format`` accepts: the downloads and each CSV table as ``name.csv``.
FILE_FORMATS = (*DOWNLOADS, *(f"{table}.csv" for table in CSV_TABLES))

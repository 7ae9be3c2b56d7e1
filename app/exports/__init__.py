"""The workshop's summary, and its exports: Markdown, HTML, PDF, JSON and CSV."""

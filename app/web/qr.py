"""QR codes for the join URL, drawn by segno as SVG (crisp on any projector, no image library)."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, *, title: str) -> bytes:
    code = segno.make(data, error="m")
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        scale=1,
        border=2,
        xmldecl=False,
        omitsize=True,
        title=title,
        dark="#000",
    )
    return buffer.getvalue()

"""What is compressed (app/web/compression.py): text yes, photos not again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


@pytest.mark.anyio
async def test_a_photo_is_not_compressed_again():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from app.web.compression import Compression

    def photo(_request: Any) -> Response:
        return Response(b"\xff\xd8" + b"\0" * 5000, media_type="image/jpeg")

    def text(_request: Any) -> Response:
        return Response("kaart " * 1000, media_type="application/json")

    app = Compression(Starlette(routes=[Route("/p", photo), Route("/t", text)]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        headers = {"Accept-Encoding": "gzip"}
        assert "content-encoding" not in (await client.get("/p", headers=headers)).headers
        assert (await client.get("/t", headers=headers)).headers["content-encoding"] == "gzip"

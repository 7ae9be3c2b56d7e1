"""A photo taken on the phone page is scaled down, uploaded, and shown on the projector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.images import samples
from tests.support.server import Facilitator, Server
from tests.web.pages import console, join_by_form, phone, projector


def test_phone_uploads_a_photo_that_the_projector_shows(
    chromium: Any,
    server: Server,
    facilitator: Facilitator,
    workshop: dict[str, Any],
    tmp_path: Path,
):
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(samples.large_jpeg(4000, 3000))  # 12 megapixels, as a phone takes them
    desk = console(chromium, server, facilitator, workshop)
    screen = projector(chromium, server, workshop)
    annie = phone(chromium, "annie")
    join_by_form(annie, server, workshop["join_code"], "Annie", "Inwoner")
    desk.page.click("#agenda button:has-text('Beelden')")
    expect(annie.page.locator("#photo-field")).to_be_visible()

    uploads: list[int] = []
    annie.page.on(
        "request",
        lambda r: (
            uploads.append(len(r.post_data_buffer or b"")) if r.url.endswith("/beelden") else None
        ),
    )
    annie.page.set_input_files("#photo", str(photo))
    annie.page.click("#post-form button[type=submit]")
    expect(annie.page.locator("#post-error")).to_contain_text("bijschrift")
    annie.page.fill("#post-text", "De lege bank bij de bushalte")
    annie.page.click("#post-form button[type=submit]")
    expect(annie.page.locator("#my-cards")).to_contain_text("Ontvangen")
    assert uploads and uploads[0] < photo.stat().st_size / 2, "the phone scaled the photo down"

    image = screen.page.locator(".wall img")
    expect(image).to_have_attribute("alt", "De lege bank bij de bushalte")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 1600
    expect(annie.page.locator("#my-cards img")).to_have_attribute(
        "alt", "De lege bank bij de bushalte"
    )

    # The facilitator enlarges it for everyone.
    desk.page.locator(".card", has_text="De lege bank").locator(
        "button", has_text="Uitlichten"
    ).click()
    expect(screen.page.locator("#spotlight figcaption")).to_have_text(
        "De lege bank bij de bushalte"
    )
    assert screen.page.locator("#spotlight img").evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    screen.accessible("spotlight")
    for page in (desk, screen, annie):
        assert not page.problems, page.problems
        page.context.close()

"""How Chromium is started here: Debian's build, headless, no network of its own."""

import shutil

from tests.support.databases import unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A Dutch phone or laptop, as in the rooms the app is for: pages that follow the browser's
    # language (the join form, the phone) are Dutch unless a test asks another (locale=...).
    "--accept-lang=nl-NL,nl",
]


def require_chromium() -> None:
    """Debian's Chromium is installed, or the test is skipped (a failure under ``CI=true``)."""
    if shutil.which(CHROMIUM) is None:
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")

"""Which release this is: the version, and the commit and date the image was built from.

The version is written once, in ``pyproject.toml``; the installed package's metadata carries it
here (``importlib.metadata``), so ``atelier --version``, the ``atelier_build_info`` metric, the
facilitator's page footer and ``publiccode.yml`` (held to it by a test) never disagree.

The commit and build date are known only where something wrote them down: the Docker image's
build writes ``build-info.json`` into its virtualenv (``/opt/atelier``, which is ``sys.prefix``
inside the image) from its ``GIT_COMMIT`` and ``BUILD_DATE`` build arguments. A checkout run
from a virtualenv of its own has no such file, and they stay empty rather than guessed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

#: The distribution's name in ``pyproject.toml``.
DISTRIBUTION: Final = "opgave-atelier"
#: Where the image's build writes what it was built from.
BUILD_INFO_FILE: Final = Path(sys.prefix) / "build-info.json"
#: What a commit or a date may look like in the file: a label value must stay short and plain.
COMMIT: Final = re.compile(r"^[0-9a-f]{7,40}$")
DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}(T[0-9:]{5,8}Z?)?$")


def _installed_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a folder that was never installed (pip install -e .)
        return "0+unknown"


#: The version of this release, from the package metadata (``pyproject.toml``'s ``version``).
VERSION: Final = _installed_version()


@dataclass(frozen=True)
class BuildInfo:
    """The version, and the commit and build date when the image's build wrote them (else "")."""

    version: str
    commit: str = ""
    date: str = ""


def read_build_info(path: Path = BUILD_INFO_FILE) -> BuildInfo:
    """What ``path`` says the build was, with :data:`VERSION`.

    A missing file is normal (not an image); an unreadable or odd one is logged and ignored,
    and a value that does not look like a commit hash or a date is left out: it becomes a
    metric label.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return BuildInfo(VERSION)
    except (OSError, ValueError) as exc:
        log.warning("%s unreadable (%s); the build's commit and date stay unknown", path, exc)
        return BuildInfo(VERSION)
    if not isinstance(data, dict):
        return BuildInfo(VERSION)
    commit = str(data.get("commit", "")).strip().lower()
    date = str(data.get("date", "")).strip()
    return BuildInfo(
        VERSION,
        commit=commit if COMMIT.match(commit) else "",
        date=date if DATE.match(date) else "",
    )


@cache
def build_info() -> BuildInfo:
    """This process's :class:`BuildInfo` (the file is read once)."""
    return read_build_info()

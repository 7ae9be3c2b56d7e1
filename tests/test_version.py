"""Which release this is: one version (pyproject's), said by ``atelier --version``, and the
image's commit and build date read from the file its build writes."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from app.version import VERSION, BuildInfo, read_build_info
from tests.support.server import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_pyprojects_and_atelier_says_it():
    assert PYPROJECT["project"]["version"] == VERSION
    said = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert said.stdout == f"atelier {VERSION}\n"


def test_the_build_file_gives_commit_and_date_and_nothing_odd(tmp_path: Path):
    path = tmp_path / "build-info.json"
    assert read_build_info(path) == BuildInfo(VERSION), "no file: only the version"
    path.write_text(
        json.dumps(
            {"commit": "0123ABCDEF0123abcdef0123abcdef0123abcdef", "date": "2026-12-07T09:30:00Z"}
        )
    )
    assert read_build_info(path) == BuildInfo(
        VERSION, commit="0123abcdef0123abcdef0123abcdef0123abcdef", date="2026-12-07T09:30:00Z"
    )
    # Empty build arguments (a plain `docker build .`), or values that are no commit or date:
    # left out, since they become metric labels.
    path.write_text('{"commit": "", "date": ""}\n')
    assert read_build_info(path) == BuildInfo(VERSION)
    path.write_text(json.dumps({"commit": 'main"} evil', "date": "yesterday"}))
    assert read_build_info(path) == BuildInfo(VERSION)
    path.write_text('{"commit": "abc')  # cut off
    assert read_build_info(path) == BuildInfo(VERSION)

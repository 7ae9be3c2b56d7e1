"""The release's files agree with the code: CHANGELOG.md names every migration with whether it is
safe online, and publiccode.yml has the schema's required keys and takes each fact from its one
place (the version and licence from pyproject.toml, the date from the CHANGELOG)."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from alembic.script import ScriptDirectory

from app.db import alembic_config
from app.i18n import LANGUAGES
from tests.support.server import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
#: A row of an "Upgrade notes" table: | `revision` | yes / no / — | why |
UPGRADE_ROW = re.compile(r"^\| `([^`]+)` \| (yes|no|—) \| (.+) \|$", re.M)

#: publiccode.yml 0.4: the keys every file must have (the schema's "mandatory" ones).
REQUIRED = [
    "publiccodeYmlVersion",
    "name",
    "url",
    "platforms",
    "categories",
    "developmentStatus",
    "softwareType",
    "description",
    "legal/license",
    "maintenance/type",
    "localisation/localisationReady",
    "localisation/availableLanguages",
]
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in script.walk_revisions()]


def release_date(version: str) -> str:
    """The date of ``## [version] - YYYY-MM-DD`` in the CHANGELOG."""
    found = re.search(
        rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", CHANGELOG, re.M
    )
    assert found, f"CHANGELOG.md has no heading for {version}"
    return found.group(1)


def test_every_migration_is_in_the_upgrade_notes_with_whether_it_is_safe_online():
    rows = {revision: (safe, why) for revision, safe, why in UPGRADE_ROW.findall(CHANGELOG)}
    missing = [revision for revision in revisions() if revision not in rows]
    assert not missing, f"CHANGELOG.md's upgrade notes do not name {missing}"
    unknown = set(rows) - set(revisions())
    assert not unknown, f"CHANGELOG.md names migrations that do not exist: {unknown}"


def test_the_changelog_has_the_version_of_pyproject():
    assert "## [Unreleased]" in CHANGELOG
    release_date(PYPROJECT["version"])


def key(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("/"):
        assert isinstance(value, dict) and part in value, f"publiccode.yml lacks {path}"
        value = value[part]
    assert value not in (None, "", []), f"publiccode.yml: {path} is empty"
    return value


def test_publiccode_has_the_required_keys_and_the_facts_of_their_one_place():
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for path in REQUIRED:
        key(data, path)
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["softwareVersion"] == PYPROJECT["version"]
    assert data["legal"]["license"] == PYPROJECT["license"]
    assert data["releaseDate"] == release_date(PYPROJECT["version"])
    assert data["developmentStatus"] in DEVELOPMENT_STATUS
    assert data["softwareType"] in SOFTWARE_TYPES
    assert data["localisation"]["availableLanguages"] == list(LANGUAGES)
    if data["maintenance"]["type"] in ("internal", "community"):
        assert all(contact.get("name") for contact in key(data, "maintenance/contacts"))
    for language in LANGUAGES:
        text = key(data, f"description/{language}")
        assert len(key(text, "shortDescription")) <= 150, language
        assert 150 <= len(key(text, "longDescription")) <= 10_000, language
        assert key(text, "features"), language
    depends = {d["name"]: d for d in key(data, "dependsOn/open")}
    assert depends["PostgreSQL"]["optional"] is True and depends["Redis"]["optional"] is True

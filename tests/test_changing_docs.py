"""docs/changing.md sends people to files and tests that exist.

The page lists, per kind of change, the files to touch and the tests that keep them in step. A
file moved or a test renamed would leave a recipe pointing at nothing, and nobody would notice
until they followed it. So: every repository path written in backticks on the page exists (a path
with a placeholder such as ``<area>`` needs its folder), every recipe's heading is there, and
every test named under a recipe's "Kept in step by" is a test file with tests in it, and every
test function named there is defined in one of the files named with it. Only files are read.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "changing.md"
README = ROOT / "README.md"

RECIPES = (
    "1. A card kind",
    "2. A phase",
    "3. A command and its event",
    "4. An export format",
    "5. A setting",
    "6. A field on the join form",
    "7. A translation",
)

#: Where repository paths start; anything else in backticks (`CardKind`, `N_`) is not a path.
FOLDERS = ("app", "bench", "deploy", "docs", "migrations", "scripts", "tests")
TOP_LEVEL = ("README.md", "SECURITY.md", "pyproject.toml", "babel.cfg", "alembic.ini")
#: Marks a path as a pattern: ``app/workshops/<area>.py``, ``docs/facilitator.<code>.md``.
PLACEHOLDER = re.compile(r"[<{*…]")
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
KEPT = "**Kept in step by"
TEST_NAME = re.compile(r"test_\w+")


def code(text: str) -> list[str]:
    """The inline code spans of ``text``, and the words of its fenced blocks."""
    fenced = FENCE.findall(text)
    words = [word for block in fenced for word in block.split()]
    return CODE_SPAN.findall(FENCE.sub(" ", text)) + words


def is_path(span: str) -> bool:
    return span in TOP_LEVEL or ("/" in span and span.split("/", 1)[0] in FOLDERS)


def exists(path: str) -> bool:
    """Whether ``path`` names something in the repository; for a pattern, whether its folder
    exists (and, for a glob, whether it matches anything)."""
    marker = PLACEHOLDER.search(path)
    if marker is None:
        return (ROOT / path).exists()
    folder = path[: marker.start()].rsplit("/", 1)[0]
    if not (ROOT / folder).is_dir():
        return False
    if "*" in path and not re.search(r"[<{…]", path):
        return any(ROOT.glob(path))
    return True


def sections(text: str) -> dict[str, str]:
    """``{heading: text under it}`` for the page's ``##`` headings."""
    found: dict[str, str] = {}
    current = None
    for line in FENCE.sub(" ", text).splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def kept_in_step_by(section: str) -> list[str]:
    """The "Kept in step by" blocks of a section: from that label to the next bold label."""
    blocks: list[str] = []
    collecting = False
    for line in section.splitlines():
        if line.startswith(KEPT):
            blocks.append(line)
            collecting = True
        elif collecting and line.startswith(("**", "#")):
            collecting = False
        elif collecting:
            blocks[-1] += "\n" + line
    return blocks


def defines(path: Path, name: str | None = None) -> bool:
    """Whether the test file defines ``name`` (or any test when ``name`` is ``None``)."""
    wanted = re.escape(name) + r"\(" if name else r"test_\w*\("
    return (
        re.search(rf"^\s*(async\s+)?def {wanted}", path.read_text(encoding="utf-8"), re.M)
        is not None
    )


def problems_of(block: str) -> list[str]:
    """What is wrong with one "Kept in step by" block: a test file that is missing or holds no
    test, a test function that none of the block's files defines."""
    spans = code(block)
    files = [s for s in spans if s.startswith("tests/") and s.endswith(".py") and is_path(s)]
    if not files:
        return ["names no test file"]
    problems = [f"{f}: no such file" for f in files if not (ROOT / f).is_file()]
    present = [ROOT / f for f in files if (ROOT / f).is_file()]
    problems += [f"{p.relative_to(ROOT)}: no test in it" for p in present if not defines(p)]
    for name in (s for s in spans if TEST_NAME.fullmatch(s)):
        if not any(defines(p, name) for p in present):
            problems.append(f"{name}: not defined in {', '.join(files)}")
    return problems


def test_every_recipe_is_on_the_page():
    headings = list(sections(DOC.read_text(encoding="utf-8")))
    missing = [recipe for recipe in RECIPES if recipe not in headings]
    assert not missing, f"docs/changing.md lacks the recipes {missing}"


def test_every_path_on_the_page_exists():
    paths = [span for span in code(DOC.read_text(encoding="utf-8")) if is_path(span)]
    assert len(paths) > 100, f"found only {len(paths)} paths: the check would prove little"
    missing = sorted({path for path in paths if not exists(path)})
    assert not missing, f"docs/changing.md names what is not in the repository: {missing}"


def test_every_test_kept_in_step_by_exists_and_tests():
    text = DOC.read_text(encoding="utf-8")
    found: list[str] = []
    for recipe in RECIPES:
        blocks = kept_in_step_by(sections(text).get(recipe, ""))
        if not blocks:
            found.append(f"{recipe}: no “Kept in step by”")
        found += [f"{recipe}: {problem}" for block in blocks for problem in problems_of(block)]
    assert not found, found


def test_the_readme_links_the_page():
    assert "(docs/changing.md)" in README.read_text(encoding="utf-8")


def test_the_checks_notice_what_is_gone():
    """The checks can fail: a path, a pattern's folder, a test file or a test name that is not
    there is reported."""
    assert exists("app/workshops/cards.py") and exists("app/workshops/<area>.py")
    assert not exists("app/workshops/no_such_module.py")
    assert not exists("app/no_such_area/<name>.py")
    assert not exists("app/locale/tsv/*.nothing")
    assert problems_of("**Kept in step by:** `tests/test_no_such_file.py`") == [
        "tests/test_no_such_file.py: no such file"
    ]
    assert problems_of(
        "**Kept in step by:** `tests/test_settings_docs.py` `test_nothing_here`"
    ) == ["test_nothing_here: not defined in tests/test_settings_docs.py"]
    assert problems_of("**Kept in step by:** `tests/__init__.py`") == [
        "tests/__init__.py: no test in it"
    ]

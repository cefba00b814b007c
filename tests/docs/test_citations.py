"""Section citations (``§12``, ``§16.9``) in code, tests and docs resolve in docs/live-api.md.

The protocol notes are cited by number throughout the code; a citation of a section that does
not exist (or of a file outside the repository) would send a reader nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.snippets import ROOT

NOTES = ROOT / "docs" / "live-api.md"
_CITE = re.compile(r"§\s?(\d+(?:\.\d+)*)")


def _sections() -> set[str]:
    found: set[str] = set()
    current_top = ""
    for line in NOTES.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", line)
        if heading:
            found.add(heading.group(1))
            current_top = heading.group(1).split(".")[0]
            continue
        item = re.match(r"^(\d+)\. ", line)
        if item and current_top:  # numbered items of a section (e.g. §16.9)
            found.add(f"{current_top}.{item.group(1)}")
    return found


def _citing_files() -> list[Path]:
    files = [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    files += [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    files += [*(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "examples").rglob("*.py")]
    return [f for f in files if f != NOTES and f.is_file()]


def test_the_notes_have_the_cited_sections() -> None:
    sections = _sections()
    assert {"1.4", "5.4", "10.6", "12", "16", "16.9", "16.35"} <= sections
    unresolved = []
    for path in _citing_files():
        text = path.read_text(encoding="utf-8")
        for match in _CITE.finditer(text):
            if match.group(1) not in sections:
                line = text.count("\n", 0, match.start()) + 1
                unresolved.append(f"{path.relative_to(ROOT)}:{line}: §{match.group(1)}")
    assert unresolved == [], "citations without a section in docs/live-api.md:\n" + "\n".join(
        unresolved
    )


def test_nothing_points_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _citing_files()
        if "/work/shared" in path.read_text(encoding="utf-8") and path.name != "test_citations.py"
    ]
    assert offenders == []

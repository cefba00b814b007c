"""The README's "Transcripts and metrics" and "OpenTelemetry" examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end != -1 else None]
    return re.findall(r"```python\n(.*?)```", body, re.DOTALL)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("Transcripts and metrics", "first audio p50"),
        ("OpenTelemetry", "gemini_live.turn"),
    ],
)
def test_readme_example_runs(section: str, expected: str, tmp_path: Path) -> None:
    (code,) = _blocks(section)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert "Traceback" not in done.stderr

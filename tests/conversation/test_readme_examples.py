"""The README's "Transcripts and metrics" and "OpenTelemetry" examples run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.docs.zygote import run_blocking

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
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    # A program of its own, forked from the tests' fork server (tests/docs/zygote.py).
    status, stdout, stderr = run_blocking(
        ["example.py"], cwd=tmp_path, env=dict(os.environ), limit=60
    )
    assert status == 0, stderr
    assert expected in stdout
    assert "Traceback" not in stderr

"""The README's "Audio and video" examples run as written against the emulator."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from gemini_live.testing import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks() -> list[tuple[str, str | None]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Audio and video", 1)[1].split("\n## ", 1)[0]
    found = []
    for match in re.finditer(r"(<!-- not-run: (.*?) -->\n)?```python\n(.*?)```", section, re.S):
        found.append((match.group(3), match.group(2)))
    return found


def test_the_section_has_a_device_example_and_runnable_ones() -> None:
    kinds = [reason for _code, reason in blocks()]
    assert kinds[0] == "needs audio devices"
    assert kinds.count(None) >= 2


@pytest.mark.parametrize("index", range(3))
async def test_example_runs(
    index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, reason = blocks()[index]
    program = compile(code, f"README 'Audio and video' block {index}", "exec")
    if reason is not None:
        return  # needs hardware: compiling it is all we can do here
    if "from PIL import" in code:
        pytest.importorskip("PIL.Image")  # the video extra
    async with Emulator() as emu:
        monkeypatch.setenv("GEMINI_LIVE_BASE_URL", emu.url)
        monkeypatch.setenv("GEMINI_API_KEY", "test")
        # The example calls asyncio.run(): give it its own thread (and event loop).
        async with asyncio.timeout(60):
            await asyncio.to_thread(exec, program, {"__name__": "__main__"})
    assert capsys.readouterr().out

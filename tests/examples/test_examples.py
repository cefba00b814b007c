"""Every program in examples/ runs against the emulator and does what its docstring says.

They run as a user runs them: ``python examples/NAME.py ARGS`` in a subprocess, with
``GEMINI_LIVE_BASE_URL`` pointing at a started emulator and ``GEMINI_API_KEY=test-key``.
"""

from __future__ import annotations

import wave
from pathlib import Path

from gemini_live.audio.synth import silence, synthesize
from gemini_live.testing import Emulator
from tests.docs.snippets import NO_DEPRECATED, ROOT, UNUSED_PLUGINS, run_program

EXAMPLES = ROOT / "examples"


async def run(name: str, *args: str, cwd: Path) -> str:
    async with Emulator() as emulator:
        status, output = await run_program(
            ["-W", NO_DEPRECATED, str(EXAMPLES / name), *args], cwd, emulator
        )
    assert status == 0, f"examples/{name} failed ({status}):\n{output}"
    return output


def test_every_example_is_run_here() -> None:
    tested = {"text_chat.py", "voice_from_wav.py", "tools.py", "concurrent_writers.py"}
    tested |= {"test_agent_offline.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


async def test_text_chat(tmp_path: Path) -> None:
    out = await run("text_chat.py", "Hello! Who are you?", "say Goodbye.", cwd=tmp_path)
    assert out.splitlines() == [
        "you:   Hello! Who are you?",
        "model: Echo: Hello! Who are you?",
        "you:   say Goodbye.",
        "model: Goodbye.",
    ]


async def test_voice_from_wav(tmp_path: Path) -> None:
    pcm = silence(0.2, 22_050) + synthesize("what time is it", 22_050) + silence(0.2, 22_050)
    with wave.open(str(tmp_path / "question.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22_050)
        out.writeframes(pcm)
    out = await run("voice_from_wav.py", "question.wav", "answer.wav", cwd=tmp_path)
    lines = out.splitlines()
    assert lines[0].startswith("you said:   <speech ")
    heard = lines[0].removeprefix("you said:   ")
    assert lines[1] == f"model said: Echo: {heard}"
    with wave.open(str(tmp_path / "answer.wav"), "rb") as answer:
        assert answer.getframerate() == 24_000
        seconds = answer.getnframes() / 24_000
    assert seconds > 0.5
    assert lines[2] == f"wrote answer.wav: {seconds:.2f} s of audio"


async def test_tools(tmp_path: Path) -> None:
    out = await run("tools.py", 'call get_weather {"city": "Paris"}', cwd=tmp_path)
    assert out.splitlines() == [
        "[tool] get_weather -> {'city': 'Paris', 'temp_c': 18}",
        'Result of get_weather: {"city":"Paris","temp_c":18}',
    ]


async def test_concurrent_writers(tmp_path: Path) -> None:
    out = await run("concurrent_writers.py", "recap", cwd=tmp_path)
    recap, stats = out.splitlines()
    notes = recap.removeprefix("Recap: ").split(" | ")
    assert sorted(notes) == sorted(
        [
            "note from door: opened",
            "note from door: closed",
            "note from thermostat: 21 C",
            "note from camera: a parcel on the doorstep",
        ]
    )
    # Each task's own notes keep their order (one FIFO queue for every writer).
    assert notes.index("note from door: opened") < notes.index("note from door: closed")
    assert stats == "5 messages sent, 0 reconnects"


async def test_testing_with_the_emulator(tmp_path: Path) -> None:
    async with Emulator() as emulator:
        status, output = await run_program(
            [
                *("-m", "pytest", "-q", "-p", "no:cacheprovider"),
                *UNUSED_PLUGINS,
                "test_agent_offline.py",
            ],
            EXAMPLES,
            emulator,
        )
    assert status == 0, output
    assert "4 passed" in output

"""Real headless Chromium for the console tests: where it is, a fake microphone, artifacts.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``$GEMINI_LIVE_CHROMIUM``)
driven by Playwright for Python; Playwright's own browser download is never used. When the
browser is missing the tests are skipped with a reason that says so — except under CI
(``$CI`` set), where ``.ci/run`` installs it, so a missing browser fails loudly there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from gemini_live.audio.synth import synthesize
from gemini_live.audio.vad import EnergyVad, VadConfig
from gemini_live.audio.wav import read_wav_as_pcm16, write_wav_pcm16

__all__ = [
    "ARTIFACTS",
    "SILENCE_MS",
    "chromium_path",
    "fake_microphone_wav",
    "require_chromium",
    "speech_seconds",
]

ARTIFACTS = (
    Path(
        os.environ.get("GEMINI_LIVE_ARTIFACTS")
        or Path(__file__).resolve().parents[2] / "tmp" / "artifacts"
    )
    / "web"
)

# One short utterance with no pause inside (a pause longer than SILENCE_MS would split it in
# two): about 0.6 s of speech, loud throughout, which is all a test needs to hear and what it
# waits for in real time.
SPOKEN = "Hello there"
MIC_RATE = 16_000
# The end-of-speech silence the console's sessions ask the emulator's VAD for
# (``silenceDurationMs``; the service's and the emulator's default is 800 ms): every spoken turn
# waits this long in real time before the answer. Not shorter: the page ends an utterance itself
# after 300 ms of quiet (SPEECH_HANGOVER_MS in app.js) and measures latency from there only if
# that comes before the answer's first audio (at 300 ms, with the unpaced emulator, it did not).
SILENCE_MS = 500


def chromium_path() -> str | None:
    configured = os.environ.get("GEMINI_LIVE_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        reason = (
            "BROWSER MISSING: the web console end-to-end tests need Debian's chromium "
            "(apt-get install -y chromium, or set GEMINI_LIVE_CHROMIUM); they did NOT run"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def _speech_pcm() -> tuple[bytes, str]:
    """Real synthesized speech (espeak-ng) when installed, else the library's synthesizer."""
    espeak = shutil.which("espeak-ng")
    if espeak is not None:
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "speech.wav"
            done = subprocess.run(
                [espeak, "-s", "190", "-w", str(raw), SPOKEN], capture_output=True, timeout=20
            )
            if done.returncode == 0 and raw.stat().st_size > 1000:
                return read_wav_as_pcm16(raw, target_rate=MIC_RATE), "espeak-ng"
    return synthesize("hello there", sample_rate=MIC_RATE), "synth"


def speech_seconds(pcm: bytes) -> float:
    """How long the emulator's VAD, as the console's sessions configure it (``SILENCE_MS``),
    hears speech in ``pcm`` (16 kHz), start to end."""
    vad = EnergyVad(
        VadConfig(start_threshold=0.01, end_threshold=0.008, silence_duration_ms=SILENCE_MS)
    )
    events = vad.feed(pcm + b"\x00\x00" * MIC_RATE, MIC_RATE)
    starts = [e.offset for e in events if e.kind == "start"]
    ends = [e.offset for e in events if e.kind == "end"]
    assert len(starts) == len(ends) == 1, events
    return ends[0] - starts[0]


def fake_microphone_wav(folder: Path) -> tuple[Path, float]:
    """A WAV for ``--use-file-for-fake-audio-capture``: a short pause, one utterance, then a
    long pause (Chromium loops the file, so the pause keeps utterances apart). Returns the path
    and the seconds of speech the emulator should hear in it.

    The capture starts at the beginning of the file when the page opens the microphone, and
    nothing of it is lost while the page connects its worklet (the emulator hears the whole
    utterance even with no pause before it), so the first pause is only a margin: every spoken
    test waits for it in real time."""
    speech, _source = _speech_pcm()
    pause = b"\x00\x00" * int(MIC_RATE * 0.1)
    tail = b"\x00\x00" * int(MIC_RATE * 4.0)
    path = folder / "microphone.wav"
    write_wav_pcm16(path, pause + speech + tail, rate=MIC_RATE)
    return path, speech_seconds(pause + speech + tail)

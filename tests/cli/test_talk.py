"""``gemini-live talk --in q.wav --out r.wav`` in a subprocess against the in-process emulator.

The question is speech-like audio from :mod:`gemini_live.audio.synth`, written as a 44.1 kHz
stereo WAV so that the CLI's downmix and resampling to 16 kHz are exercised. The emulator hears
speech as ``"<speech N.NNs>"`` and speaks ``"Echo: <speech N.NNs>"`` with the same synthesizer,
so the reply's audio is predictable to the byte.
"""

from __future__ import annotations

import re
import wave
from array import array
from pathlib import Path

from gemini_live.audio.synth import silence, speech_duration, synthesize
from tests.cli.runner import run_cli, run_main

QUESTION = "what is the weather in Paris"


def write_wav(path: Path, pcm: bytes, rate: int, channels: int) -> None:
    """Write mono PCM16 as a WAV with ``channels`` identical channels, via the stdlib."""
    mono = array("h")
    mono.frombytes(pcm)
    frames = array("h", (s for s in mono for _ in range(channels)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())


def read_wav(path: Path) -> tuple[int, int, int, bytes]:
    with wave.open(str(path), "rb") as wav:
        return (
            wav.getframerate(),
            wav.getnchannels(),
            wav.getsampwidth(),
            wav.readframes(wav.getnframes()),
        )


def test_talk_converts_the_question_and_writes_the_spoken_reply(tmp_path: Path) -> None:
    question, reply = tmp_path / "q.wav", tmp_path / "r.wav"
    pcm = silence(0.3, 44_100) + synthesize(QUESTION, 44_100) + silence(0.3, 44_100)
    write_wav(question, pcm, 44_100, channels=2)

    result = run_cli("talk", "--in", "q.wav", "--out", "r.wav", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    heard = re.search(r"you said:\s+(<speech (\d+\.\d\d)s>)", result.stdout)
    assert heard is not None, result.stdout
    # Speech detected in the converted 16 kHz audio lasts as long as the synthesized question.
    assert abs(float(heard.group(2)) - speech_duration(QUESTION)) < 0.15
    said = f"Echo: {heard.group(1)}"
    assert re.search(rf"model said:\s+{re.escape(said)}$", result.stdout, re.MULTILINE)

    rate, channels, width, frames = read_wav(reply)
    assert (rate, channels, width) == (24_000, 1, 2)
    assert len(frames) > 0
    assert frames == synthesize(said, 24_000)
    assert f"wrote r.wav: {len(frames) / 48_000:.2f} s at 24000 Hz" in result.stdout


def test_talk_rejects_a_file_that_is_not_a_wav(tmp_path: Path) -> None:
    (tmp_path / "q.wav").write_text("this is not audio\n")
    result = run_main("talk", "--in", "q.wav", "--out", "r.wav", cwd=tmp_path)
    assert result.returncode == 1
    line = result.error_line("talk")
    assert "'q.wav' is not a WAV file" in line
    assert not (tmp_path / "r.wav").exists()


def test_talk_reports_a_missing_input_file(tmp_path: Path) -> None:
    result = run_main("talk", "--in", "missing.wav", "--out", "r.wav", cwd=tmp_path)
    assert result.returncode == 1
    line = result.error_line("talk")
    assert "No such file" in line and "missing.wav" in line


def test_talk_gives_up_helpfully_when_the_wav_has_no_speech(tmp_path: Path) -> None:
    write_wav(tmp_path / "q.wav", silence(1.0, 16_000), 16_000, channels=1)
    result = run_cli("talk", "--in", "q.wav", "--out", "r.wav", "--timeout", "1", cwd=tmp_path)
    assert result.returncode == 1
    line = result.error_line("talk")
    assert "no spoken reply within 1 s" in line and "speech" in line
    assert not (tmp_path / "r.wav").exists()

"""``gemini-live talk --live`` end to end against the emulator, on a fake sounddevice."""

from __future__ import annotations

import sys
import threading
import time
from array import array

import pytest

from gemini_live.audio.synth import silence, synthesize
from gemini_live.cli import main
from tests.audio.fake_sounddevice import FakeSoundDevice


def test_live_talk_without_portaudio_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    assert main(["talk", "--live", "--emulator"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "gemini-live[audio]" in err[0]
    assert "Traceback" not in err[0]


def test_live_talk_without_a_device_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", FakeSoundDevice(has_input=False))
    assert main(["talk", "--live", "--emulator", "--seconds", "5"]) == 1
    assert "no usable default input device" in capsys.readouterr().err


def test_talk_still_requires_wav_files_without_live(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["talk", "--emulator"])
    assert exit_info.value.code == 2
    assert "--in and --out" in capsys.readouterr().err


def test_live_talk_hears_speech_and_plays_the_reply(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sd = FakeSoundDevice(input_rate=48_000, input_channels=1, output_rate=48_000)
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    result: list[int] = []
    runner = threading.Thread(
        target=lambda: result.append(main(["talk", "--live", "--emulator", "--seconds", "3"]))
    )
    runner.start()
    deadline = time.monotonic() + 10
    while len(sd.streams) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    speaker, mic = sd.streams
    assert (speaker.kind, mic.kind) == ("output", "input")
    speech = synthesize("hello there", 48_000) + silence(1.0, 48_000)
    block = 960 * 2  # 20 ms at 48 kHz
    mic.deliver([speech[i : i + block] for i in range(0, len(speech), block)])
    heard = b""
    while time.monotonic() < deadline and not any(array("h", heard)):
        # The room stays quiet; the device keeps delivering 100 ms blocks (at twice real time).
        mic.deliver([bytes(block)] * 5)
        heard = b"".join(speaker.render(960, 5))
        time.sleep(0.05)
    while runner.is_alive() and time.monotonic() < deadline:
        mic.deliver([bytes(block)] * 5)
        time.sleep(0.05)
    runner.join(timeout=10)
    assert result == [0]
    assert any(array("h", heard))  # the model's reply came out of the speaker
    out = capsys.readouterr().out
    assert "speak now" in out
    assert "model: Echo: <speech" in out

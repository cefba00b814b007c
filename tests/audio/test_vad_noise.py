"""EnergyVad's optional noise floor: steady noise is not speech; speech over it still is."""

from __future__ import annotations

import random
from array import array

import pytest

from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize
from gemini_live.audio.vad import EnergyVad, VadConfig

RATE = 16_000


def noisy(seconds: float, peak: int, speech_at: float | None = None) -> bytes:
    rng = random.Random(11)
    out = array("h", [rng.randint(-peak, peak) for _ in range(round(seconds * RATE))])
    if speech_at is not None:
        start = round(speech_at * RATE)
        for i, s in enumerate(array("h", synthesize("hello there", RATE))):
            out[start + i] = max(-32768, min(32767, out[start + i] + s))
    return out.tobytes()


def starts(vad: EnergyVad, pcm: bytes) -> list[float]:
    events = []
    for chunk in chunk_pcm16(pcm, RATE, 20):
        events += vad.feed(chunk, RATE)
    events += vad.flush()
    return [e.offset for e in events if e.kind == "start"]


def test_fixed_threshold_hears_steady_noise_as_speech_the_floor_does_not() -> None:
    fan = noisy(3.0, peak=1000)  # about -36 dBFS, above the fixed -40 dBFS threshold
    assert starts(EnergyVad(VadConfig()), fan) == [0.0]
    assert starts(EnergyVad(VadConfig(noise_adaptive=True)), fan) == []


def test_speech_over_noise_is_found_with_the_floor() -> None:
    pcm = noisy(3.0, peak=1000, speech_at=1.0)
    (onset,) = starts(EnergyVad(VadConfig(noise_adaptive=True, silence_duration_ms=500)), pcm)
    assert onset == pytest.approx(1.0, abs=0.06)


def test_the_floor_changes_nothing_in_digital_silence() -> None:
    pcm = silence(0.5, RATE) + synthesize("hi there", RATE) + silence(1.0, RATE)
    fixed = EnergyVad(VadConfig(silence_duration_ms=500))
    floor = EnergyVad(VadConfig(silence_duration_ms=500, noise_adaptive=True))
    assert starts(fixed, pcm) == starts(floor, pcm) == [pytest.approx(0.5, abs=0.02)]


def test_the_activity_gate_default_ignores_a_fan() -> None:
    gate = ActivityGate()
    actions = []
    for chunk in chunk_pcm16(noisy(2.0, peak=1000), RATE, 20):
        actions += gate.feed(chunk)
    assert actions == [] and gate.windows == 0


def test_bad_margin() -> None:
    with pytest.raises(ValueError):
        VadConfig(noise_margin_db=-1)

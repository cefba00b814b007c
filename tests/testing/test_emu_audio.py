"""Unit tests for the deterministic synthesizer and the energy VAD."""

from __future__ import annotations

import copy

import pytest

from gemini_live.audio.synth import (
    silence,
    speech_duration,
    synth_samples,
    synthesize,
    tone,
)
from gemini_live.audio.vad import EnergyVad, VadConfig, VadEvent, rms


def test_synth_length_follows_the_documented_rule() -> None:
    # "Echo: hi" -> 5 + 2 chars + 1 gap = 8 units of 50 ms.
    assert synth_samples("Echo: hi", 24000) == 8 * 1200
    assert len(synthesize("Echo: hi", 24000)) == 2 * 8 * 1200
    assert len(synthesize("Echo: hi", 16000)) == 2 * 8 * 800
    assert speech_duration("Echo: hi") == pytest.approx(0.4)
    assert synthesize("   ") == b""


def test_synth_is_deterministic_and_text_dependent() -> None:
    assert synthesize("hello there") == synthesize("hello there")
    assert synthesize("hello there") != synthesize("hello where")
    assert synthesize("abc", 16000) != synthesize("abc", 24000)[: 2 * 2400]


def test_synth_is_loud_and_has_gaps_between_words() -> None:
    pcm = synthesize("aaaa bbbb", 16000)
    unit = 800 * 2
    word = pcm[: 4 * unit]
    gap = pcm[4 * unit : 5 * unit]
    assert rms(word) > 0.05
    assert gap == bytes(len(gap))


def test_synth_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        synthesize("x", 0)
    with pytest.raises(ValueError):
        synthesize("x", amplitude=2.0)
    with pytest.raises(TypeError):
        synthesize(b"x")  # type: ignore[arg-type]


def test_helpers_silence_and_tone() -> None:
    assert silence(0.5, 16000) == bytes(16000)
    assert rms(silence(0.1)) == 0.0
    assert rms(tone(0.1, 16000, amplitude=0.5)) == pytest.approx(0.5 / 2**0.5, rel=0.01)


def test_vad_start_and_end_offsets_in_audio_time() -> None:
    vad = EnergyVad(VadConfig(silence_duration_ms=500))
    speech = synthesize("hello world", 16000)  # 11 units = 0.55 s
    events = vad.feed(silence(0.3) + speech + silence(1.0), 16000)
    assert events == (VadEvent("start", pytest.approx(0.3)), VadEvent("end", pytest.approx(0.85)))
    assert vad.position == pytest.approx(1.85)
    assert not vad.in_speech


def test_vad_needs_the_full_silence_duration_and_handles_small_chunks() -> None:
    vad = EnergyVad(VadConfig(silence_duration_ms=800))
    pcm = tone(0.2, 16000) + silence(0.79)
    events: list[VadEvent] = []
    for i in range(0, len(pcm), 640):  # 20 ms chunks
        events.extend(vad.feed(pcm[i : i + 640], 16000))
    assert [e.kind for e in events] == ["start"]
    assert vad.in_speech
    assert vad.feed(silence(0.02), 16000) == (VadEvent("end", pytest.approx(0.2)),)


def test_vad_prefix_padding_ignores_short_clicks() -> None:
    vad = EnergyVad(VadConfig(prefix_padding_ms=100))
    assert vad.feed(tone(0.05) + silence(0.2), 16000) == ()
    assert [e.kind for e in vad.feed(tone(0.15), 16000)] == ["start"]


def test_vad_threshold_and_flush_and_reset() -> None:
    quiet = tone(0.5, amplitude=0.005)
    assert EnergyVad().feed(quiet, 16000) == ()
    vad = EnergyVad()
    assert [e.kind for e in vad.feed(tone(0.3), 16000)] == ["start"]
    clone = copy.deepcopy(vad)
    assert vad.flush() == (VadEvent("end", pytest.approx(0.3)),)
    assert vad.flush() == ()
    assert clone.in_speech
    vad.reset()
    assert vad.position == 0.0


def test_vad_time_spans_rate_changes() -> None:
    vad = EnergyVad()
    vad.feed(silence(1.0, 16000), 16000)
    events = vad.feed(tone(0.2, 48000), 48000)
    assert events == (VadEvent("start", pytest.approx(1.0)),)


def test_vad_config_validation() -> None:
    with pytest.raises(ValueError):
        VadConfig(start_threshold=0)
    with pytest.raises(ValueError):
        VadConfig(frame_ms=0)
    with pytest.raises(ValueError):
        EnergyVad().feed(b"\x00\x00", 0)

"""ActivityGate: client-side VAD framing speech with pre-roll and hangover (pure)."""

from __future__ import annotations

import pytest

from gemini_live.audio.activity import Action, ActivityGate
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize

RATE = 16_000


def run(gate: ActivityGate, pcm: bytes) -> list[Action]:
    actions: list[Action] = []
    for chunk in chunk_pcm16(pcm, RATE, 20):
        actions += gate.feed(chunk)
    return actions + gate.finish()


def kinds(actions: list[Action]) -> list[str]:
    out: list[str] = []
    for a in actions:
        kind = "audio" if isinstance(a, bytes) else a
        if not (out and out[-1] == kind == "audio"):
            out.append(kind)
    return out


def test_speech_is_framed_by_start_and_end_with_pre_roll_and_hangover() -> None:
    speech = synthesize("hello there", RATE)  # 550 ms
    pcm = silence(1.0, RATE) + speech + silence(1.5, RATE)
    gate = ActivityGate(pre_roll_ms=300, hangover_ms=600)
    actions = run(gate, pcm)
    assert kinds(actions) == ["start", "audio", "end"]
    sent = b"".join(a for a in actions if isinstance(a, bytes))
    # Everything from 300 ms before the onset (whole 20 ms chunks) through the hangover is sent.
    pre = sent.find(speech)
    assert pre >= 0  # the whole utterance, first syllable included
    assert 0.30 <= pre / (2 * RATE) <= 0.32
    after = (len(sent) - pre - len(speech)) / (2 * RATE)
    assert 0.6 <= after <= 0.64
    assert gate.last_onset == pytest.approx(1.0, abs=0.02)
    assert gate.windows == 1 and not gate.active


def test_a_pause_shorter_than_the_hangover_stays_one_window() -> None:
    words = synthesize("one", RATE) + silence(0.4, RATE) + synthesize("two", RATE)
    pcm = silence(0.5, RATE) + words + silence(1.0, RATE)
    assert kinds(run(ActivityGate(hangover_ms=600), pcm)) == ["start", "audio", "end"]
    two = ActivityGate(hangover_ms=200)
    assert kinds(run(two, pcm)) == ["start", "audio", "end", "start", "audio", "end"]
    assert two.windows == 2


def test_silence_sends_nothing_unless_asked() -> None:
    assert run(ActivityGate(), silence(2.0, RATE)) == []
    idle = ActivityGate(send_idle_audio=True)
    assert b"".join(a for a in run(idle, silence(0.1, RATE)) if isinstance(a, bytes)) == silence(
        0.1, RATE
    )


def test_speech_still_open_at_the_end_of_the_stream_is_closed() -> None:
    gate = ActivityGate()
    actions = run(gate, silence(0.2, RATE) + synthesize("hi", RATE))
    assert kinds(actions) == ["start", "audio", "end"]


def test_bad_chunks_and_settings_are_typed_errors() -> None:
    gate = ActivityGate()
    with pytest.raises(ValueError):
        gate.feed(b"\x00")
    with pytest.raises(TypeError):
        gate.feed("x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ActivityGate(pre_roll_ms=-1)
    with pytest.raises(ValueError):
        ActivityGate(hangover_ms=-5)
    with pytest.raises(ValueError):
        ActivityGate(sample_rate=0)

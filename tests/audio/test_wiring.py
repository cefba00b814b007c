"""stream_microphone and feed_playback over a RecordingWriter and scripted events (no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gemini_live import AudioChunk, GenerationComplete, Interrupted, RecordingWriter, TurnComplete
from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.playback import FlushReport, PlaybackBuffer
from gemini_live.audio.synth import silence, synthesize
from gemini_live.media import feed_playback, stream_microphone


async def chunks(pcm: bytes) -> AsyncIterator[bytes]:
    for chunk in chunk_pcm16(pcm, 16_000, 20):
        yield chunk


async def test_without_a_gate_every_chunk_is_sent_in_order() -> None:
    writer = RecordingWriter()
    pcm = synthesize("hi", 16_000) + silence(0.1, 16_000)
    await stream_microphone(chunks(pcm), writer)
    assert set(writer.methods()) == {"send_audio"}
    assert b"".join(c.args[0] for c in writer.calls) == pcm


async def test_with_a_gate_speech_is_framed_and_an_open_window_is_closed_at_the_end() -> None:
    writer = RecordingWriter()
    seen: list[str] = []
    pcm = silence(0.5, 16_000) + synthesize("hello", 16_000)  # the stream ends mid-speech
    await stream_microphone(chunks(pcm), writer, gate=ActivityGate(), on_activity=seen.append)
    methods = writer.methods()
    assert methods[0] == "signal_activity_start"
    assert methods[-1] == "signal_activity_end"
    assert set(methods[1:-1]) == {"send_audio"}
    assert seen == ["start", "end"]


async def test_feed_playback_pushes_flushes_and_ends_turns() -> None:
    async def events() -> AsyncIterator[object]:
        yield AudioChunk(b"\x01\x00" * 4800)
        yield Interrupted()
        yield TurnComplete()
        yield AudioChunk(b"\x02\x00" * 480)
        yield GenerationComplete()

    buffer = PlaybackBuffer(24_000, target_latency_ms=80)
    reports: list[FlushReport] = []
    await feed_playback(events(), buffer, on_flush=reports.append)  # type: ignore[arg-type]
    assert [(r.turn, r.played, r.dropped) for r in reports] == [(1, 0.0, 0.2)]
    # Turn 2 ended with 20 ms, less than the target latency: it plays anyway.
    assert buffer.pull(480) == b"\x02\x00" * 480

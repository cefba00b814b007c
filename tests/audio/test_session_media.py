"""Media wired to a real session against the emulator: barge-in flushes playback and reports
the played position; the client VAD drives activity windows; video never delays audio."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import gemini_live
from gemini_live import (
    AudioChunk,
    AutomaticActivityDetection,
    Event,
    GenerationConfig,
    LiveConfig,
    RealtimeInputConfig,
    TextDelta,
    TurnComplete,
)
from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.playback import FlushReport, PlaybackBuffer
from gemini_live.audio.synth import silence, synthesize
from gemini_live.media import PlaybackReader, feed_playback, stream_microphone
from gemini_live.testing import Emulator

MODEL = "gemini-3.8-live"
MANUAL = RealtimeInputConfig(automatic_activity_detection=AutomaticActivityDetection(disabled=True))


def connect(emu: Emulator, modality: str) -> gemini_live.Session:
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=(modality,)),
        realtime_input_config=MANUAL,
    )
    return gemini_live.connect(
        MODEL, base_url=emu.url, credentials=gemini_live.ApiKey("test"), config=config
    )


async def test_barge_in_flushes_playback_and_reports_what_was_heard() -> None:
    buffer = PlaybackBuffer(24_000, target_latency_ms=80)
    flushed: asyncio.Future[FlushReport] = asyncio.get_running_loop().create_future()
    async with Emulator(audio_pace=0.01) as emu, connect(emu, "AUDIO") as session:
        half_second = asyncio.Event()

        async def watched(events: AsyncIterator[Event]) -> AsyncIterator[Event]:
            async for event in events:
                yield event  # feed_playback handles it before asking for the next one
                if buffer.position().received >= 0.5:
                    half_second.set()

        feeder = asyncio.create_task(
            feed_playback(watched(session.events()), buffer, on_flush=flushed.set_result)
        )
        await session.send_text("say " + "a long answer that keeps on going " * 8)
        async with asyncio.timeout(10):
            await half_second.wait()
        # The simulated device plays 300 ms (30 periods of 10 ms), then the user barges in.
        heard = b"".join(buffer.pull(240) for _ in range(30))
        assert heard.count(0) < len(heard) // 2  # real model audio was played
        await session.signal_activity_start()
        async with asyncio.timeout(5):
            report = await flushed
        assert report.turn == 1
        assert report.played == pytest.approx(0.3)
        assert report.dropped >= 0.2
        assert buffer.pull(240) == bytes(480)  # silent from the next period on
        assert buffer.stats().underruns == 0
        feeder.cancel()


async def mic(pcm: bytes) -> AsyncIterator[bytes]:
    for chunk in chunk_pcm16(pcm, 16_000, 20):
        yield chunk


async def test_client_vad_drives_activity_windows_with_pre_roll() -> None:
    speech = synthesize("hello there", 16_000)
    pcm = silence(0.6, 16_000) + speech + silence(1.2, 16_000)
    gate = ActivityGate(pre_roll_ms=200, hangover_ms=500)
    async with Emulator(audio_pace=0.001, text_pace=0.001) as emu, connect(emu, "TEXT") as s:
        events = s.events()
        await stream_microphone(mic(pcm), s, gate=gate)
        text = ""
        async with asyncio.timeout(5):
            async for event in events:
                if isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, TurnComplete):
                    break
        fields = [c.field for c in emu.last_session.consumed if c.kind == "realtimeInput"]
    assert fields[0] == "activityStart" and fields[-1] == "activityEnd"
    assert set(fields[1:-1]) == {"audio"}
    # 200 ms pre-roll + 550 ms speech + 500 ms hangover, in whole 20 ms chunks.
    seconds = float(text.removeprefix("Echo: <speech ").removesuffix("s>"))
    assert 1.24 <= seconds <= 1.30


async def test_audio_chunks_reach_the_model_as_pushed_into_playback_across_turns() -> None:
    buffer = PlaybackBuffer(24_000, target_latency_ms=0)
    async with Emulator(audio_pace=0.001) as emu, connect(emu, "AUDIO") as session:
        events = session.events()
        feeder = asyncio.create_task(feed_playback(session.events(), buffer))
        received = b""
        for n in (1, 2):
            await session.send_text(f"say turn {n}")
            async with asyncio.timeout(5):
                async for event in events:
                    if isinstance(event, AudioChunk):
                        received += event.data
                    elif isinstance(event, TurnComplete):
                        break
        played = b""
        reader = PlaybackReader(buffer)
        async with asyncio.timeout(5):
            while len(played) < len(received):
                played += await reader.read(4800)
        assert played == received
        assert buffer.position().turn == 2
        feeder.cancel()

"""The bounded event-reading helpers users get from ``gemini_live.testing``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import gemini_live
from gemini_live import (
    ApiKey,
    AudioChunk,
    Disconnected,
    GenerationConfig,
    LiveConfig,
    OutputTranscription,
    TextDelta,
    TurnComplete,
)
from gemini_live.testing import (
    Emulator,
    audio_of,
    drain,
    read_for,
    read_turn,
    read_until,
    text_of,
    transcript_of,
)

TEXT = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))


async def test_read_turn_and_text_of_against_the_emulator() -> None:
    async with (
        Emulator() as emu,
        gemini_live.connect(
            "gemini-3.8-live", credentials=ApiKey("k"), base_url=emu.url, config=TEXT
        ) as session,
    ):
        events = session.events()
        await session.send_text("Hello")
        turn = await read_turn(events)
        assert isinstance(turn[-1], TurnComplete)
        assert text_of(turn) == "Echo: Hello"
        # After the turn only bookkeeping follows (the phase, a resumption update).
        after = await read_for(events, 0.1)
        assert not [e for e in after if isinstance(e, TextDelta | TurnComplete)]
        await session.send_text("again")
        up_to_text = await read_until(events, lambda e: isinstance(e, TextDelta))
        assert isinstance(up_to_text[-1], TextDelta)
        await read_until(events, (TurnComplete, Disconnected))
        later = session.events()
    assert isinstance((await drain(later))[-1], Disconnected)


async def _stream(*events: gemini_live.Event) -> AsyncIterator[gemini_live.Event]:
    for event in events:
        yield event


async def test_helpers_on_a_recorded_stream() -> None:
    recorded = (
        AudioChunk(b"\x01\x00"),
        OutputTranscription("Hel"),
        AudioChunk(b"\x02\x00"),
        OutputTranscription("lo"),
        TurnComplete(),
    )
    turn = await read_turn(_stream(*recorded))
    assert audio_of(turn) == b"\x01\x00\x02\x00"
    assert transcript_of(turn) == "Hello"
    with pytest.raises(AssertionError, match="ended before"):
        await read_until(_stream(AudioChunk(b"")), TurnComplete)
    with pytest.raises(TypeError, match="until"):
        await read_until(_stream(), "TurnComplete")  # type: ignore[arg-type]


async def test_read_until_is_bounded() -> None:
    async with (
        Emulator() as emu,
        gemini_live.connect(
            "gemini-3.8-live", credentials=ApiKey("k"), base_url=emu.url, config=TEXT
        ) as session,
    ):
        with pytest.raises(TimeoutError):
            await read_until(session.events(), TurnComplete, timeout=0.05)

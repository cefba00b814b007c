"""Helpers for the conversation tests (every wait bounded)."""

from __future__ import annotations

import asyncio
from typing import Any

import gemini_live
from gemini_live import (
    ApiKey,
    AudioTranscriptionConfig,
    ExponentialBackoff,
    GenerationConfig,
    LiveConfig,
    SessionOptions,
)
from gemini_live.conversation import ConversationEvent, NoticeStream, TurnRecord
from gemini_live.testing import Emulator

__all__ = [
    "AUDIO_CONFIG",
    "FAST_RETRY",
    "MODEL",
    "TEXT_CONFIG",
    "connect_to",
    "drop_server_socket",
    "next_notice",
    "read_until",
]

MODEL = "gemini-3.8-live"
TEXT_CONFIG = LiveConfig(generation_config=GenerationConfig(response_modalities=("TEXT",)))
AUDIO_CONFIG = LiveConfig(
    generation_config=GenerationConfig(response_modalities=("AUDIO",)),
    input_audio_transcription=AudioTranscriptionConfig(),
    output_audio_transcription=AudioTranscriptionConfig(),
)

FAST_RETRY = SessionOptions(retry_policy=ExponentialBackoff(initial_delay=0.01, max_delay=0.05))


def connect_to(emu: Emulator, config: LiveConfig = TEXT_CONFIG, **kwargs: Any) -> Any:
    kwargs.setdefault("options", FAST_RETRY)
    return gemini_live.connect(
        MODEL, base_url=emu.url, credentials=ApiKey("test"), config=config, **kwargs
    )


async def read_until(events: Any, kind: type, *, timeout: float = 5.0) -> Any:
    """Read a session subscription up to the first event of type ``kind`` (bounded)."""
    async with asyncio.timeout(timeout):
        async for event in events:
            if isinstance(event, kind):
                return event
    raise AssertionError(f"the session ended before a {kind.__name__}")


async def next_notice(
    stream: NoticeStream, kind: type = TurnRecord, *, timeout: float = 5.0
) -> ConversationEvent:
    """The next notice of type ``kind`` (others are skipped), within ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        async for notice in stream:
            if isinstance(notice, kind):
                return notice
    raise AssertionError(f"the conversation ended before a {kind.__name__}")


def drop_server_socket(emu: Emulator) -> None:
    """Drop the current connection's TCP socket from the emulator's side (a network loss)."""
    socket = emu.last_session.open_socket
    assert socket is not None, "no open connection to drop"
    socket.transport.abort()

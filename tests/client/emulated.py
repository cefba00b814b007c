"""Helpers for the session tests that run against the emulator (every wait bounded).

Expected replies follow the emulator's documented model (``gemini_live.testing.emulator.model``):
``"Echo: <text>"``, ``"say X"`` -> ``"X"``, ``"recap"``, ``"[<instruction>] "`` prefixes, tool
triggers ``call NAME {json}`` and ``"<speech N.NNs>"`` for audio input.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import Any

import gemini_live
from gemini_live import (
    ApiKey,
    AudioChunk,
    AutomaticActivityDetection,
    Event,
    FunctionDeclaration,
    GenerationConfig,
    LiveConfig,
    OutputTranscription,
    Phase,
    PhaseChanged,
    Platform,
    RealtimeInputConfig,
    Session,
    TextDelta,
    Tool,
    TurnComplete,
    Vertex,
)
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize
from gemini_live.client.fanout import Subscription
from gemini_live.testing import Emulator

__all__ = [
    "AUDIO",
    "FAST",
    "MANUAL_VAD",
    "MODEL",
    "SPEECH",
    "TEXT",
    "audio_of",
    "kinds",
    "open_session",
    "phases",
    "read_phase",
    "read_quiet",
    "read_turn",
    "read_until",
    "say",
    "speech_chunks",
    "spoken",
    "text_of",
    "weather_tool",
]

MODEL = "gemini-3.8-live"
FAST = {"audio_pace": 0.001, "text_pace": 0.001}
TEXT = GenerationConfig(response_modalities=("TEXT",))
AUDIO = GenerationConfig(response_modalities=("AUDIO",))
MANUAL_VAD = RealtimeInputConfig(
    automatic_activity_detection=AutomaticActivityDetection(disabled=True)
)
SPEECH = re.compile(r"<speech (\d+\.\d\d)s>")


def weather_tool(behavior: str) -> Tool:
    return Tool(
        function_declarations=(
            FunctionDeclaration(
                name="get_weather",
                description="Weather for a city",
                behavior=behavior,
                parameters={"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
            ),
        )
    )


def open_session(emu: Emulator, config: LiveConfig, *, vertex: bool = False) -> Any:
    if vertex:
        return gemini_live.connect(
            MODEL,
            platform=Platform.VERTEX,
            credentials=Vertex("p", "us-central1", "t"),
            base_url=emu.url,
            config=config,
        )
    return gemini_live.connect(MODEL, base_url=emu.url, credentials=ApiKey("test"), config=config)


async def read_until(
    events: Subscription, stop: Callable[[Event], bool], *, timeout: float = 5.0
) -> list[Event]:
    """Events up to and including the first one for which ``stop`` is true (bounded)."""
    out: list[Event] = []
    async with asyncio.timeout(timeout):
        async for event in events:
            out.append(event)
            if stop(event):
                return out
    raise AssertionError(f"the event stream ended before the expected event; got {out!r}")


async def read_turn(events: Subscription, *, timeout: float = 5.0) -> list[Event]:
    return await read_until(events, lambda e: isinstance(e, TurnComplete), timeout=timeout)


async def read_phase(events: Subscription, phase: Phase) -> list[Event]:
    """Events up to the ``PhaseChanged`` into ``phase`` (published after its triggering event)."""
    return await read_until(events, lambda e: isinstance(e, PhaseChanged) and e.new is phase)


async def read_quiet(events: Subscription, seconds: float) -> list[Event]:
    """Everything that arrives within ``seconds`` (a bounded look for unwanted events)."""
    out: list[Event] = []
    try:
        async with asyncio.timeout(seconds):
            async for event in events:
                out.append(event)
    except TimeoutError:
        pass
    return out


def kinds(events: Sequence[Event], *types: type) -> list[type]:
    return [type(e) for e in events if isinstance(e, types)]


def text_of(events: Sequence[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def spoken(events: Sequence[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, OutputTranscription))


def audio_of(events: Sequence[Event]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, AudioChunk))


def phases(events: Sequence[Event]) -> list[tuple[Phase, Phase]]:
    return [(e.old, e.new) for e in events if isinstance(e, PhaseChanged)]


async def say(session: Session, events: Subscription, text: str) -> list[Event]:
    await session.send_text(text)
    return await read_turn(events)


def speech_chunks(text: str, trailing_silence: float = 0.0) -> list[bytes]:
    pcm = synthesize(text, 16000) + silence(trailing_silence, 16000)
    return list(chunk_pcm16(pcm, 16000, 20))

"""Helpers for the session tests that run against the emulator (every wait bounded).

Expected replies follow the emulator's documented model (``gemini_live.testing.emulator.model``):
``"Echo: <text>"``, ``"say X"`` -> ``"X"``, ``"recap"``, ``"[<instruction>] "`` prefixes, tool
triggers ``call NAME {json}`` and ``"<speech N.NNs>"`` for audio input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import gemini_live
from gemini_live import (
    ApiKey,
    AutomaticActivityDetection,
    Event,
    FunctionDeclaration,
    GenerationConfig,
    LiveConfig,
    Phase,
    PhaseChanged,
    Platform,
    RealtimeInputConfig,
    Session,
    Tool,
    Vertex,
)
from gemini_live.audio.pcm import chunk_pcm16
from gemini_live.audio.synth import silence, synthesize
from gemini_live.client.fanout import Subscription
from gemini_live.testing import Emulator
from gemini_live.testing.streams import (
    audio_of,
    read_for,
    read_turn,
    read_until,
    text_of,
    transcript_of,
)

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


def open_session(
    emu: Emulator,
    config: LiveConfig,
    *,
    vertex: bool = False,
    options: gemini_live.SessionOptions | None = None,
) -> Any:
    if vertex:
        return gemini_live.connect(
            MODEL,
            platform=Platform.VERTEX,
            credentials=Vertex("p", "us-central1", "t"),
            base_url=emu.url,
            config=config,
            options=options,
        )
    return gemini_live.connect(
        MODEL, base_url=emu.url, credentials=ApiKey("test"), config=config, options=options
    )


async def read_phase(events: Subscription, phase: Phase) -> list[Event]:
    """Events up to the ``PhaseChanged`` into ``phase`` (published after its triggering event)."""
    return await read_until(events, lambda e: isinstance(e, PhaseChanged) and e.new is phase)


read_quiet = read_for  # everything within a bounded time


def kinds(events: Sequence[Event], *types: type) -> list[type]:
    return [type(e) for e in events if isinstance(e, types)]


spoken = transcript_of


def phases(events: Sequence[Event]) -> list[tuple[Phase, Phase]]:
    return [(e.old, e.new) for e in events if isinstance(e, PhaseChanged)]


async def say(session: Session, events: Subscription, text: str) -> list[Event]:
    await session.send_text(text)
    return await read_turn(events)


def speech_chunks(text: str, trailing_silence: float = 0.0) -> list[bytes]:
    pcm = synthesize(text, 16000) + silence(trailing_silence, 16000)
    return list(chunk_pcm16(pcm, 16000, 20))

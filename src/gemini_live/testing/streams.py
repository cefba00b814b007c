"""Small helpers for tests that read a session's events, every wait bounded.

::

    from gemini_live.testing import read_turn, text_of

    events = session.events()
    await session.send_text("Hello")
    turn = await read_turn(events)            # up to and including TurnComplete (5 s at most)
    assert text_of(turn) == "Echo: Hello"

They work on any async iterator of events (``session.events()``, a recorded stream) and raise
``TimeoutError`` when the wait runs out, ``AssertionError`` when the stream ends first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable

from gemini_live.protocol.events import (
    AudioChunk,
    Event,
    InputTranscription,
    OutputTranscription,
    TextDelta,
    TurnComplete,
)

__all__ = [
    "audio_of",
    "drain",
    "input_transcript_of",
    "read_for",
    "read_turn",
    "read_until",
    "text_of",
    "transcript_of",
]

Until = type | tuple[type, ...] | Callable[[Event], bool]


def _matcher(until: Until) -> Callable[[Event], bool]:
    if isinstance(until, type | tuple):
        kinds = until
        return lambda event: isinstance(event, kinds)
    if callable(until):
        return until
    raise TypeError(f"until must be an event type, a tuple of them or a predicate, not {until!r}")


async def read_until(
    events: AsyncIterator[Event], until: Until, *, timeout: float = 5.0
) -> list[Event]:
    """Events up to and including the first that matches ``until`` (an event type, a tuple of
    types, or a predicate). Raises ``TimeoutError`` after ``timeout`` seconds and
    ``AssertionError`` if the stream ends first. Safe to cancel (no event is lost from a
    ``Subscription``)."""
    matches = _matcher(until)
    seen: list[Event] = []
    async with asyncio.timeout(timeout):
        async for event in events:
            seen.append(event)
            if matches(event):
                return seen
    raise AssertionError(f"the event stream ended before the expected event; got {seen!r}")


async def read_turn(events: AsyncIterator[Event], *, timeout: float = 5.0) -> list[Event]:
    """Events up to and including the next ``TurnComplete`` (see :func:`read_until`)."""
    return await read_until(events, TurnComplete, timeout=timeout)


async def read_for(events: AsyncIterator[Event], seconds: float) -> list[Event]:
    """Whatever arrives within ``seconds`` (e.g. to check that nothing unwanted comes).
    Returns early if the stream ends. Safe to cancel."""
    seen: list[Event] = []
    try:
        async with asyncio.timeout(seconds):
            async for event in events:
                seen.append(event)
    except TimeoutError:
        pass
    return seen


async def drain(events: AsyncIterator[Event], *, timeout: float = 5.0) -> list[Event]:
    """Every event until the stream ends (e.g. after ``disconnect()``); ``TimeoutError`` if it
    does not end within ``timeout`` seconds. An error that ends the stream (``SessionBroken``)
    propagates. Safe to cancel."""
    async with asyncio.timeout(timeout):
        return [event async for event in events]


def text_of(events: Iterable[Event]) -> str:
    """The model's text (``TextDelta`` fragments joined)."""
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def transcript_of(events: Iterable[Event]) -> str:
    """What the model said (``OutputTranscription`` fragments joined)."""
    return "".join(e.text for e in events if isinstance(e, OutputTranscription))


def input_transcript_of(events: Iterable[Event]) -> str:
    """What the user said, as the service heard it (``InputTranscription`` joined)."""
    return "".join(e.text for e in events if isinstance(e, InputTranscription))


def audio_of(events: Iterable[Event]) -> bytes:
    """The model's audio (``AudioChunk`` data joined: PCM16, usually 24 kHz)."""
    return b"".join(e.data for e in events if isinstance(e, AudioChunk))

"""Glue between a Live session and the media objects: a few lines each, public API only.

* :func:`feed_playback` plays a session's event stream through a
  :class:`~gemini_live.audio.playback.PlaybackBuffer`: ``AudioChunk`` is pushed, ``Interrupted``
  flushes (the :class:`~gemini_live.audio.playback.FlushReport` goes to ``on_flush``),
  ``GenerationComplete``/``TurnComplete`` end the turn.
* :func:`stream_microphone` sends captured chunks with ``send_audio`` (optionally through a
  :class:`~gemini_live.audio.activity.ActivityGate` that drives ``signal_activity_start/end``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Literal

from gemini_live import AudioChunk, Event, GenerationComplete, Interrupted, TurnComplete
from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.playback import FlushReport, PlaybackBuffer
from gemini_live.client.writer import SessionWriter

__all__ = ["feed_playback", "stream_microphone"]


async def feed_playback(
    events: AsyncIterable[Event],
    buffer: PlaybackBuffer,
    *,
    on_flush: Callable[[FlushReport], object] | None = None,
) -> None:
    """Push a session's model audio into ``buffer`` until ``events`` ends.

    ``events`` is a ``session.events()`` subscription (or any event iterable). Safe to cancel:
    the buffer keeps what it already has. Not meant to be run twice on one buffer at once.
    """
    async for event in events:
        if isinstance(event, AudioChunk):
            buffer.push(event.data, event.sample_rate)
        elif isinstance(event, Interrupted):
            report = buffer.interrupt()
            if on_flush is not None:
                on_flush(report)
        elif isinstance(event, GenerationComplete | TurnComplete):
            buffer.end_turn()


async def stream_microphone(
    chunks: AsyncIterable[bytes] | AsyncIterator[bytes],
    writer: SessionWriter,
    *,
    gate: ActivityGate | None = None,
    on_activity: Callable[[Literal["start", "end"]], object] | None = None,
) -> None:
    """Send every captured chunk with ``writer.send_audio`` until ``chunks`` ends.

    With a ``gate`` (client-side VAD, manual activity detection), only speech is sent, framed by
    ``signal_activity_start``/``signal_activity_end`` with the gate's pre-roll and hangover; an
    activity still open when the stream ends is closed. ``on_activity`` is called with
    ``"start"``/``"end"`` right after each signal is sent, e.g. to stop playback at once on a
    barge-in (``buffer.interrupt(discard_rest=True)``) instead of one round trip later. Safe to
    cancel between chunks (an activity left open is the caller's to end); call once per writer.
    """
    async for chunk in chunks:
        if gate is None:
            await writer.send_audio(chunk)
            continue
        for action in gate.feed(chunk):
            await _apply(writer, action, on_activity)
    if gate is not None:
        for action in gate.finish():
            await _apply(writer, action, on_activity)


async def _apply(
    writer: SessionWriter,
    action: bytes | str,
    on_activity: Callable[[Literal["start", "end"]], object] | None,
) -> None:
    if isinstance(action, bytes):
        await writer.send_audio(action)
        return
    if action == "start":
        await writer.signal_activity_start()
        if on_activity is not None:
            on_activity("start")
    else:
        await writer.signal_activity_end()
        if on_activity is not None:
            on_activity("end")

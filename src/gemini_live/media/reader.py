"""An async pull for a :class:`~gemini_live.audio.playback.PlaybackBuffer`.

Sinks that pace themselves (a WebSocket to a browser, a file, a network stream) do not want
made-up silence: :class:`PlaybackReader` waits until audio is playable (the buffer's target
latency reached, or the turn ended) and returns it, woken by the buffer's listener instead of
polling. Push into the buffer from the event loop's thread, or from any thread when the buffer
was made with a lock (the wake-up then crosses threads safely).
"""

from __future__ import annotations

import asyncio
import threading

from gemini_live.audio.playback import PlaybackBuffer

__all__ = ["PlaybackReader"]


class PlaybackReader:
    """``await reader.read(max_frames)``: the next playable audio of ``buffer``.

    Create it inside the event loop that will read. One reader per buffer; :meth:`close`
    detaches it from the buffer.
    """

    def __init__(self, buffer: PlaybackBuffer) -> None:
        self._buffer = buffer
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._changed = asyncio.Event()
        buffer.add_listener(self._wake)

    def _wake(self) -> None:
        if threading.get_ident() == self._thread:
            self._changed.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._changed.set)

    async def read(self, max_frames: int) -> bytes:
        """Between 1 and ``max_frames`` frames once audio is playable; ``b""`` when the buffer
        was closed and everything was read. Safe to cancel (nothing is consumed unless
        returned); not for concurrent callers. Bound the wait with ``asyncio.timeout``."""
        while True:
            self._changed.clear()
            data = self._buffer.take(max_frames)
            if data or self._buffer.finished:
                return data
            await self._changed.wait()

    def close(self) -> None:
        """Stop listening to the buffer. Idempotent."""
        self._buffer.remove_listener(self._wake)

"""Replaying a JSONL recording as a server.

The k-th connection to a :class:`ReplayServer` replays the k-th recorded connection: frames the
server sent before the first client frame are sent at once; then, each time the client sends its
i-th frame, the server frames that followed the i-th client frame in the recording are sent, and
a recorded server close (or abort) after them is reproduced. Client frames are not compared with
the recording unless ``strict=True`` (a mismatch then closes 1007 with a reason naming the index).
``realtime=True`` keeps the recorded delays between server frames. A connection beyond the
recorded ones is closed 1011 ``No more recorded connections.``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import suppress
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .recorder import RecordedConnection, RecordedStep, load_recording
from .server import BaseServer

__all__ = ["ReplayServer"]

logger = logging.getLogger("gemini_live.testing")


def _same(a: str | bytes, b: str | bytes) -> bool:
    try:
        return bool(orjson.loads(a) == orjson.loads(b))
    except orjson.JSONDecodeError:
        return a == b


class ReplayServer(BaseServer):
    """Serves a recording made with ``Emulator(record_to=...)``; same URL API as the emulator."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool | tuple[str, str] = False,
        max_size: int | None = 16 * 1024 * 1024,
        realtime: bool = False,
        strict: bool = False,
    ) -> None:
        super().__init__(host=host, port=port, tls=tls, max_size=max_size)
        self.recording: list[RecordedConnection] = load_recording(path)
        self.realtime = realtime
        self.strict = strict
        self.served = 0
        self.mismatches: list[tuple[int, int]] = []

    async def _handle(self, ws: ServerConnection) -> None:
        self.served += 1
        number = self.served
        if number > len(self.recording):
            await ws.close(1011, "No more recorded connections.")
            return
        recorded = self.recording[number - 1]
        with suppress(ConnectionClosed):
            if await self._step(ws, recorded.steps[0]):
                return
            for i in range(1, len(recorded.steps)):
                data = await ws.recv()
                expected = recorded.client_frames[i - 1]
                if self.strict and not _same(data, expected):
                    self.mismatches.append((number, i))
                    await ws.close(1007, f"Replay mismatch at client frame {i}.")
                    return
                if await self._step(ws, recorded.steps[i]):
                    return
            await ws.wait_closed()

    async def _step(self, ws: ServerConnection, step: RecordedStep) -> bool:
        """Send one step's frames; True when the step ends the connection."""
        previous: float | None = None
        for t, data in step.frames:
            if self.realtime and previous is not None and t > previous:
                await asyncio.sleep(t - previous)
            previous = t
            await ws.send(data)
        if step.abort:
            ws.transport.abort()
            return True
        if step.close is not None:
            await ws.close(*step.close)
            return True
        return False

    def describe(self) -> list[dict[str, Any]]:
        """A summary of the recording: per connection, its path and frame counts."""
        return [
            {
                "conn": c.conn,
                "path": c.path,
                "client_frames": len(c.client_frames),
                "server_frames": sum(len(s.frames) for s in c.steps),
            }
            for c in self.recording
        ]

"""Reading standard input line by line without a thread that could outlive Ctrl-C.

``asyncio.to_thread(sys.stdin.readline)`` cannot be cancelled: ``asyncio.run`` waits for the
executor's thread at shutdown, so Ctrl-C at a prompt only took effect after the next Enter (and
with piped input, after the writer closed the pipe). Here a terminal or a pipe is watched with
``loop.add_reader`` and read with ``os.read`` only once readable, so a pending read is an
ordinary awaitable that Ctrl-C cancels at once. A regular file (``< questions.txt``) never
blocks and is read directly; where the loop cannot watch the descriptor (Windows), a daemon
thread reads, which the interpreter does not wait for at exit.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import threading
from typing import BinaryIO

__all__ = ["LineReader"]

_CHUNK = 65536


class LineReader:
    """``await reader.readline()`` returns the next line without its newline, ``None`` at EOF.

    Safe to cancel (an interrupted read loses nothing: bytes already read stay buffered). Not
    safe to call concurrently with itself.
    """

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdin.buffer
        self._fd = self._stream.fileno()
        self._buffer = bytearray()
        self._eof = False
        self._thread_lines: asyncio.Queue[bytes | None] | None = None

    async def readline(self) -> str | None:
        """The next line (decoded as UTF-8, invalid bytes replaced), or ``None`` at end of input."""
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[: newline + 1]
                return line.decode("utf-8", "replace").rstrip("\r")
            if self._eof:
                if not self._buffer:
                    return None
                rest = bytes(self._buffer)
                self._buffer.clear()
                return rest.decode("utf-8", "replace")
            chunk = await self._read_chunk()
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True

    async def _read_chunk(self) -> bytes:
        if self._thread_lines is not None:
            return await self._from_thread()
        if stat.S_ISREG(os.fstat(self._fd).st_mode):
            return os.read(self._fd, _CHUNK)  # a regular file never blocks
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        try:
            loop.add_reader(self._fd, ready)
        except (NotImplementedError, PermissionError, ValueError, OSError):
            self._start_thread(loop)
            return await self._from_thread()
        try:
            await readable
        finally:
            loop.remove_reader(self._fd)
        return os.read(self._fd, _CHUNK)

    def _start_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._thread_lines = queue

        def pump() -> None:
            while True:
                try:
                    line = self._stream.readline()
                except (OSError, ValueError):
                    line = b""
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line or None)
                except RuntimeError:  # the loop is closed: nobody is reading any more
                    return
                if not line:
                    return

        # A daemon thread: the interpreter does not wait for it, so Ctrl-C still ends the program.
        threading.Thread(target=pump, name="gemini-live-stdin", daemon=True).start()

    async def _from_thread(self) -> bytes:
        assert self._thread_lines is not None
        line = await self._thread_lines.get()
        return line if line is not None else b""

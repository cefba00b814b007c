"""The receive buffer of a WebSocket transport (an ``asyncio.BufferedProtocol``'s memory).

Why not plain ``data_received``: asyncio's selector transport then allocates a 256 KiB
``bytes`` for every ``recv`` and shrinks it to what arrived (an ``mmap``/``mremap``/``munmap``
round trip per read at the sizes involved), and every read is copied again into the parser's
own buffer. Here the kernel writes straight into one small ``bytearray`` per connection that the
frame scanner reads in place.

The buffer starts small (``READ_SIZE``), because there is one per session and a Live frame is a
few KiB; it grows only to hold one frame that does not fit (up to the transport's
``max_frame_size``; at most doubling with the bytes that have actually arrived) and goes back to
its small size once that frame has been consumed.
"""

from __future__ import annotations

__all__ = ["READ_SIZE", "ReadBuffer"]

READ_SIZE = 4 * 1024
"""Bytes offered to each read (and the buffer's resting size).

One 40 ms audio frame (about 2.7 KiB) fits with ``_MIN_FREE`` to spare; 8 KiB cost about 1 MiB
more RSS with 100 sessions (``benchmarks/bench_sessions.py``); a burst downlink
(``benchmarks/bench_hotpath.py``) takes more reads at 4 KiB, within about 10 % per frame."""
_MIN_FREE = 1024  # below this much free space at the tail, make room before the next read


class ReadBuffer:
    """Unread bytes are ``data[start:end]``; the kernel writes at ``data[end:]``.

    ``need`` is the size of the partial frame at ``start`` when it is known (its header has
    arrived): room is made for it before the next reads, so a frame is always contiguous.
    """

    __slots__ = ("data", "end", "need", "start", "view")

    def __init__(self) -> None:
        self.data = bytearray(READ_SIZE)
        self.view = memoryview(self.data)
        self.start = 0
        self.end = 0
        self.need = 0

    def free_space(self) -> memoryview:
        """Where the next read may write (``get_buffer``); never empty."""
        if self.start or len(self.data) - self.end < _MIN_FREE or self.need > len(self.data):
            self._make_room()
        return self.view[self.end :]

    def consumed(self, position: int) -> None:
        """Everything before ``position`` has been handled."""
        if position >= self.end:
            self.start = self.end = self.need = 0
            if len(self.data) > READ_SIZE:
                # A large frame came and went: give its memory back.
                self.data = bytearray(READ_SIZE)
                self.view = memoryview(self.data)
        else:
            self.start = position

    def take(self) -> bytes:
        """All unread bytes, as one ``bytes``; the buffer is left empty."""
        data = bytes(self.view[self.start : self.end])
        self.consumed(self.end)
        return data

    def _make_room(self) -> None:
        """Move the unread bytes (a partial frame) to the front, growing the array if that
        frame (or the unread bytes) would not fit with room to spare."""
        start, end = self.start, self.end
        pending = end - start
        # Room for the whole frame, but grown at most geometrically with what has arrived: a
        # peer announcing a huge frame and sending little cannot make us allocate it up front.
        needed = min(max(self.need, pending), max(2 * pending, READ_SIZE)) + _MIN_FREE
        if needed > len(self.data):
            # A fresh array: the memoryview handed to the previous read may still be alive,
            # and an exported bytearray cannot be resized.
            data = bytearray(max(needed, READ_SIZE))
            data[:pending] = self.view[start:end]
            self.data = data
            self.view = memoryview(data)
        elif start:
            # Same-size slice assignment never resizes; bytes() first because the two ranges
            # may overlap.
            self.data[:pending] = bytes(self.view[start:end])
        self.start = 0
        self.end = pending

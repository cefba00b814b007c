"""A bounded FIFO of accepted-but-not-yet-written client frames, with fair backpressure.

Frames wait here only when they cannot be written straight away: the socket's write buffer is
over its high-water mark, or the session is between connections. When the outbox is full,
writers wait in arrival order; a slot freed by the pump is handed to the longest waiter, so a
burst of new writers cannot overtake one that has been waiting (per-writer and global order).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Outbox", "PendingFrame"]


@dataclass(slots=True)
class PendingFrame:
    kind: str
    frame: str
    accepted_at: float


class Outbox:
    """Not thread-safe; use from the event loop only."""

    # One per session, read on every send (``busy``): slots save the dict and its lookups.
    __slots__ = ("_error", "_items", "_reserved", "_waiters", "capacity", "high_water")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"send queue capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        # Frames wait here only while the socket is backed up or between connections: the
        # deque (about 600 bytes, one per session) is made when the first frame has to wait.
        self._items: deque[PendingFrame] | tuple[()] = ()
        # Writers waiting for room: rare, so the deque (about 600 bytes) is made at the first.
        self._waiters: deque[asyncio.Future[None]] | None = None
        self._reserved = 0  # slots granted to woken waiters that have not appended yet
        self._error: BaseException | None = None
        self.high_water = 0

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def busy(self) -> bool:
        """Whether anything is queued, waiting for room, or granted a slot but not appended yet.

        A writer may bypass the outbox (write straight to the socket) only when it is not busy:
        a waiter that was just granted a slot has not appended its frame yet, and a newcomer
        writing directly would overtake it.
        """
        return bool(self._items) or bool(self._waiters) or self._reserved > 0

    def has_room(self) -> bool:
        return not self._waiters and len(self._items) + self._reserved < self.capacity

    def put_nowait(self, item: PendingFrame) -> bool:
        """Append if there is room and nobody is waiting ahead; return whether it was taken."""
        if self._error is not None:
            # Shared by every later put: reset its traceback so repeated raises don't grow it.
            raise self._error.with_traceback(None)
        if not self.has_room():
            return False
        self._append(item)
        return True

    async def put(self, item: PendingFrame, admit: Callable[[], bool] | None = None) -> bool:
        """Append, waiting (in FIFO order with other writers) while the outbox is full.

        ``admit``, if given, is asked right before a frame that had to wait is appended: False
        drops it (the slot goes to the next waiter) and ``put`` returns False.

        Safe to cancel: a cancelled call did not enqueue its frame, and a slot it had been
        granted is passed on to the next waiter.
        """
        if self.put_nowait(item):
            return True
        waiter = asyncio.get_running_loop().create_future()
        waiters = self._waiters
        if waiters is None:
            waiters = self._waiters = deque()
        waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._reserved -= 1
                self._grant()
            elif waiter in waiters:
                waiters.remove(waiter)
            raise
        self._reserved -= 1
        if self._error is not None:
            raise self._error.with_traceback(None)
        if admit is not None and not admit():
            self._grant()
            return False
        self._append(item)
        return True

    def _append(self, item: PendingFrame) -> None:
        items = self._items
        if not isinstance(items, deque):
            items = self._items = deque()
        items.append(item)
        if len(items) > self.high_water:
            self.high_water = len(items)

    def appendleft(self, item: PendingFrame) -> None:
        """Put back a frame that was taken but could not be written (it keeps its place)."""
        items = self._items
        if not isinstance(items, deque):
            items = self._items = deque()
        items.appendleft(item)

    def popleft(self) -> PendingFrame:
        items = self._items
        if not isinstance(items, deque):
            raise IndexError("pop from an empty outbox")
        item = items.popleft()
        self._grant()
        return item

    def discard(self, predicate: Callable[[str, str], bool]) -> int:
        """Remove the frames for which ``predicate(kind, frame)`` is true (order kept); return
        how many. Freed slots go to waiting writers."""
        kept = deque(item for item in self._items if not predicate(item.kind, item.frame))
        removed = len(self._items) - len(kept)
        if removed:
            self._items = kept
            for _ in range(removed):
                self._grant()
        return removed

    def drain_all(self) -> list[PendingFrame]:
        items = list(self._items)
        self._items = ()  # the deque is made again if frames have to wait again
        while self._waiters and len(self._items) + self._reserved < self.capacity:
            self._grant()
        return items

    def _grant(self) -> None:
        waiters = self._waiters
        while waiters and len(self._items) + self._reserved < self.capacity:
            waiter = waiters.popleft()
            if waiter.done():
                continue
            self._reserved += 1
            waiter.set_result(None)
            return

    def fail(self, error: BaseException) -> None:
        """Reject every waiting and future ``put`` with ``error`` (the session ended)."""
        self._error = error
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_exception(error)

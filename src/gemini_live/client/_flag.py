"""A light replacement for ``asyncio.Event`` for the per-session flags of the driver.

``asyncio.Event`` allocates a ``collections.deque`` of waiters (about 600 bytes) and an
instance ``__dict__`` up front; a session keeps five of them, most of which nobody ever waits
on. :class:`Flag` keeps the same semantics (``set`` wakes every current waiter, ``wait``
returns at once when set, ``clear`` only affects later waits) with ``__slots__`` and a waiter
list created at the first wait. Not thread-safe: use from the event loop that owns it.
"""

from __future__ import annotations

import asyncio

__all__ = ["Flag"]


class Flag:
    """An ``asyncio.Event`` work-alike: ``is_set``, ``set``, ``clear`` and ``await wait()``."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        """Set the flag and wake every task waiting for it."""
        if self._set:
            return
        self._set = True
        waiters = self._waiters
        if waiters:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        """Return True once the flag is set (at once if it is). Safe to cancel."""
        if self._set:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        waiters = self._waiters
        if waiters is None:
            waiters = self._waiters = []
        waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            waiters.remove(waiter)

"""Deliver every event to every consumer, each through its own bounded queue.

The session's single receive path (the transport callback) calls :meth:`EventHub.publish`
synchronously; each :class:`Subscription` is an async iterator with its own queue, so consumers
never compete for events (a second consumer gets everything too) and never touch the socket.

Overflow policy, chosen per subscription:

* ``"error"`` (default): when a consumer's queue is full, that consumer is detached. It still
  receives everything that was queued before, then its iterator raises
  :class:`~gemini_live.errors.SubscriberOverflow`. Nothing is dropped silently and the session and
  the other consumers are not slowed down.
* ``"drop_oldest"``: the oldest queued event is discarded to make room (for consumers such as a
  UI meter that only care about recent events). Every discarded event is counted.

Both are counted in :meth:`EventHub.statistics`.

Once :meth:`EventHub.keep_backlog` was called and until the first subscription, published
events are kept (up to ``backlog``, oldest dropped and counted beyond it) and handed to that
first subscription: events that arrive with ``setupComplete`` (a greeting, a resumed model
mid-sentence) are published before the application can call ``events()``, and must not be lost.

A hub made with ``loop=`` belongs to that event loop: iterating one of its subscriptions from
another loop (or thread) raises ``RuntimeError`` instead of waiting for ever.

When the hub closes, each iterator first yields what it still holds, then ends
(``StopAsyncIteration``) or, if the hub was closed with an error (the session broke), raises that
error. A consumer task being cancelled while it waits does not affect the hub.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from gemini_live.errors import SubscriberOverflow
from gemini_live.protocol.events import Event

__all__ = ["EventHub", "FanoutStatistics", "OverflowPolicy", "Subscription"]

OverflowPolicy = Literal["error", "drop_oldest"]


@dataclass(frozen=True, slots=True)
class FanoutStatistics:
    """Counters of an :class:`EventHub` since it was created."""

    published: int
    subscribers: int
    overflowed_subscribers: int
    dropped_events: int


class Subscription(AsyncIterator[Event]):
    """One consumer's view of the event stream. Iterate it with ``async for``.

    Only one task should iterate a given subscription; create one subscription per consumer.
    ``aclose()`` (or leaving an ``async with``) unsubscribes.
    """

    __slots__ = ("_closed", "_error", "_hub", "_maxsize", "_policy", "_queue", "_waiter")

    def __init__(self, hub: EventHub, maxsize: int, policy: OverflowPolicy) -> None:
        if maxsize < 1:
            raise ValueError(f"max_queue must be >= 1, got {maxsize}")
        if policy not in ("error", "drop_oldest"):
            raise ValueError(f"overflow must be 'error' or 'drop_oldest', got {policy!r}")
        self._hub = hub
        self._maxsize = maxsize
        self._policy: OverflowPolicy = policy
        self._queue: deque[Event] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._error: BaseException | None = None

    # -- producer side (called by the hub, synchronously) -----------------------------------

    def _push(self, event: Event) -> bool:
        """Queue ``event``; return False if this subscription must be detached."""
        queue = self._queue
        if len(queue) >= self._maxsize:
            if self._policy == "drop_oldest":
                queue.popleft()
                self._hub._dropped += 1
            else:
                self._finish(
                    SubscriberOverflow(
                        f"event consumer fell behind: its queue of {self._maxsize} events "
                        "overflowed (raise max_queue or consume faster)"
                    )
                )
                return False
        queue.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def _finish(self, error: BaseException | None) -> None:
        if self._closed:
            return
        self._closed = True
        self._error = error
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- consumer side ------------------------------------------------------------------------

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        """Next event. Safe to cancel: a cancelled wait loses no event."""
        loop = self._hub._loop
        if loop is not None and asyncio.get_running_loop() is not loop:
            raise RuntimeError(
                "this event stream belongs to another event loop: iterate it in the loop "
                "(and thread) that opened the session"
            )
        while True:
            if self._queue:
                return self._queue.popleft()
            if self._closed:
                if self._error is not None:
                    error, self._error = self._error, None
                    # One instance is shared by every subscription: don't let each raise
                    # append its frames to the same traceback.
                    raise error.with_traceback(None)
                raise StopAsyncIteration
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None

    def pending(self) -> int:
        """How many events are queued for this consumer."""
        return len(self._queue)

    async def aclose(self) -> None:
        """Stop receiving events; already queued events are discarded. Never waits: safe to
        cancel and to call more than once."""
        self._hub._unsubscribe(self)
        self._queue.clear()
        self._finish(None)

    async def __aenter__(self) -> Subscription:
        """``async with session.events() as events:`` unsubscribes at the end (never waits)."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class EventHub:
    """Fan events out to subscriptions. Not thread-safe; use from the event loop only."""

    def __init__(
        self, *, loop: asyncio.AbstractEventLoop | None = None, backlog: int = 0
    ) -> None:
        self._loop = loop
        # Events published before anyone subscribed (None unless keep_backlog() was called and
        # nobody subscribed yet).
        self._backlog: deque[Event] | None = None
        self._backlog_size = backlog
        self._subscribed = False
        self._subs: list[Subscription] = []
        self._published = 0
        self._overflowed = 0
        self._dropped = 0
        self._closed = False
        self._close_error: BaseException | None = None

    def subscribe(
        self, *, max_queue: int = 4096, overflow: OverflowPolicy = "error"
    ) -> Subscription:
        """A new subscription (the first one also gets the events published before it)."""
        sub = Subscription(self, max_queue, overflow)
        self._subscribed = True
        backlog, self._backlog = self._backlog, None
        if backlog:
            for event in backlog:
                sub._push(event)
        if self._closed:
            sub._finish(self._close_error)
        else:
            self._subs.append(sub)
        return sub

    def keep_backlog(self) -> None:
        """From now until the first subscription, keep published events for it."""
        if not self._subscribed and self._backlog is None and self._backlog_size > 0:
            self._backlog = deque()

    def publish(self, event: Event) -> None:
        """Queue ``event`` for every subscription (synchronous; never waits)."""
        self._published += 1
        backlog = self._backlog
        if backlog is not None:
            backlog.append(event)
            if len(backlog) > self._backlog_size:
                backlog.popleft()
                self._dropped += 1
            return
        detached: list[Subscription] | None = None
        for sub in self._subs:
            if not sub._push(event):
                detached = detached or []
                detached.append(sub)
        if detached:
            self._overflowed += len(detached)
            for sub in detached:
                self._subs.remove(sub)

    def close(self, error: BaseException | None = None) -> None:
        """End every subscription (after its queued events); ``error`` is raised to each."""
        if self._closed:
            return
        self._closed = True
        self._close_error = error
        subs, self._subs = self._subs, []
        for sub in subs:
            sub._finish(error)

    def _unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions are attached."""
        return len(self._subs)

    def statistics(self) -> FanoutStatistics:
        """A snapshot of the hub's counters."""
        return FanoutStatistics(
            published=self._published,
            subscribers=len(self._subs),
            overflowed_subscribers=self._overflowed,
            dropped_events=self._dropped,
        )

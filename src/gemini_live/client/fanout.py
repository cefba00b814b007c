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

A hub made with ``loop=`` belongs to that event loop (and to the thread that made the hub, which
must be the loop's): iterating one of its subscriptions from another loop (or thread) raises
``RuntimeError`` instead of waiting for ever.

Structure: the queue state of one consumer lives in an :class:`EventQueue` (the producer side,
used by the hub) which the :class:`Subscription` (the consumer side, what the application holds)
reads; neither the hub nor the subscription touches the other's private attributes.

When the hub closes, each iterator first yields what it still holds, then ends
(``StopAsyncIteration``) or, if the hub was closed with an error (the session broke), raises that
error. A consumer task being cancelled while it waits does not affect the hub.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from gemini_live.errors import SubscriberOverflow
from gemini_live.protocol.events import Event

__all__ = ["EventHub", "EventQueue", "FanoutStatistics", "OverflowPolicy", "Subscription"]

OverflowPolicy = Literal["error", "drop_oldest"]

_get_ident = threading.get_ident


@dataclass(frozen=True, slots=True)
class FanoutStatistics:
    """Counters of an :class:`EventHub` since it was created."""

    published: int
    subscribers: int
    overflowed_subscribers: int
    dropped_events: int


class EventQueue:
    """The bounded queue of one consumer: filled by the hub, emptied by its :class:`Subscription`.

    Internal; attributes are public so that both sides use it without private access. At most
    one task waits on it (``waiter``), and a push wakes it once however many events follow
    before it runs.
    """

    __slots__ = ("closed", "drop_oldest", "dropped", "error", "events", "maxsize", "waiter")

    def __init__(self, maxsize: int, policy: OverflowPolicy) -> None:
        if maxsize < 1:
            raise ValueError(f"max_queue must be >= 1, got {maxsize}")
        if policy not in ("error", "drop_oldest"):
            raise ValueError(f"overflow must be 'error' or 'drop_oldest', got {policy!r}")
        self.events: deque[Event] = deque()
        self.maxsize = maxsize
        self.drop_oldest = policy == "drop_oldest"
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.error: BaseException | None = None
        self.dropped = 0  # events discarded by drop_oldest

    def push(self, event: Event) -> bool:
        """Queue ``event``; False if the queue overflowed under ``"error"`` and is now finished
        (the hub then detaches it)."""
        events = self.events
        if len(events) >= self.maxsize:
            if not self.drop_oldest:
                self.finish(
                    SubscriberOverflow(
                        f"event consumer fell behind: its queue of {self.maxsize} events "
                        "overflowed (raise max_queue or consume faster)"
                    )
                )
                return False
            events.popleft()
            self.dropped += 1
        events.append(event)
        self._wake()
        return True

    def push_all(self, events: Sequence[Event]) -> bool:
        """``push`` each of ``events`` in order, waking the consumer once; False as ``push``
        (the events after the overflow are not queued)."""
        queued = self.events
        if len(queued) + len(events) > self.maxsize:
            # all() stops at the first overflow: the events after it are not queued.
            return all(self.push(event) for event in events)
        # Room for all (the usual case): one extend, one wake-up.
        queued.extend(events)
        self._wake()
        return True

    def _wake(self) -> None:
        # The consumer waiting in pop(), if any, is woken once; it takes what is queued.
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def finish(self, error: BaseException | None) -> None:
        """No more events: the consumer gets what is queued, then the end (or ``error``)."""
        if self.closed:
            return
        self.closed = True
        self.error = error
        self._wake()


class Subscription(AsyncIterator[Event]):
    """One consumer's view of the event stream. Iterate it with ``async for``.

    Only one task should iterate a given subscription; create one subscription per consumer.
    ``aclose()`` (or leaving an ``async with``) unsubscribes.
    """

    __slots__ = ("_detach", "_loop", "_queue", "_thread")

    def __init__(
        self,
        queue: EventQueue,
        detach: Callable[[EventQueue], None],
        loop: asyncio.AbstractEventLoop | None = None,
        thread: int | None = None,
    ) -> None:
        self._queue = queue
        self._detach = detach
        self._loop = loop
        self._thread = thread

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        """Next event. Safe to cancel: a cancelled wait loses no event."""
        loop = self._loop
        # Same thread and our loop running means ours is the running loop (one loop runs per
        # thread), and costs less than asyncio.get_running_loop() (a getpid() system call).
        if loop is not None and (_get_ident() != self._thread or not loop.is_running()):
            self._wrong_loop()
        queue = self._queue
        events = queue.events
        while True:
            if events:
                return events.popleft()
            if queue.closed:
                error = queue.error
                if error is not None:
                    queue.error = None
                    # One instance is shared by every subscription: don't let each raise
                    # append its frames to the same traceback.
                    raise error.with_traceback(None)
                raise StopAsyncIteration
            waiter = (loop or asyncio.get_running_loop()).create_future()
            queue.waiter = waiter
            try:
                await waiter
            finally:
                if queue.waiter is waiter:
                    queue.waiter = None

    def _wrong_loop(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not self._loop or _get_ident() != self._thread:
            raise RuntimeError(
                "this event stream belongs to another event loop: iterate it in the loop "
                "(and thread) that opened the session"
            )

    def pending(self) -> int:
        """How many events are queued for this consumer."""
        return len(self._queue.events)

    async def aclose(self) -> None:
        """Stop receiving events; already queued events are discarded. Never waits: safe to
        cancel and to call more than once."""
        queue = self._queue
        self._detach(queue)
        queue.events.clear()
        queue.finish(None)

    async def __aenter__(self) -> Subscription:
        """``async with session.events() as events:`` unsubscribes at the end (never waits)."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class EventHub:
    """Fan events out to subscriptions. Not thread-safe; use from the event loop only."""

    # One per session: slots save the instance dict.
    # fmt: off
    __slots__ = (
        "_backlog", "_backlog_size", "_close_error", "_closed", "_dropped", "_loop", "_overflowed",
        "_published", "_queues", "_subscribed", "_thread",
    )
    # fmt: on

    def __init__(
        self, *, loop: asyncio.AbstractEventLoop | None = None, backlog: int = 0
    ) -> None:
        self._loop = loop
        self._thread = _get_ident() if loop is not None else None
        # Events published before anyone subscribed (None unless keep_backlog() was called and
        # nobody subscribed yet).
        self._backlog: deque[Event] | None = None
        self._backlog_size = backlog
        self._subscribed = False
        self._queues: list[EventQueue] = []
        self._published = 0
        self._overflowed = 0
        self._dropped = 0  # by the backlog and by queues no longer attached
        self._closed = False
        self._close_error: BaseException | None = None

    def subscribe(
        self, *, max_queue: int = 4096, overflow: OverflowPolicy = "error"
    ) -> Subscription:
        """A new subscription (the first one also gets the events published before it)."""
        queue = EventQueue(max_queue, overflow)
        self._subscribed = True
        backlog, self._backlog = self._backlog, None
        if backlog:
            for event in backlog:
                queue.push(event)
        if self._closed:
            queue.finish(self._close_error)
        else:
            self._queues.append(queue)
        return Subscription(queue, self._detach, self._loop, self._thread)

    def keep_backlog(self) -> None:
        """From now until the first subscription, keep published events for it."""
        if not self._subscribed and self._backlog is None and self._backlog_size > 0:
            self._backlog = deque()

    def publish(self, event: Event) -> None:
        """Queue ``event`` for every subscription (synchronous; never waits)."""
        self.publish_all((event,))

    def publish_all(self, events: Sequence[Event]) -> None:
        """Queue ``events``, in order, for every subscription (synchronous; never waits)."""
        if not events:
            return
        self._published += len(events)
        backlog = self._backlog
        if backlog is not None:
            backlog.extend(events)
            while len(backlog) > self._backlog_size:
                backlog.popleft()
                self._dropped += 1
            return
        detached: list[EventQueue] | None = None
        for queue in self._queues:
            if not queue.push_all(events):
                detached = detached or []
                detached.append(queue)
        if detached:
            self._overflowed += len(detached)
            for queue in detached:
                self._detach(queue)

    def close(self, error: BaseException | None = None) -> None:
        """End every subscription (after its queued events); ``error`` is raised to each."""
        if self._closed:
            return
        self._closed = True
        self._close_error = error
        queues, self._queues = self._queues, []
        for queue in queues:
            self._dropped += queue.dropped
            queue.dropped = 0
            queue.finish(error)

    def _detach(self, queue: EventQueue) -> None:
        if queue in self._queues:
            self._queues.remove(queue)
            self._dropped += queue.dropped
            queue.dropped = 0

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions are attached."""
        return len(self._queues)

    def statistics(self) -> FanoutStatistics:
        """A snapshot of the hub's counters."""
        return FanoutStatistics(
            published=self._published,
            subscribers=len(self._queues),
            overflowed_subscribers=self._overflowed,
            dropped_events=self._dropped + sum(queue.dropped for queue in self._queues),
        )

"""The asyncio side of the conversation layer: follow a live session, act on stalls.

::

    async with gemini_live.connect(model, config=config) as session:
        async with Conversation(session) as convo:
            writer = convo.writer()          # send through it so the end of input is measured
            await writer.send_text("Hello")
            async for notice in convo.events():
                match notice:
                    case TurnRecord(): print(notice.lines(), notice.latency.first_output)
                    case Stalled(): ...

:class:`Conversation` subscribes to ``session.events()`` when it is created (so it misses
nothing), feeds a :class:`~.tracker.ConversationTracker` from one task, and hands its notices
to every ``convo.events()`` consumer (each with its own bounded queue). Calls made through
``convo.writer()`` are stamped when made and accounted in stream order: a call made after the
application saw an event is applied after that event, even if this task has not read it yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, runtime_checkable

from gemini_live.client.writer import RecordedCall, SessionWriter, TeeWriter
from gemini_live.conversation.metrics import MetricsSnapshot
from gemini_live.conversation.policies import ContextPolicy, StallPolicy
from gemini_live.conversation.records import (
    ContextLost,
    ConversationEvent,
    ReconnectRecord,
    Stalled,
    TurnRecord,
)
from gemini_live.conversation.tracker import ConversationTracker
from gemini_live.errors import LiveError
from gemini_live.protocol import events as ev
from gemini_live.protocol.types import Content, Part

__all__ = [
    "Conversation",
    "ConversationObserver",
    "EventSource",
    "NoticeStream",
    "SupportsReconnect",
]

log = logging.getLogger("gemini_live.conversation")


@runtime_checkable
class SupportsReconnect(Protocol):
    """What the ``"reconnect"`` stall policy needs: resume the session on a new connection."""

    async def reconnect(self) -> None:
        """Resume the session on a new connection (returns once it carries the session)."""


class EventSource(Protocol):
    """What :class:`Conversation` follows: a session (or anything with the same read side)."""

    def events(self) -> Any:
        """A new subscription to every event from now on (an async iterator)."""


class ConversationObserver(Protocol):
    """What ``telemetry=`` receives (see :class:`~gemini_live.conversation.otel.OpenTelemetry`).

    Every method is called from the conversation's task and must not block.
    """

    def started(self, session: object, now: float) -> None:
        """The conversation started following ``session`` at ``now``."""

    def event(self, event: ev.Event, now: float) -> None:
        """The session published ``event`` (called for every event: keep it cheap)."""

    def notice(self, notice: ConversationEvent) -> None:
        """The conversation produced ``notice`` (a turn record, a stall, a lost context)."""

    def finished(self, session: object, now: float, metrics: MetricsSnapshot) -> None:
        """The conversation ended at ``now``; ``metrics`` is its final snapshot."""


class NoticeStream(AsyncIterator[ConversationEvent]):
    """One consumer of a :class:`Conversation`'s notices (bounded; oldest dropped first).

    Create it with :meth:`Conversation.events`; iterate it from one task.
    """

    __slots__ = ("_finished", "_on_close", "_queue", "_waiter", "dropped")

    def __init__(
        self,
        size: int,
        finished: Callable[[], bool],
        on_close: Callable[[NoticeStream], None],
    ) -> None:
        self._queue: deque[ConversationEvent] = deque(maxlen=size)
        self._waiter: asyncio.Future[None] | None = None
        self._finished = finished
        self._on_close = on_close
        self.dropped = 0

    def __aiter__(self) -> NoticeStream:
        return self

    async def __anext__(self) -> ConversationEvent:
        """Next notice. Safe to cancel: a cancelled wait loses nothing."""
        while True:
            if self._queue:
                return self._queue.popleft()
            if self._finished():
                self.close()
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def close(self) -> None:
        """Stop receiving notices (already queued ones can still be read)."""
        self._on_close(self)

    def push(self, notice: ConversationEvent) -> None:
        """Queue ``notice``; when full, the oldest queued notice is dropped and counted."""
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1  # every record is also kept in Conversation.records
        self._queue.append(notice)
        self.wake()

    def wake(self) -> None:
        """Let a waiting reader re-check (a notice arrived, or the conversation finished)."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Conversation:
    """Turn records, latency metrics, stall watchdog and lost-context check for one session.

    ``session`` must offer ``events()``; to send nudges and summaries it must also be a
    :class:`~gemini_live.SessionWriter` (a :class:`~gemini_live.Session` is both). ``stall``
    (default: notify after 8 s) and ``context`` (default on) may be ``None`` to turn them off.
    ``reconnect`` is the hook of the ``"reconnect"`` stall policy (default: the session's own
    ``reconnect()`` if it has one). ``telemetry`` is an optional observer such as
    :class:`~gemini_live.conversation.otel.OpenTelemetry`; without it nothing is recorded beyond
    this object's own counters. ``max_queue`` bounds each ``events()`` consumer's queue (the
    oldest notices are dropped first, and counted; :attr:`records` keeps every record).

    Use ``async with Conversation(session) as convo`` (one task, owned by this object), or run
    :meth:`run` in your own task group.
    """

    def __init__(
        self,
        session: EventSource,
        *,
        stall: StallPolicy | None = StallPolicy(),  # noqa: B008 - frozen value object
        context: ContextPolicy | None = ContextPolicy(),  # noqa: B008 - frozen value object
        late_transcription_grace: float = 0.5,
        reconnect: SupportsReconnect | Callable[[], Any] | None = None,
        telemetry: ConversationObserver | None = None,
        window: int = 1024,
        max_queue: int = 256,
    ) -> None:
        if not callable(getattr(session, "events", None)):
            raise TypeError("Conversation needs a session with an events() method")
        if max_queue < 1:
            raise ValueError(f"max_queue must be >= 1, got {max_queue!r}")
        self._reconnect = self._reconnect_hook(session, reconnect)
        if stall is not None and stall.action == "reconnect" and self._reconnect is None:
            raise TypeError(
                'StallPolicy(action="reconnect") needs a way to resume the session: pass '
                "reconnect= (an async callable), or a session with an async reconnect() method"
            )
        needs_writer = (stall is not None and stall.action == "nudge") or (
            context is not None and context.summary is not None
        )
        if needs_writer and not isinstance(session, SessionWriter):
            raise TypeError("nudges and summaries need a session that is a SessionWriter")
        self._session = session
        self._tracker = ConversationTracker(
            late_transcription_grace=late_transcription_grace,
            stall=stall,
            context=context,
            window=window,
        )
        self._telemetry = telemetry
        self._max_queue = max_queue
        self._subscribers: list[NoticeStream] = []
        # Subscribe now, before anything is awaited: no event can slip past.
        self._source = session.events()
        self._read = 0
        self._deferred: deque[tuple[int, RecordedCall, float]] = deque()
        self._running = False
        self._stack: contextlib.AsyncExitStack | None = None
        self._finished = False
        self._error: BaseException | None = None
        self._group: asyncio.TaskGroup | None = None
        self._timeout: asyncio.Timeout | None = None  # the task's current wait

    # ------------------------------------------------------------------ public

    @property
    def records(self) -> list[TurnRecord]:
        """Every completed turn so far, oldest first (read-only by convention)."""
        return self._tracker.records

    @property
    def reconnects(self) -> list[ReconnectRecord]:
        """Every reconnection so far, oldest first (also attached to the turns they hit)."""
        return self._tracker.reconnects

    def metrics(self) -> MetricsSnapshot:
        """Counters and p50/p90/p99 latencies (see :mod:`gemini_live.conversation.metrics`)."""
        return self._tracker.metrics()

    def transcript(self) -> list[str]:
        """The conversation as ``"user: ..."`` / ``"model: ..."`` lines."""
        return [line for record in self.records for line in record.lines()]

    def writer(self, inner: SessionWriter | None = None) -> SessionWriter:
        """A writer that sends through ``inner`` (default: the session) and lets this object see
        what the user sent and when (end of input, tool responses, barge-in)."""
        target = inner if inner is not None else self._session
        if not isinstance(target, SessionWriter):
            raise TypeError("writer() needs a SessionWriter (the session is not one)")
        return _ObservedWriter(target, self)

    def observe_call(self, call: RecordedCall) -> None:
        """Account for a call made on the session's writer (``TeeWriter`` listener form)."""
        now = asyncio.get_running_loop().time()
        position = self._read + self._source_pending()
        if position <= self._read and not self._deferred:
            self._handle(self._tracker.feed_call(call, now))
            # The call may have started a wait (stall watchdog): wake the task earlier for it.
            timeout, deadline = self._timeout, self._tracker.deadline
            if timeout is not None and deadline is not None:
                when = timeout.when()
                if when is None or deadline < when:
                    timeout.reschedule(deadline)
        else:
            self._deferred.append((position, call, now))

    def observe_audio(self) -> None:
        """Account for one audio chunk sent (the hot path: no call record unless it must wait
        for earlier events to be read)."""
        if self._deferred or self._source_pending():
            self.observe_call(_AUDIO_CALL)
        else:
            self._tracker.audio_sent(asyncio.get_running_loop().time())

    def events(self) -> NoticeStream:
        """Notices from now on: :class:`TurnRecord`, :class:`Stalled`, :class:`ContextLost`.

        Each call is a new consumer with its own bounded queue (``max_queue``); iteration ends
        once the conversation has finished and the queue is empty.
        """
        stream = NoticeStream(self._max_queue, lambda: self._finished, self._unsubscribe)
        self._subscribers.append(stream)
        return stream

    @property
    def finished(self) -> bool:
        """True once the followed stream ended (or :meth:`run` stopped)."""
        return self._finished

    @property
    def error(self) -> BaseException | None:
        """Why the session's stream ended, when it ended with an error (``async with`` form)."""
        return self._error

    def _unsubscribe(self, stream: NoticeStream) -> None:
        if stream in self._subscribers:
            self._subscribers.remove(stream)

    async def run(self) -> None:
        """Follow the session until its event stream ends. Safe to cancel (records so far are
        kept); run it once. Raises what the session's stream raises (e.g. ``SessionBroken``),
        after finishing the records."""
        if self._running:
            raise RuntimeError("Conversation.run() is already running")
        self._running = True
        loop = asyncio.get_running_loop()
        if self._telemetry is not None:
            self._telemetry.started(self._session, loop.time())
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                await self._follow(loop)
        finally:
            self._group = self._timeout = None
            self._finish(loop.time())
        if self._error is not None:
            raise self._error.with_traceback(None)

    async def _run_quietly(self) -> None:
        try:
            await self.run()
        except LiveError:
            # The session broke (kept in .error): its owner hears of it from the session
            # itself; cancelling the caller's code over it (what a failing task in a TaskGroup
            # does) would be wrong.
            pass

    async def __aenter__(self) -> Conversation:
        stack = contextlib.AsyncExitStack()
        group = await stack.enter_async_context(asyncio.TaskGroup())
        task = group.create_task(self._run_quietly(), name="gemini-live-conversation")
        stack.callback(task.cancel)
        self._stack = stack
        await asyncio.sleep(0)  # let run() start
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    # ------------------------------------------------------------------ the task

    async def _follow(self, loop: asyncio.AbstractEventLoop) -> None:
        source = self._source
        tracker = self._tracker
        telemetry = self._telemetry
        while True:
            try:
                if self._source_pending():
                    event = await anext(source)  # queued: returns without waiting
                else:
                    try:
                        async with asyncio.timeout_at(tracker.deadline) as self._timeout:
                            event = await anext(source)
                    finally:
                        self._timeout = None  # only a waiting task's timeout may move
            except TimeoutError:
                self._handle(tracker.tick(loop.time()))
                continue
            except StopAsyncIteration:
                return
            except LiveError as exc:
                # The session broke (or this consumer overflowed): raised by run() once the
                # task group is closed, so it is not wrapped in an exception group.
                self._error = exc
                return
            now = loop.time()
            self._read += 1
            if self._deferred:
                # The application made a call after this event was published (it saw it first):
                # the event happened no later than that call.
                now = min(now, self._deferred[0][2])
            if telemetry is not None:
                telemetry.event(event, now)
            self._handle(tracker.feed(event, now))
            while self._deferred and self._deferred[0][0] <= self._read:
                _, call, at = self._deferred.popleft()
                self._handle(tracker.feed_call(call, at))

    def _finish(self, now: float) -> None:
        while self._deferred:
            _, call, at = self._deferred.popleft()
            self._handle(self._tracker.feed_call(call, at))
        self._handle(self._tracker.close(now))
        self._finished = True
        for sub in list(self._subscribers):
            sub.wake()
        if self._telemetry is not None:
            self._telemetry.finished(self._session, now, self.metrics())

    def _source_pending(self) -> int:
        pending = getattr(self._source, "pending", None)
        return int(pending()) if callable(pending) else 0

    def _handle(self, notices: list[ConversationEvent]) -> None:
        for notice in notices:
            if isinstance(notice, Stalled) and notice.action in ("nudge", "reconnect"):
                self._publish(notice)
                self._spawn(self._act_on_stall(notice))
            elif isinstance(notice, ContextLost) and self._summary_on():
                self._spawn(self._restore_context(notice))
            else:
                self._publish(notice)

    def _summary_on(self) -> bool:
        policy = self._tracker.context
        return policy is not None and policy.summary is not None

    def _publish(self, notice: ConversationEvent) -> None:
        if self._telemetry is not None:
            self._telemetry.notice(notice)
        for sub in self._subscribers:
            sub.push(notice)

    def _spawn(self, coro: Any) -> None:
        group = self._group
        if group is None:  # only while run() is active; a closing conversation acts no more
            coro.close()
            return
        group.create_task(coro)

    async def _act_on_stall(self, notice: Stalled) -> None:
        try:
            if notice.action == "nudge":
                writer: SessionWriter = self._session  # type: ignore[assignment]
                assert self._tracker.stall is not None
                await writer.send_text(self._tracker.stall.nudge_text)
            elif self._reconnect is not None:
                result = self._reconnect()
                if inspect.isawaitable(result):
                    await result
        except LiveError as exc:  # the session ended meanwhile: nothing left to prompt
            log.warning("stall %s failed: %s", notice.action, exc)

    async def _restore_context(self, notice: ContextLost) -> None:
        policy = self._tracker.context
        assert policy is not None and policy.summary is not None
        sent = False
        text = policy.summary(notice)
        if inspect.isawaitable(text):
            text = await text
        if text:
            writer: SessionWriter = self._session  # type: ignore[assignment]
            try:
                content = Content(parts=(Part(text=text),), role="user")
                await writer.send_client_content([content], turn_complete=False)
                sent = True
            except LiveError as exc:
                log.warning("could not send the context summary: %s", exc)
        self._publish(dataclasses.replace(notice, summary_sent=sent))

    @staticmethod
    def _reconnect_hook(
        session: object, hook: SupportsReconnect | Callable[[], Any] | None
    ) -> Callable[[], Any] | None:
        if isinstance(hook, SupportsReconnect):
            return hook.reconnect
        if hook is not None:
            if not callable(hook):
                raise TypeError("reconnect= must be an async callable or have reconnect()")
            return hook
        if isinstance(session, SupportsReconnect) and inspect.iscoroutinefunction(
            session.reconnect
        ):
            return session.reconnect
        return None


_AUDIO_CALL = RecordedCall("send_audio")


class _ObservedWriter(TeeWriter):
    """``TeeWriter`` with a lean audio path: the session validates the chunk itself, so only
    the time is noted (audio is most of what a voice agent sends)."""

    def __init__(self, inner: SessionWriter, conversation: Conversation) -> None:
        super().__init__(inner, conversation.observe_call)
        self._target = inner
        self._observe_audio = conversation.observe_audio

    async def send_audio(self, data: bytes) -> None:
        """Send audio through the wrapped writer (same contract as ``SessionWriter``)."""
        self._observe_audio()
        await self._target.send_audio(data)

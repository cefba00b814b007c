"""The asyncio driver of one session: sockets, timers, tasks and fan-out around ``LiveProtocol``.

Every protocol decision (phase, tool calls, replay, whether and when to reconnect) is made by
:class:`~gemini_live.protocol.live.LiveProtocol`; this object feeds it what happened (a frame,
a loss, a timer, an accepted message), publishes the events it returns and carries out its
decisions. A received frame travels one way: transport -> :class:`Connection` -> driver ->
``LiveProtocol`` -> events -> :class:`~gemini_live.client.fanout.EventHub`.

Tasks and ownership: one supervisor task per session, created when it opens and awaited when it
closes; inside it one ``asyncio.TaskGroup`` runs the outbound pump, the session-limit watcher and
the connection keeper (:mod:`gemini_live.client.keeper`). Any unexpected exception in those tasks
ends the session as broken: published as ``Disconnected`` and raised from the next call.

The driver is bound to the event loop that opened it; using the session from another loop or
thread raises ``RuntimeError`` instead of touching the socket from the wrong thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from gemini_live.client._flag import Flag
from gemini_live.client.endpoints import Endpoint
from gemini_live.client.fanout import EventHub
from gemini_live.client.handshake import Connection, establish
from gemini_live.client.options import SessionOptions
from gemini_live.client.outbox import Outbox, PendingFrame
from gemini_live.client.transport import CloseInfo, Transport, TransportClosed
from gemini_live.errors import LiveError, LiveTimeout, SendQueueFull, SessionClosed
from gemini_live.protocol import events as ev
from gemini_live.protocol.live import LiveProtocol
from gemini_live.protocol.phases import Phase

__all__ = ["EndpointProvider", "SessionDriver"]

EndpointProvider = Callable[[], Awaitable[Endpoint]]

_get_ident = threading.get_ident


class SessionDriver:
    """Runs one session's connection, tasks and fan-out; see the module docstring.

    Internal: the public face is :class:`~gemini_live.client.session.Session`. Attributes are
    public so that the keeper (the other half of the lifecycle) needs no private access.
    """

    # One per session: slots save the instance dict.
    # fmt: off
    __slots__ = (
        "_phase_waiters", "_reconnected", "_time", "attention", "closed_event", "connection",
        "endpoint_provider", "flushed", "frames_before_current", "high_water", "hub", "live",
        "loop", "lost_event", "options", "outbox", "protocol", "pump_wakeup", "supervisor",
        "thread",
    )
    # fmt: on

    def __init__(
        self,
        protocol: LiveProtocol,
        endpoint_provider: EndpointProvider,
        options: SessionOptions,
    ) -> None:
        self.protocol = protocol
        self.options = options
        self.endpoint_provider = endpoint_provider
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()
        self._time = self.loop.time  # bound once: read for every received frame
        self.hub = EventHub(loop=self.loop, backlog=options.event_queue_size)
        self.outbox = Outbox(options.send_queue_size)
        self.high_water = options.transport.write_limit_high
        self.connection: Connection | None = None
        self.live = False  # True between a completed (re)setup and the next loss
        self.closed_event = Flag()
        self.pump_wakeup = Flag()
        self.flushed = Flag()
        self.lost_event = Flag()
        self.attention = Flag()  # the protocol's goAway rotation state changed
        self.supervisor: asyncio.Task[None] | None = None
        self.frames_before_current = 0
        self._phase_waiters: list[tuple[frozenset[Phase], asyncio.Future[Phase]]] = []
        # Shared by every reconnect() call until the reconnection under way has resumed.
        self._reconnected: asyncio.Future[None] | None = None

    # ------------------------------------------------------------------ events

    def flush_events(self) -> None:
        """Publish what the protocol produced since the last call."""
        self.publish(self.protocol.take_events())

    def publish(self, events: list[ev.Event]) -> None:
        """Fan ``events`` out, waking phase waiters on phase changes."""
        if not events:
            return
        self.hub.publish_all(events)
        waiters = self._phase_waiters
        if waiters:
            for event in events:
                if type(event) is ev.PhaseChanged:
                    for wanted, future in list(waiters):
                        if event.new in wanted and not future.done():
                            future.set_result(event.new)

    async def wait_for_phase(self, wanted: frozenset[Phase], timeout: float) -> Phase:
        """Wait until the phase is in ``wanted``; see ``Session.wait_for_phase``."""
        self.check_loop()
        protocol = self.protocol
        if protocol.phase in wanted:
            return protocol.phase
        if protocol.ended is not None:
            raise protocol.ended.with_traceback(None)
        future: asyncio.Future[Phase] = self.loop.create_future()
        entry = (wanted, future)
        self._phase_waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise LiveTimeout(
                f"phase is {protocol.phase.value}, not {sorted(p.value for p in wanted)} "
                f"after {timeout:g}s"
            ) from None
        finally:
            if entry in self._phase_waiters:
                self._phase_waiters.remove(entry)

    # ------------------------------------------------------------------ connection callbacks

    def on_frame(self, connection: Connection, data: str | bytes) -> None:
        """A frame arrived on ``connection`` (after its handshake)."""
        if connection is not self.connection:
            return
        protocol = self.protocol
        self.publish(protocol.frame_received(data, self._time()))
        if protocol.needs_attention:
            self.attention.set()

    def on_lost(self, connection: Connection, info: CloseInfo) -> None:
        """``connection`` ended; the keeper decides what happens next."""
        if connection is not self.connection:
            return
        # Nothing more can be written to it; frames wait in the outbox for the next connection.
        self.live = False
        self.lost_event.set()
        self.attention.set()  # the keeper waits on this one alone
        self.pump_wakeup.set()

    async def establish(self) -> Connection:
        """Open one connection with the protocol's current ``setup``. Raises what
        :func:`~gemini_live.client.handshake.establish` raises."""
        setup = self.protocol.next_setup()
        endpoint = await self.endpoint_provider()
        return await establish(
            endpoint,
            setup,
            number=self.protocol.counters().connections,
            transport_options=self.options.transport,
            setup_timeout=self.options.setup_timeout,
        )

    def install(self, connection: Connection) -> None:
        """Make ``connection`` the session's connection and hand its early frames over."""
        old = self.connection
        if old is not None:
            self.frames_before_current += old.frames_received
        self.connection = connection
        self.lost_event.clear()
        early = connection.attach(self.on_frame, self.on_lost)
        self.protocol.connected(early, self.loop.time())
        events = self.protocol.take_events()
        if old is None:
            # What connect() itself stands for (the phase reaching Active, setupComplete) goes
            # out as before; anything after it (a greeting sent with setupComplete, or later
            # frames) is kept for the first consumer, who cannot subscribe before connect()
            # returns.
            opened = next(
                (
                    i + 1
                    for i, event in enumerate(events)
                    if type(event) is ev.PhaseChanged and event.new is Phase.ACTIVE
                ),
                len(events),
            )
            self.publish(events[:opened])
            self.hub.keep_backlog()
            events = events[opened:]
        self.publish(events)
        if self.protocol.needs_attention:
            self.attention.set()

    def frames_received(self) -> int:
        """Frames received on every connection so far."""
        current = self.connection.frames_received if self.connection is not None else 0
        return self.frames_before_current + current

    def write_buffer_size(self) -> int:
        """Bytes the current socket holds in user space (0 without a connection)."""
        connection = self.connection
        return connection.transport.write_buffer_size if connection is not None else 0

    # ------------------------------------------------------------------ sending

    def check_loop(self) -> None:
        """Raise ``RuntimeError`` unless called from the session's own event loop."""
        # Same thread and our loop running means ours is the running loop (one loop runs per
        # thread); cheaper than asyncio.get_running_loop(), a getpid() system call per send.
        if threading.get_ident() == self.thread and self.loop.is_running():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not self.loop or threading.get_ident() != self.thread:
            raise RuntimeError(
                "this session belongs to another event loop: call its methods from the loop "
                "(and thread) that opened it, e.g. via asyncio.run_coroutine_threadsafe"
            )

    def check_open(self) -> None:
        """Raise unless the session accepts input (wrong loop, ended or closing)."""
        self.check_loop()
        protocol = self.protocol
        if protocol.ended is not None:
            # The same stored instance is raised on every later call; without resetting its
            # traceback each raise would append to it (unbounded growth in a retrying loop).
            raise protocol.ended.with_traceback(None)
        if protocol.closing:
            raise SessionClosed("the session is closing (disconnect() was called)")

    def _writable(self) -> Connection | None:
        """The connection to write to directly, or None if frames must queue."""
        connection = self.connection
        if (
            connection is None
            or not self.live
            or connection.lost is not None
            or self.outbox.busy
            or connection.transport.write_buffer_size > self.high_water
        ):
            return None
        return connection

    def write(
        self,
        connection: Connection,
        kind: str,
        frame: str,
        accepted_at: float,
        data: bytes | None = None,
    ) -> None:
        """Put one frame on the wire and tell the protocol (raises ``TransportClosed``)."""
        connection.transport.send(frame)
        self.protocol.written(kind, frame, accepted_at, data)

    def _check_open_fast(self) -> None:
        """``check_open()``, inlined for the common case (the right loop, the session open)."""
        protocol = self.protocol
        if (
            _get_ident() != self.thread
            or not self.loop.is_running()
            or protocol.ended is not None
            or protocol.closing
        ):
            self.check_open()

    def _write_now(self, kind: str, frame: str, data: bytes | None) -> Transport | None:
        """Write ``frame`` at once if nothing is queued and the socket is not backed up, and
        tell the protocol; return the transport written to, or None (nothing was written: the
        frame must queue)."""
        connection = self._writable()
        if connection is None:
            return None
        try:
            self.write(connection, kind, frame, self._time(), data)
        except TransportClosed:
            return None  # lost between the check and the write: keep it for the next connection
        return connection.transport

    def send_or_wait(
        self, kind: str, frame: str, data: bytes | None = None
    ) -> Coroutine[Any, Any, object] | None:
        """``submit(kind, frame)`` without a coroutine in the common case.

        Writes ``frame`` at once when nothing is queued and the socket is not backed up, and
        returns None: it is accepted and there is nothing to wait for. Otherwise returns the
        coroutine that finishes the job (queueing it, or waiting for the socket to drain after
        writing it), which the caller must await at once; its semantics are ``submit``'s.
        ``data``: for media, the bytes the frame's base64 encodes (kept for replay without
        decoding the frame again).

        Why: a 20 ms audio chunk is sent 50 times a second per session, and each coroutine made
        and awaited on that path costs as much as the checks themselves.
        """
        self._check_open_fast()
        transport = self._write_now(kind, frame, data)
        if transport is None:
            return self._enqueue(kind, frame, None)
        if transport.write_buffer_size > self.high_water:
            return _drain(transport)
        return None

    async def submit(
        self,
        kind: str,
        frame: str,
        on_accepted: Callable[[], None] | None = None,
        admit: Callable[[], bool] | None = None,
    ) -> bool:
        """Write ``frame`` now or queue it; ``on_accepted`` runs once it is accepted.

        Cancelling the caller while it waits for queue room means the frame was not accepted.
        Once accepted, the frame stays accepted and ``on_accepted`` has run, even if the caller
        is then cancelled while waiting for the socket to drain (so the phase machine and the
        pending tool calls always agree with what was sent). ``admit`` is asked again after a
        wait for queue room (the session may have changed meanwhile): False means the frame
        was not accepted, and ``submit`` returns False.
        """
        self._check_open_fast()
        transport = self._write_now(kind, frame, None)
        if transport is not None:
            if on_accepted is None and transport.write_buffer_size <= self.high_water:
                return True  # the common case: written, nothing to wait for
        elif not await self._enqueue(kind, frame, admit):
            return False
        if on_accepted is not None:
            on_accepted()
            self.flush_events()
        if transport is not None and transport.write_buffer_size > self.high_water:
            await _drain(transport)
        return True

    async def _enqueue(self, kind: str, frame: str, admit: Callable[[], bool] | None) -> bool:
        """Queue ``frame`` for the pump (waiting for room); False if ``admit`` then refuses."""
        if not await self.outbox.put(PendingFrame(kind, frame, self._time()), admit):
            return False
        self.pump_wakeup.set()
        return True

    def submit_nowait(self, kind: str, frame: str, data: bytes | None = None) -> None:
        """Write ``frame`` now or queue it; raise ``SendQueueFull`` instead of waiting."""
        self.check_open()
        connection = self._writable()
        now = self._time()
        if connection is not None:
            try:
                self.write(connection, kind, frame, now, data)
                return
            except TransportClosed:
                pass
        if not self.outbox.put_nowait(PendingFrame(kind, frame, now)):
            raise SendQueueFull(f"send queue full ({self.outbox.capacity} frames waiting)")
        self.pump_wakeup.set()

    # ------------------------------------------------------------------ reconnecting on request

    async def reconnect(self) -> None:
        """See ``Session.reconnect``."""
        self.check_open()
        future = self._reconnected
        if future is None:
            # Raises ConfigError (before anything changes) when the session cannot resume.
            if self.protocol.reconnect_requested():
                self.attention.set()
            future = self._reconnected = self.loop.create_future()
        # The keeper carries the reconnection out in the session's own task: cancelling this
        # caller only stops its wait.
        await asyncio.shield(future)

    def reconnect_finished(self) -> None:
        """A reconnection completed (``Resumed`` is published): release ``reconnect()``."""
        future, self._reconnected = self._reconnected, None
        if future is not None and not future.done():
            future.set_result(None)

    # ------------------------------------------------------------------ ending

    def end(self, error: LiveError, event: ev.Disconnected) -> None:
        """End the session: drop the socket, fail the outbox, publish the end, wake waiters.

        Idempotent and synchronous.
        """
        protocol = self.protocol
        if protocol.ended is not None:
            return
        self.live = False
        connection = self.connection
        if connection is not None and connection.transport.closed is None:
            # Never leave a socket behind: an internal error can end the session while the
            # connection is still open.
            connection.transport.abort()
        self.outbox.fail(error)
        unsent = [ev.UnconfirmedMessage(item.kind, item.frame) for item in self.outbox.drain_all()]
        protocol.end(error, event, unsent)
        self.flush_events()
        self.hub.close(None if isinstance(error, SessionClosed) else error)
        for _wanted, future in self._phase_waiters:
            if not future.done():
                future.set_exception(error)
        reconnected, self._reconnected = self._reconnected, None
        if reconnected is not None and not reconnected.done():
            reconnected.set_exception(error)
            reconnected.exception()  # retrieved: its waiters may all have been cancelled
        self.closed_event.set()

    async def close_gracefully(self) -> None:
        """Flush (bounded), close with 1000 (bounded), stop the supervisor, end the session.

        The session ends even if the caller is cancelled half-way (the ``finally``): otherwise
        it would stay "closing" for ever, and every later ``disconnect()`` would wait for ever.
        """
        info = None
        try:
            if self.outbox and self.live:
                self.flushed.clear()
                self.pump_wakeup.set()
                # A connection lost during the flush cannot flush any more: stop waiting then.
                await wait_any((self.flushed, self.lost_event), self.options.flush_timeout)
            self.live = False
            connection = self.connection
            if connection is not None and connection.lost is None:
                with contextlib.suppress(Exception):
                    info = await connection.transport.close(1000, "")
        finally:
            self.live = False
            supervisor = self.supervisor
            if supervisor is not None and supervisor is not asyncio.current_task():
                supervisor.cancel()
            code = info.code if info is not None else 1000
            self.end(
                SessionClosed("disconnect() was called"), ev.Disconnected(code, "", "client")
            )
        await self.wait_stopped()

    async def wait_stopped(self) -> None:
        """Wait (bounded by ``close_timeout``) until the supervisor task has finished."""
        supervisor = self.supervisor
        if supervisor is None or supervisor.done() or supervisor is asyncio.current_task():
            return
        await asyncio.wait({supervisor}, timeout=self.options.transport.close_timeout)

    async def disconnect(self) -> None:
        """See ``Session.disconnect``."""
        self.check_loop()
        if self.protocol.closing or self.protocol.ended is not None:
            # Another call is closing it (bounded, and it ends the session even if cancelled),
            # or it is already over: wait for the end and for our tasks to finish.
            await self.closed_event.wait()
            await self.wait_stopped()
            return
        self.protocol.close_requested()
        self.flush_events()
        await self.close_gracefully()


async def _drain(transport: Transport) -> None:
    """Wait until ``transport`` has drained below its low-water mark (a frame written before
    stays accepted: a loss meanwhile is the keeper's to handle, the frame is in the replay log)."""
    with contextlib.suppress(TransportClosed):
        await transport.drain()


async def wait_any(events: tuple[Flag, ...], timeout: float | None) -> None:
    """Return when one of ``events`` is set or after ``timeout`` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()

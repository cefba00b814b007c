"""The Live session: a :class:`SessionWriter` plus the read side, over replaceable connections.

Tasks and ownership. A session owns exactly one supervisor task, created when it opens and
awaited when it closes; inside it one ``asyncio.TaskGroup`` runs the outbound pump and the
connection keeper (reconnection, ``goAway`` timer). Frames are received by transport callback
and decoded synchronously, so there is no reader task to lose messages in. Any unexpected
exception in the session's own tasks ends the session as broken: it is published as a
``Disconnected`` event and raised from the next call, never swallowed.

Sending. ``send_*`` validates and encodes in the caller's task, then either writes straight to
the socket (nothing queued, socket not backed up: no task switch) or appends to the bounded
:class:`~gemini_live.client.outbox.Outbox`, which the pump writes out in order. Every write is
also recorded by the resumption tracker until the service confirms it, for replay after a
reconnect (see ``gemini_live.client.keeper`` for the rules).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gemini_live.client import inputs
from gemini_live.client.endpoints import Endpoint
from gemini_live.client.fanout import EventHub, OverflowPolicy, Subscription
from gemini_live.client.handshake import Connection, ConnectionHandler
from gemini_live.client.options import SessionOptions
from gemini_live.client.outbox import Outbox, PendingFrame
from gemini_live.client.transport import CloseInfo, TransportClosed
from gemini_live.errors import LiveTimeout, SendQueueFull, SessionClosed
from gemini_live.protocol import encode as codec
from gemini_live.protocol import events as ev
from gemini_live.protocol.config import LiveConfig, Platform
from gemini_live.protocol.messages import (
    ActivityEnd,
    ActivityStart,
    AudioStreamEnd,
    ClientContent,
    ContextUpdate,
    RealtimeText,
    Setup,
    ToolResponse,
    validate_function_responses,
)
from gemini_live.protocol.phases import Phase, Trigger, next_phase
from gemini_live.protocol.resumption import ResumptionTracker
from gemini_live.protocol.types import Content, FunctionResponse, Part, Tool

__all__ = ["Session", "SessionStatistics"]

log = logging.getLogger("gemini_live.client")

EndpointProvider = Callable[[], Awaitable[Endpoint]]

# Which received events move the phase machine, and how.
_ACTIVITY_TRIGGERS: dict[str, Trigger] = {
    "ACTIVITY_START": Trigger.USER_ACTIVITY_START,
    "ACTIVITY_END": Trigger.USER_ACTIVITY_END,
}
_EVENT_TRIGGERS: dict[type, Trigger] = {
    ev.SetupComplete: Trigger.SETUP_COMPLETE,
    ev.TextDelta: Trigger.MODEL_OUTPUT,
    ev.AudioChunk: Trigger.MODEL_OUTPUT,
    ev.OutputTranscription: Trigger.MODEL_OUTPUT,
    ev.Thought: Trigger.MODEL_OUTPUT,
    ev.Interrupted: Trigger.INTERRUPTED,
    ev.TurnComplete: Trigger.TURN_COMPLETE,
    ev.ToolCall: Trigger.TOOL_CALL,
}


@dataclass(frozen=True, slots=True)
class SessionStatistics:
    """Counters of one session (all since it opened).

    ``connections`` counts connection attempts (failed ones included); ``reconnects`` the
    attempts that carried the session on. ``messages_sent``/``bytes_sent`` count frames written
    for the application the first time (not ``setup``, not replays: see ``replayed_messages``).
    ``ignored_phase_triggers`` counts events that could not move the phase machine, not the
    routine repeats of the trigger that entered the current phase (every audio chunk of a reply).
    ``dropped_unsent`` counts accepted frames that were never written because the session ended
    first (each drop is announced with ``InputDropped("unsent", ...)``).
    """

    phase: Phase
    connections: int
    messages_sent: int
    bytes_sent: int
    frames_received: int
    events_published: int
    subscribers: int
    overflowed_subscribers: int
    dropped_events: int
    send_queue_length: int
    send_queue_high_water: int
    reconnects: int
    replayed_messages: int
    dropped_stale_media: int
    unconfirmed_messages: int
    resumption_updates: int
    ignored_phase_triggers: int
    dropped_unsent: int = 0


class Session(ConnectionHandler):
    """A live conversation with the model. Create it with :func:`gemini_live.connect`.

    Implements :class:`~gemini_live.client.writer.SessionWriter`: every ``send_*`` method is safe
    to call concurrently from many tasks, keeps FIFO order, and waits when the bounded send queue
    is full. Consumers read with ``async for event in session.events()``.
    """

    def __init__(
        self,
        *,
        model: str,
        config: LiveConfig,
        platform: Platform,
        endpoint_provider: EndpointProvider,
        options: SessionOptions,
        vertex_system_turns: bool = False,
    ) -> None:
        self._model = model
        self._config = config
        self._platform = platform
        self._endpoint_provider = endpoint_provider
        self._options = options
        self._vertex_system_turns = vertex_system_turns
        self._audio_mime = f"audio/pcm;rate={config.input_audio_rate}"
        self._auto_vad = config.automatic_activity_detection_enabled
        self._hub = EventHub()
        self._outbox = Outbox(options.send_queue_size)
        self._high_water = options.transport.write_limit_high
        self._phase = Phase.DISCONNECTED
        self._phase_waiters: list[tuple[frozenset[Phase], asyncio.Future[Phase]]] = []
        self._connection: Connection | None = None
        self._connections = 0
        self._session_id: str | None = None
        self._tracker: ResumptionTracker | None = (
            ResumptionTracker(
                index_origin=options.replay_index_origin,  # type: ignore[arg-type]
                max_media_age=options.max_audio_age,
            )
            if config.session_resumption_enabled
            else None
        )
        self._pending_calls: set[str] = set()
        # Ids the service cancelled (toolCallCancellation) or that died with a refused handle:
        # late responses for them are dropped (and announced), never sent (§8.5).
        self._cancelled_calls: set[str] = set()
        # Every call id the current service-side session issued (reset on a fresh start): an
        # unconfirmed response to one of them must not be replayed into a new session.
        self._issued_calls: set[str] = set()
        self._sent_video = False
        # The trigger of the last transition: a repeat of it (audio chunk after audio chunk) is
        # routine, not an ignored trigger.
        self._last_trigger: Trigger | None = None
        # The handle the application gave in LiveConfig: the session resumes from it after a
        # loss until the service sends a newer one (or refuses it).
        self._fallback_handle: str | None = self._config_handle()
        self._ended: BaseException | None = None  # SessionClosed or SessionBroken once over
        self._closing = False
        self._closed_event = asyncio.Event()
        self._pump_wakeup = asyncio.Event()
        self._flushed = asyncio.Event()
        self._lost_event = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._keeper: Any = None  # set by _open (gemini_live.client.keeper.Keeper)
        # counters
        self._messages_sent = 0
        self._bytes_sent = 0
        self._reconnects = 0
        self._replayed = 0
        self._dropped_stale = 0
        self._ignored_triggers = 0
        self._dropped_unsent = 0

    # ------------------------------------------------------------------ properties

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def resumption_handle(self) -> str | None:
        """The newest handle that came with ``resumable: true`` (usable from another process)."""
        if self._tracker is None:
            return None
        return self._tracker.latest_handle or self._fallback_handle

    @property
    def config(self) -> LiveConfig:
        return self._config

    @property
    def platform(self) -> Platform:
        return self._platform

    @property
    def closed(self) -> bool:
        return self._ended is not None

    def statistics(self) -> SessionStatistics:
        fan = self._hub.statistics()
        tracker_stats = self._tracker.statistics() if self._tracker is not None else None
        return SessionStatistics(
            phase=self._phase,
            connections=self._connections,
            messages_sent=self._messages_sent,
            bytes_sent=self._bytes_sent,
            frames_received=self._frames_received(),
            events_published=fan.published,
            subscribers=fan.subscribers,
            overflowed_subscribers=fan.overflowed_subscribers,
            dropped_events=fan.dropped_events,
            send_queue_length=len(self._outbox),
            send_queue_high_water=self._outbox.high_water,
            reconnects=self._reconnects,
            replayed_messages=self._replayed,
            dropped_stale_media=self._dropped_stale,
            unconfirmed_messages=self._tracker.unconfirmed_count if self._tracker else 0,
            resumption_updates=tracker_stats.updates if tracker_stats else 0,
            ignored_phase_triggers=self._ignored_triggers,
            dropped_unsent=self._dropped_unsent,
        )

    _frames_before_current = 0

    def _frames_received(self) -> int:
        current = self._connection.frames_received if self._connection is not None else 0
        return self._frames_before_current + current

    # ------------------------------------------------------------------ read side

    def events(
        self, *, max_queue: int | None = None, overflow: OverflowPolicy = "error"
    ) -> Subscription:
        """Every event from now on, through this consumer's own bounded queue.

        Call it once per consumer (before awaiting anything, to miss nothing). The iterator ends
        after the session closes, or raises ``SessionBroken`` if it broke. See
        :mod:`gemini_live.client.fanout` for the overflow policies.
        """
        size = max_queue if max_queue is not None else self._options.event_queue_size
        return self._hub.subscribe(max_queue=size, overflow=overflow)

    async def wait_for_phase(self, *phases: Phase, timeout: float) -> Phase:
        """Wait until the session is in one of ``phases``; return it.

        Raises ``LiveTimeout`` after ``timeout`` seconds, or the session's end error if it ends
        first (unless ``Phase.DISCONNECTED`` is among ``phases``). Safe to cancel.
        """
        wanted = frozenset(phases)
        if not wanted:
            raise ValueError("wait_for_phase needs at least one phase")
        if self._phase in wanted:
            return self._phase
        if self._ended is not None:
            raise self._ended.with_traceback(None)  # see _check_open
        future: asyncio.Future[Phase] = asyncio.get_running_loop().create_future()
        entry = (wanted, future)
        self._phase_waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise LiveTimeout(
                f"phase is {self._phase.value}, not {sorted(p.value for p in wanted)} "
                f"after {timeout:g}s"
            ) from None
        finally:
            if entry in self._phase_waiters:
                self._phase_waiters.remove(entry)

    # ------------------------------------------------------------------ phase machine

    def _apply(self, trigger: Trigger) -> None:
        new = next_phase(self._phase, trigger)
        if new is None:
            self._ignored_triggers += 1
            return
        if new is self._phase:
            return
        old, self._phase = self._phase, new
        self._last_trigger = trigger
        log.debug("= phase %s -> %s (%s)", old.value, new.value, trigger.value)
        self._hub.publish(ev.PhaseChanged(old, new))
        for wanted, future in list(self._phase_waiters):
            if new in wanted and not future.done():
                future.set_result(new)

    # ------------------------------------------------------------------ receiving

    def on_events(self, connection: Connection, events: list[ev.Event]) -> None:
        if connection is not self._connection:
            return
        publish = self._hub.publish
        for event in events:
            kind = type(event)
            trigger = _EVENT_TRIGGERS.get(kind)
            if kind is ev.ResumptionUpdate or kind is ev.GoAway or kind is ev.ToolCall:
                self._on_control(event)
            elif kind is ev.ToolCallCancellation:
                self._pending_calls.difference_update(event.ids)  # type: ignore[union-attr]
                self._cancelled_calls.update(event.ids)  # type: ignore[union-attr]
                if not self._pending_calls:
                    trigger = Trigger.TOOL_CALL_CANCELLED
            elif kind is ev.VoiceActivity:
                # Unknown activity kinds (kept as sent) move nothing.
                trigger = _ACTIVITY_TRIGGERS.get(event.kind)  # type: ignore[union-attr]
            publish(event)
            if trigger is not None and not (
                trigger is self._last_trigger and next_phase(self._phase, trigger) is None
            ):
                self._apply(trigger)

    def _on_control(self, event: ev.Event) -> None:
        if isinstance(event, ev.ResumptionUpdate):
            if self._tracker is not None:
                self._tracker.on_update(event.handle, event.resumable, event.last_consumed_index)
                if event.resumable and event.handle and self._keeper is not None:
                    self._keeper.resumable_update()
        elif isinstance(event, ev.GoAway):
            if self._keeper is not None:
                self._keeper.go_away(event.time_left.total_seconds())
        elif isinstance(event, ev.ToolCall):
            ids = [call.id for call in event.calls if call.id is not None]
            self._pending_calls.update(ids)
            self._issued_calls.update(ids)
            # An id issued again (a fresh session may reuse ids) is live again: its answer must
            # not be dropped as a late response to the cancelled call.
            self._cancelled_calls.difference_update(ids)

    def on_lost(self, connection: Connection, info: CloseInfo) -> None:
        if connection is not self._connection:
            return
        # Nothing more can be written to it; frames wait in the outbox for the next connection.
        self._live = False
        self._lost_event.set()
        self._pump_wakeup.set()

    # ------------------------------------------------------------------ sending

    def _check_open(self) -> None:
        if self._ended is not None:
            # The same stored instance is raised on every later call; without resetting its
            # traceback each raise would append to it (unbounded growth in a retrying loop).
            raise self._ended.with_traceback(None)
        if self._closing:
            raise SessionClosed("the session is closing (disconnect() was called)")

    def _writable(self) -> Connection | None:
        """The connection to write to directly, or None if frames must queue."""
        connection = self._connection
        if (
            connection is None
            or connection.lost is not None
            or self._outbox.busy
            or not self._live
            or connection.transport.write_buffer_size > self._high_water
        ):
            return None
        return connection

    _live = False  # True between a completed (re)setup and the next loss

    def _write(self, connection: Connection, kind: str, frame: str, accepted_at: float) -> None:
        connection.transport.send(frame)
        self._messages_sent += 1
        self._bytes_sent += len(frame)
        if self._tracker is not None:
            self._tracker.record_sent(kind, frame, accepted_at)

    async def _submit(
        self, kind: str, frame: str, on_accepted: Callable[[], None] | None = None
    ) -> None:
        """Write ``frame`` now or queue it; ``on_accepted`` runs once it is accepted.

        Cancelling the caller while it waits for queue room means the frame was not accepted.
        Once accepted, the frame stays accepted and ``on_accepted`` has run, even if the caller
        is then cancelled while waiting for the socket to drain (so the phase machine and the
        pending tool calls always agree with what was sent).
        """
        self._check_open()
        connection = self._writable()
        now = asyncio.get_running_loop().time()
        if connection is not None:
            try:
                self._write(connection, kind, frame, now)
            except TransportClosed:
                # Lost between the check and the write: keep the frame for the next connection.
                connection = None
        if connection is None:
            await self._outbox.put(PendingFrame(kind, frame, now))
            self._pump_wakeup.set()
        if on_accepted is not None:
            on_accepted()
        if connection is not None and connection.transport.write_buffer_size > self._high_water:
            try:
                await connection.transport.drain()
            except TransportClosed:
                pass  # the keeper handles the loss; the frame is in the replay log

    def _submit_nowait(self, kind: str, frame: str) -> None:
        self._check_open()
        connection = self._writable()
        now = asyncio.get_running_loop().time()
        if connection is not None:
            try:
                self._write(connection, kind, frame, now)
                return
            except TransportClosed:
                pass
        if not self._outbox.put_nowait(PendingFrame(kind, frame, now)):
            raise SendQueueFull(f"send queue full ({self._outbox.capacity} frames waiting)")
        self._pump_wakeup.set()

    async def send_audio(self, data: bytes) -> None:
        """Send raw PCM16 mono audio at the configured input rate (default 16 kHz).

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        await self._submit("audio", codec.encode_audio(inputs.check_audio(data), self._audio_mime))

    def send_audio_nowait(self, data: bytes) -> None:
        """Like :meth:`send_audio` but never waits: raises ``SendQueueFull`` instead."""
        self._submit_nowait("audio", codec.encode_audio(inputs.check_audio(data), self._audio_mime))

    async def send_video(self, jpeg_data: bytes) -> None:
        """Send one JPEG frame (``realtimeInput.video``, ``image/jpeg``)."""
        frame = codec.encode_video(inputs.check_jpeg(jpeg_data), "image/jpeg")
        await self._submit("video", frame, self._video_accepted)

    def _video_accepted(self) -> None:
        # Only video actually accepted shortens the session limit (not a rejected frame).
        self._sent_video = True

    async def send_text(self, text: str) -> None:
        """Send user text as ``realtimeInput.text`` (the path current models accept mid-session)."""
        await self._submit("text", codec.encode(RealtimeText(inputs.check_text(text))))

    async def send_client_content(
        self, turns: Sequence[Content | Mapping[str, Any]], turn_complete: bool = True
    ) -> None:
        """Send ``clientContent`` turns. Any ``clientContent`` interrupts generation."""
        message = ClientContent(
            inputs.check_turns(turns), inputs.check_bool("turn_complete", turn_complete)
        )
        await self._submit("client_content", codec.encode(message))

    async def send_tool_response(
        self, responses: Sequence[FunctionResponse | Mapping[str, Any]]
    ) -> None:
        """Answer function calls. On Google AI every response needs the call's ``id``;
        ``scheduling``/``willContinue`` are rejected on Vertex (it closes with 1007)."""
        checked = inputs.check_function_responses(responses)
        validate_function_responses(checked, self._platform)
        # Before the cancelled-call filter: a closed session raises even when nothing is left.
        self._check_open()
        live = tuple(r for r in checked if r.id is None or r.id not in self._cancelled_calls)
        if len(live) < len(checked):
            self._hub.publish(
                ev.InputDropped("tool_response", len(checked) - len(live), "the call was cancelled")
            )
            if not live:
                return

        def accepted() -> None:
            self._pending_calls.difference_update(r.id for r in checked if r.id is not None)
            if not self._pending_calls:
                self._apply(Trigger.TOOL_RESPONSE_SENT)

        await self._submit("tool_response", codec.encode(ToolResponse(live)), accepted)

    def notify_tool_execution_started(self) -> None:
        """Tell the phase machine the application is running the pending tool calls."""
        self._apply(Trigger.TOOL_EXECUTION_STARTED)

    async def update_instruction(self, instruction: str) -> None:
        """Replace the system instruction mid-session.

        Sends ``contextUpdate.systemInstruction``; with ``vertex_system_turns=True`` (Vertex's
        documented form) sends a ``role: "system"`` client-content turn with
        ``turnComplete: false`` instead.
        """
        text = inputs.check_instruction(instruction)
        content = Content(
            parts=(Part(text=text),), role="system" if self._vertex_system_turns else "user"
        )
        if self._vertex_system_turns:
            await self._submit("client_content", codec.encode(ClientContent((content,), False)))
        else:
            await self._submit(
                "context_update", codec.encode(ContextUpdate(system_instruction=content))
            )

    async def update_tools(self, tools: Sequence[Tool | Mapping[str, Any]]) -> None:
        """Replace the declared tools (``contextUpdate.tools``); an empty list clears them."""
        await self._submit(
            "context_update", codec.encode(ContextUpdate(tools=inputs.check_tools(tools)))
        )

    def _check_manual_activity(self, method: str) -> None:
        if self._auto_vad:
            raise ValueError(
                f"{method}() needs manual activity detection: set "
                "realtime_input_config.automatic_activity_detection.disabled=True "
                "(the service closes the session with 1007 otherwise)"
            )

    async def signal_activity_start(self) -> None:
        """Mark the start of user activity (``activityStart``); manual detection only."""
        self._check_manual_activity("signal_activity_start")
        await self._submit(
            "activity_start",
            codec.encode(ActivityStart()),
            lambda: self._apply(Trigger.USER_ACTIVITY_START),
        )

    async def signal_activity_end(self) -> None:
        """Mark the end of user activity (``activityEnd``); manual detection only."""
        self._check_manual_activity("signal_activity_end")
        await self._submit(
            "activity_end",
            codec.encode(ActivityEnd()),
            lambda: self._apply(Trigger.USER_ACTIVITY_END),
        )

    async def send_audio_stream_end(self) -> None:
        """Tell the service the microphone paused (``audioStreamEnd``); automatic VAD only."""
        if not self._auto_vad:
            raise ValueError(
                "send_audio_stream_end() is only valid with automatic activity detection; "
                "use signal_activity_end() in manual mode"
            )
        await self._submit("audio_stream_end", codec.encode(AudioStreamEnd()))

    # ------------------------------------------------------------------ lifecycle

    def _config_handle(self) -> str | None:
        """The handle the application asked to resume from (``LiveConfig``), if any."""
        resumption = self._config.session_resumption
        return resumption.handle if resumption is not None else None

    def setup_frame(self, handle: str | None) -> str:
        config = self._config
        if self._tracker is not None:
            config = config.with_resumption_handle(handle)
        return codec.encode(Setup(model=self._model, config=config))

    async def disconnect(self) -> None:
        """Close the session: flush accepted frames (bounded), close with 1000, end consumers.

        Idempotent and safe to call from any task, concurrently; never waits longer than about
        ``flush_timeout + 2 * close_timeout``. A session that already broke just stays broken.
        Safe to cancel: the session still ends at once (the socket is dropped instead of closed
        gracefully if the close had not started), and a later call returns promptly.
        """
        from gemini_live.client import keeper

        if self._closing or self._ended is not None:
            # Another call is closing it (bounded, and it ends the session even if cancelled),
            # or it is already over: wait for the end and for our tasks to finish.
            await self._closed_event.wait()
            await keeper.wait_stopped(self)
            return
        self._closing = True
        self._apply(Trigger.DISCONNECT_REQUESTED)
        await keeper.close_gracefully(self)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

"""The Live session: a :class:`SessionWriter` plus the read side, over replaceable connections.

:class:`Session` is the public face. Its protocol state (phase, tool calls, replay, reconnect
decisions) lives in a :class:`~gemini_live.protocol.live.LiveProtocol`; sockets, tasks, timers
and the fan-out in a :class:`~gemini_live.client.driver.SessionDriver`. The session validates
and encodes input in the caller's task and hands it to the driver.

Sending. ``send_*`` validates and encodes in the caller's task, then either writes straight to
the socket (nothing queued, socket not backed up: no task switch) or appends to the bounded
:class:`~gemini_live.client.outbox.Outbox`, which the pump writes out in order. Every write is
also recorded by the resumption tracker until the service confirms it, for replay after a
reconnect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gemini_live.client import inputs
from gemini_live.client.driver import SessionDriver
from gemini_live.client.fanout import OverflowPolicy, Subscription
from gemini_live.protocol import encode as codec
from gemini_live.protocol.config import LiveConfig, Platform
from gemini_live.protocol.events import UnconfirmedMessage
from gemini_live.protocol.messages import (
    ActivityEnd,
    ActivityStart,
    AudioStreamEnd,
    ClientContent,
    ContextUpdate,
    RealtimeText,
    ToolResponse,
    validate_function_responses,
)
from gemini_live.protocol.phases import Phase
from gemini_live.protocol.resumption import RECORD_KINDS
from gemini_live.protocol.types import Content, FunctionResponse, Part, Tool

__all__ = ["Session", "SessionStatistics"]


@dataclass(frozen=True, slots=True)
class SessionStatistics:
    """Counters of one session (all since it opened).

    ``connections`` counts connection attempts (failed ones included); ``reconnects`` the
    attempts that carried the session on. ``messages_sent``/``bytes_sent`` count frames written
    for the application the first time (not ``setup``, not replays: see ``replayed_messages``).
    ``ignored_phase_triggers`` counts events that could not move the phase machine, not the
    routine repeats of the trigger that entered the current phase (every audio chunk of a reply).
    ``dropped_unsent`` counts accepted frames that were never written because the session ended
    first (each drop is announced with ``InputDropped("unsent", ...)``). ``write_buffer_size``
    is how many bytes the current socket holds in user space, not yet taken by the kernel.
    ``dropped_lost_answers`` counts tool answers to calls of a lost service-side session that
    were not sent to the fresh one that replaced it (announced with ``InputDropped(
    "tool_response", ...)``), whether they waited for a replay or were still queued.
    ``evicted_messages`` counts written messages dropped from the replay buffer over its bound
    (``SessionOptions.replay_max_messages``/``replay_max_bytes``) before the service confirmed
    them; those no later update confirmed are announced with ``InputDropped`` before the next
    replay (or when the session breaks), the first on each connection with a ``SessionWarning``.
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
    write_buffer_size: int = 0
    dropped_lost_answers: int = 0
    evicted_messages: int = 0


class Session:
    """A live conversation with the model. Create it with :func:`gemini_live.connect`.

    Implements :class:`~gemini_live.client.writer.SessionWriter`: every ``send_*`` method is safe
    to call concurrently from many tasks, keeps FIFO order, and waits when the bounded send queue
    is full. Consumers read with ``async for event in session.events()``. A session belongs to
    the event loop that opened it: using it from another loop or thread raises ``RuntimeError``.
    """

    __slots__ = ("_audio_mime", "_auto_vad", "_config", "_driver", "_protocol", "_system_turns")

    def __init__(
        self, driver: SessionDriver, *, config: LiveConfig, vertex_system_turns: bool = False
    ) -> None:
        """Internal: sessions are made by :func:`gemini_live.connect`."""
        self._driver = driver
        self._protocol = driver.protocol
        self._config = config
        self._system_turns = vertex_system_turns
        self._audio_mime = f"audio/pcm;rate={config.input_audio_rate}"
        self._auto_vad = config.automatic_activity_detection_enabled

    # ------------------------------------------------------------------ properties

    @property
    def phase(self) -> Phase:
        """The session's current phase (see :mod:`gemini_live.protocol.phases`)."""
        return self._protocol.phase

    @property
    def session_id(self) -> str | None:
        """The service's id for this session (from ``setupComplete``), when it sends one."""
        return self._protocol.session_id

    @property
    def resumption_handle(self) -> str | None:
        """The newest handle that came with ``resumable: true`` (usable from another process)."""
        return self._protocol.resumption_handle

    @property
    def config(self) -> LiveConfig:
        """The configuration the session was opened with."""
        return self._config

    @property
    def platform(self) -> Platform:
        """Which service flavour the session speaks (Google AI or Vertex AI)."""
        return self._protocol.platform

    @property
    def closed(self) -> bool:
        """Whether the session is over (closed by ``disconnect()`` or broken)."""
        return self._protocol.ended is not None

    def statistics(self) -> SessionStatistics:
        """A snapshot of the session's counters (see :class:`SessionStatistics`)."""
        driver = self._driver
        fan = driver.hub.statistics()
        counters = self._protocol.counters()
        return SessionStatistics(
            phase=self._protocol.phase,
            connections=counters.connections,
            messages_sent=counters.messages_sent,
            bytes_sent=counters.bytes_sent,
            frames_received=driver.frames_received(),
            events_published=fan.published,
            subscribers=fan.subscribers,
            overflowed_subscribers=fan.overflowed_subscribers,
            dropped_events=fan.dropped_events,
            send_queue_length=len(driver.outbox),
            send_queue_high_water=driver.outbox.high_water,
            reconnects=counters.reconnects,
            replayed_messages=counters.replayed_messages,
            dropped_stale_media=counters.dropped_stale_media,
            unconfirmed_messages=counters.unconfirmed_messages,
            resumption_updates=counters.resumption_updates,
            ignored_phase_triggers=counters.ignored_phase_triggers,
            dropped_unsent=counters.dropped_unsent,
            write_buffer_size=driver.write_buffer_size(),
            dropped_lost_answers=counters.dropped_lost_answers,
            evicted_messages=counters.evicted_messages,
        )

    # ------------------------------------------------------------------ read side

    def events(
        self, *, max_queue: int | None = None, overflow: OverflowPolicy = "error"
    ) -> Subscription:
        """Every event from now on, through this consumer's own bounded queue.

        Call it once per consumer. The first consumer also gets what arrived after the setup
        completed and before it subscribed (e.g. a greeting sent with ``setupComplete``), so
        nothing the service sends is lost before the application can subscribe; the opening
        itself (``SetupComplete``, the phase reaching ``ACTIVE``) is what ``connect()``
        returning means, and is not repeated. The iterator ends after the session
        closes, or raises ``SessionBroken`` if it broke. See :mod:`gemini_live.client.fanout`
        for the overflow policies.
        """
        self._driver.check_loop()
        size = max_queue if max_queue is not None else self._driver.options.event_queue_size
        return self._driver.hub.subscribe(max_queue=size, overflow=overflow)

    async def wait_for_phase(self, *phases: Phase, timeout: float) -> Phase:
        """Wait until the session is in one of ``phases``; return it.

        Raises ``LiveTimeout`` after ``timeout`` seconds, or the session's end error if it ends
        first (unless ``Phase.DISCONNECTED`` is among ``phases``). Safe to cancel and to call
        concurrently.
        """
        wanted = frozenset(phases)
        if not wanted:
            raise ValueError("wait_for_phase needs at least one phase")
        return await self._driver.wait_for_phase(wanted, timeout)

    def unconfirmed(self) -> tuple[UnconfirmedMessage, ...]:
        """Messages written but not yet confirmed by the service (kept for replay), oldest first.

        After the session broke, the same list (plus what was never written) is on
        ``SessionBroken.unconfirmed``.
        """
        return self._protocol.unconfirmed()

    async def resend(self, messages: Iterable[UnconfirmedMessage]) -> None:
        """Send messages taken from another session (``SessionBroken.unconfirmed``) again, in
        order, e.g. on a fresh session after the old one broke.

        Safe to call concurrently (the messages stay together only per call's order) and to
        cancel (messages not yet accepted are not sent).
        """
        items = list(messages)
        for message in items:
            if not isinstance(message, UnconfirmedMessage) or message.kind not in RECORD_KINDS:
                raise TypeError(f"resend() takes UnconfirmedMessage objects, got {message!r:.80}")
        for message in items:
            await self._driver.submit(message.kind, message.frame)

    # ------------------------------------------------------------------ sending

    async def _submit(self, kind: str, frame: str) -> None:
        await self._driver.submit(kind, frame)

    async def send_audio(self, data: bytes) -> None:
        """Send raw PCM16 mono audio at the configured input rate (default 16 kHz).

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        pcm = inputs.check_audio(data)
        waiting = self._driver.send_or_wait("audio", codec.encode_audio(pcm, self._audio_mime), pcm)
        if waiting is not None:
            await waiting

    def send_audio_nowait(self, data: bytes) -> None:
        """Like :meth:`send_audio` but never waits: raises ``SendQueueFull`` instead."""
        pcm = inputs.check_audio(data)
        self._driver.submit_nowait("audio", codec.encode_audio(pcm, self._audio_mime), pcm)

    async def send_video(self, jpeg_data: bytes) -> None:
        """Send one JPEG frame (``realtimeInput.video``, ``image/jpeg``).

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        frame = codec.encode_video(inputs.check_jpeg(jpeg_data), "image/jpeg")
        # Only video actually accepted shortens the session limit (not a rejected frame).
        await self._driver.submit("video", frame, self._protocol.video_accepted)

    async def send_text(self, text: str) -> None:
        """Send user text as ``realtimeInput.text`` (the path current models accept mid-session).

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        await self._submit("text", codec.encode(RealtimeText(inputs.check_text(text))))

    async def send_client_content(
        self, turns: Sequence[Content | Mapping[str, Any]], turn_complete: bool = True
    ) -> None:
        """Send ``clientContent`` turns. Any ``clientContent`` interrupts generation.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        message = ClientContent(
            inputs.check_turns(turns), inputs.check_bool("turn_complete", turn_complete)
        )
        await self._submit("client_content", codec.encode(message))

    async def send_tool_response(
        self, responses: Sequence[FunctionResponse | Mapping[str, Any]]
    ) -> None:
        """Answer function calls. On Google AI every response needs the call's ``id``;
        ``scheduling``/``willContinue`` are rejected on Vertex (it closes with 1007).

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        checked = inputs.check_function_responses(responses)
        protocol = self._protocol
        validate_function_responses(checked, protocol.platform)
        # Before the cancelled-call filter: a closed session raises even when nothing is left.
        self._driver.check_open()
        flags = protocol.live_tool_responses(r.id for r in checked)
        live = tuple(r for r, ok in zip(checked, flags, strict=True) if ok)
        if len(live) < len(checked):
            protocol.announce_cancelled_responses(len(checked) - len(live))
            self._driver.flush_events()
            if not live:
                return
        ids = [r.id for r in checked if r.id is not None]
        # If the answer must wait for queue room and a reconnect meanwhile loses its calls
        # (fresh session, or a resume from an older checkpoint), it must not be queued.
        rollbacks = protocol.rollbacks
        if not await self._driver.submit(
            "tool_response",
            codec.encode(ToolResponse(live)),
            lambda: protocol.tool_responses_accepted(ids),
            lambda: protocol.answer_survives(ids, rollbacks),
        ):
            protocol.answer_dropped_after_rollback()
            self._driver.flush_events()

    def notify_tool_execution_started(self) -> None:
        """Tell the phase machine the application is running the pending tool calls."""
        self._driver.check_loop()
        self._protocol.tool_execution_started()
        self._driver.flush_events()

    async def update_instruction(self, instruction: str) -> None:
        """Replace the system instruction mid-session.

        Sends ``contextUpdate.systemInstruction``; with ``vertex_system_turns=True`` (Vertex's
        documented form) sends a ``role: "system"`` client-content turn with
        ``turnComplete: false`` instead.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        text = inputs.check_instruction(instruction)
        content = Content(
            parts=(Part(text=text),), role="system" if self._system_turns else "user"
        )
        if self._system_turns:
            await self._submit("client_content", codec.encode(ClientContent((content,), False)))
        else:
            await self._submit(
                "context_update", codec.encode(ContextUpdate(system_instruction=content))
            )

    async def update_tools(self, tools: Sequence[Tool | Mapping[str, Any]]) -> None:
        """Replace the declared tools (``contextUpdate.tools``); an empty list clears them.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
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
        """Mark the start of user activity (``activityStart``); manual detection only.

        From here until :meth:`signal_activity_end` the user holds the floor: the phase stays
        ``USER_SPEAKING`` even when model audio that was already on its way, ``interrupted`` or
        ``turnComplete`` arrive meanwhile.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        self._check_manual_activity("signal_activity_start")
        await self._driver.submit(
            "activity_start",
            codec.encode(ActivityStart()),
            lambda: self._protocol.activity_accepted(start=True),
        )

    async def signal_activity_end(self) -> None:
        """Mark the end of user activity (``activityEnd``); manual detection only.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        self._check_manual_activity("signal_activity_end")
        await self._driver.submit(
            "activity_end",
            codec.encode(ActivityEnd()),
            lambda: self._protocol.activity_accepted(start=False),
        )

    async def send_audio_stream_end(self) -> None:
        """Tell the service the microphone paused (``audioStreamEnd``); automatic VAD only.

        Safe to call concurrently and to cancel (see :mod:`gemini_live.client.writer`).
        """
        if not self._auto_vad:
            raise ValueError(
                "send_audio_stream_end() is only valid with automatic activity detection; "
                "use signal_activity_end() in manual mode"
            )
        await self._submit("audio_stream_end", codec.encode(AudioStreamEnd()))

    # ------------------------------------------------------------------ lifecycle

    async def reconnect(self) -> None:
        """Drop the current connection and resume the session on a new one, now.

        For a peer that went quiet (the conversation layer's ``StallPolicy(action="reconnect")``
        calls it): the loss is handled exactly like a network loss, so ``Disconnected(
        will_reconnect=True)``, ``Reconnecting`` and ``Resumed`` are published, the newest
        resumable handle is used and every unconfirmed message is replayed. Returns once
        ``Resumed`` is published (``Resumed.fresh_session`` says whether the service refused
        the handle). A call while a reconnection is already under way (this one or after a
        loss) waits for that one instead of starting another.

        Raises ``SessionClosed``/``SessionBroken`` if the session is over or ends before it
        resumed, ``ConfigError`` if it cannot resume (resumption or ``reconnect`` off).

        Bounded by the retry policy, like an automatic reconnection: each attempt by the
        connect and setup timeouts, the attempts by ``ExponentialBackoff(max_attempts=...)``
        (8 by default), after which the session breaks and this raises ``SessionBroken``. With
        ``max_attempts=None`` it waits as long as the session keeps trying: wrap it in
        ``asyncio.timeout`` for a hard bound. Safe to cancel (the reconnection carries on in the
        session's own task) and to call concurrently (the calls share one reconnection).
        """
        await self._driver.reconnect()

    async def disconnect(self) -> None:
        """Close the session: flush accepted frames (bounded), close with 1000, end consumers.

        Idempotent and safe to call from any task, concurrently; never waits longer than about
        ``flush_timeout + 2 * close_timeout``. A session that already broke just stays broken.
        Safe to cancel: the session still ends at once (the socket is dropped instead of closed
        gracefully if the close had not started), and a later call returns promptly.
        """
        await self._driver.disconnect()

    async def __aenter__(self) -> Session:
        """``async with session:`` disconnects at the end of the block (safe to cancel)."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Disconnect (see :meth:`disconnect`)."""
        await self.disconnect()

    def __repr__(self) -> str:
        return (
            f"<Session phase={self._protocol.phase.value} platform={self._protocol.platform.value}"
            f" session_id={self._protocol.session_id!r}>"
        )

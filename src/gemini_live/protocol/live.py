"""``LiveProtocol``: the whole protocol state of one Live session, as a pure object.

In the spirit of a sans-I/O protocol object (websockets' ``Protocol``, h11's ``Connection``), it
opens no socket, starts no task and never reads the clock: every input carries ``now``
(monotonic seconds) and every output is a value the caller acts on. The asyncio driver in
``gemini_live.client`` runs sockets, timers and tasks, feeds this object and carries out what
it returns; it makes no protocol decision of its own.

Inputs (each with ``now`` where time matters):

* a connection attempt begins (:meth:`next_setup`) and completes setup (:meth:`connected`, with
  the events decoded during the handshake);
* a frame arrives (:meth:`frame_received`);
* the application sends something: :meth:`written` records every frame put on the wire, and
  :meth:`tool_responses_accepted`, :meth:`activity_accepted`, :meth:`video_accepted` say what an
  accepted message means for the phase and the tool-call bookkeeping;
* the connection is lost (:meth:`connection_lost`), a reconnect attempt fails
  (:meth:`attempt_failed`), the ``goAway`` timer fires (:meth:`timer_fired`), the application
  asks for a new connection (:meth:`reconnect_requested`).

Outputs:

* events for the application, collected in order and handed over by :meth:`take_events`
  (:meth:`frame_received` returns them directly: it is the hot path);
* decisions: :class:`Reconnect` (after ``delay`` seconds, open a new connection and send
  :meth:`next_setup`), :class:`Stop` (end the session with ``error``), :class:`Park` (the
  application is closing: do nothing);
* the frames to replay after a resume (:meth:`replay_plan`);
* the ``goAway`` rotation state (:attr:`rotation_deadline`, :attr:`wants_rotation`), re-read by
  the driver whenever :attr:`needs_attention` is set.

Reconnection rules (the pure verdicts are in :mod:`gemini_live.protocol.retry`):

* A loss that :func:`~gemini_live.protocol.retry.classify` calls retryable or routine, with
  resumption on and reconnection allowed, reconnects after the policy's delay with the newest
  resumable handle in ``setup``; anything else ends the session with ``SessionBroken``, which
  carries every message that was never confirmed (``SessionBroken.unconfirmed``).
* Replay: every frame written is kept by the resumption tracker until the service confirms it;
  after a resume the unconfirmed frames are written again first, in order. Real-time media
  older than ``max_audio_age`` is dropped instead (counted and announced).
* A refused handle (1007/1008 during setup while resuming) starts a fresh session when
  ``on_resume_failure="fresh"`` or ends the session when ``"fail"``. With no handle at all the
  new connection is a fresh session that gets every unconfirmed message replayed, and the old
  session's pending tool calls are cancelled (the new session never issued them).
* Tool calls (:mod:`gemini_live.protocol.calls`): answers to calls the new service-side session
  never issued are dropped (announced, counted), never sent. The lost calls are settled at the
  new connection's ``setupComplete``; what that connection sent with or after it (a new
  ``toolCall`` included) is published after ``Resumed``, which so separates the two sessions.
* A requested reconnect (``Session.reconnect()``, e.g. a stall watchdog) is carried out like a
  routine rotation but at once, whatever the phase: the driver drops the socket and the loss is
  handled exactly like a network loss (newest handle, replay of everything unconfirmed). A
  request while a reconnection is already under way joins it.
* ``goAway``: rotate at once if idle, else at the end of the turn once a resumable update
  covers it, and at the latest ``go_away_margin`` seconds before ``timeLeft`` runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from gemini_live.errors import ClosedBy, ConfigError, LiveError, SessionBroken
from gemini_live.protocol import events as ev
from gemini_live.protocol.calls import ToolCalls
from gemini_live.protocol.config import LiveConfig, Platform
from gemini_live.protocol.decisions import (
    Decision,
    Park,
    ProtocolCounters,
    Reconnect,
    Stop,
    describe,
    failure_from_close,
    failure_of,
)
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.encode import encode
from gemini_live.protocol.limits import SessionLimits
from gemini_live.protocol.messages import Setup
from gemini_live.protocol.phases import IDLE_PHASES, NOT_LIVE_PHASES, Phase, Trigger, next_phase
from gemini_live.protocol.resumption import (
    EVICTION_REASON,
    EVICTION_WARNING,
    IndexOrigin,
    ResumptionTracker,
    SentRecord,
    is_stale_media,
)
from gemini_live.protocol.retry import Failure, FailureKind, RetryPolicy, Verdict, classify
from gemini_live.protocol.triggers import ACTIVITY_TRIGGERS, CONTROL_EVENTS, EVENT_TRIGGERS

log = logging.getLogger("gemini_live.protocol")

__all__ = [
    "Decision",
    "LiveProtocol",
    "Park",
    "ProtocolCounters",
    "Reconnect",
    "ResumeFailure",
    "Stop",
    "failure_of",
]

ResumeFailure = Literal["fresh", "fail"]


class LiveProtocol:
    """The protocol state of one session: phase, tool calls, replay, reconnect decisions.

    Not thread-safe; one driver feeds it from one event loop. See the module docstring for the
    inputs, outputs and rules.
    """

    # One per session, with about 45 attributes: slots save the instance dict (about 1 KB).
    # fmt: off
    __slots__ = (
        "_attempt", "_bytes_sent", "_calls", "_config", "_connections", "_dropped_lost_answers",
        "_dropped_now", "_dropped_stale", "_dropped_unsent", "_events", "_failure",
        "_fallback_handle", "_forget", "_fresh", "_go_away_margin", "_go_away_seen", "_held",
        "_ignored", "_last_trigger", "_limits", "_max_audio_age", "_messages_sent", "_model",
        "_on_resume_failure", "_phase", "_policy", "_reconnect", "_reconnects", "_replayed",
        "_requested", "_resuming", "_session_id", "_setup_handle", "_tracker", "_user_floor",
        "closing", "ended", "needs_attention", "platform", "rotation_deadline", "sent_video",
        "wants_rotation",
    )
    # fmt: on

    def __init__(
        self,
        *,
        model: str,
        config: LiveConfig,
        platform: Platform,
        retry_policy: RetryPolicy,
        reconnect: bool = True,
        max_audio_age: float | None = 2.0,
        go_away_margin: float = 5.0,
        on_resume_failure: ResumeFailure = "fresh",
        replay_index_origin: IndexOrigin = "setup_is_0",
        replay_max_messages: int = 20_000,
        replay_max_bytes: int = 32 * 1024 * 1024,
        max_tracked_calls: int = 4096,
        session_limit_warning: float = 60.0,
        audio_session_limit: float = 15 * 60.0,
        video_session_limit: float = 2 * 60.0,
    ) -> None:
        self._model = model
        self._config = config
        self.platform = platform
        self._policy = retry_policy
        self._reconnect = reconnect
        self._max_audio_age = max_audio_age
        self._go_away_margin = go_away_margin
        self._on_resume_failure = on_resume_failure
        self._tracker: ResumptionTracker | None = (
            ResumptionTracker(
                max_records=replay_max_messages,
                max_bytes=replay_max_bytes,
                index_origin=replay_index_origin,
                max_media_age=max_audio_age,
            )
            if config.session_resumption_enabled
            else None
        )
        self._limits = SessionLimits(
            session_limit_warning, audio_session_limit, video_session_limit
        )
        self._events: list[ev.Event] = []
        self._phase = Phase.DISCONNECTED
        self._user_floor = False  # an explicit activityStart not yet ended (see phases)
        self._last_trigger: Trigger | None = None
        self._session_id: str | None = None
        self._calls = ToolCalls(max_tracked_calls)
        # The handle the application gave in LiveConfig: used after a loss until the service
        # sends a newer one (or refuses it).
        resumption = config.session_resumption
        self._fallback_handle: str | None = resumption.handle if resumption is not None else None
        self._setup_handle: str | None = self._fallback_handle
        self._fresh = False
        self._forget = False
        # A reconnection is under way: the next connected() settles the lost session's calls.
        self._resuming = False
        # Events of the new connection that came with or after setupComplete, published after
        # Resumed (see connected()).
        self._held: list[ev.Event] = []
        self._failure: Failure | None = None
        self._attempt = 0
        self._go_away_seen = False
        self._requested = False
        self.rotation_deadline: float | None = None
        """After ``goAway``: when the driver must rotate at the latest (monotonic seconds)."""
        self.wants_rotation = False
        """Rotate to a new connection now (``goAway`` and the turn is over)."""
        self.needs_attention = False
        """The rotation state changed: the driver should re-read it (and reset this flag)."""
        self.sent_video = False
        """Whether video was accepted (it shortens the service's session limit)."""
        self.closing = False
        self.ended: LiveError | None = None
        self._connections = 0
        self._messages_sent = 0
        self._bytes_sent = 0
        self._reconnects = 0
        self._replayed = 0
        self._dropped_stale = 0
        self._ignored = 0
        self._dropped_unsent = 0
        self._dropped_lost_answers = 0
        self._dropped_now = 0  # frames the reconnect under way dropped (for Resumed)

    # ------------------------------------------------------------------ state

    @property
    def phase(self) -> Phase:
        """The current phase of the session."""
        return self._phase

    @property
    def session_id(self) -> str | None:
        """The service's session id from ``setupComplete``, when it sends one."""
        return self._session_id

    @property
    def resumption_handle(self) -> str | None:
        """The newest handle that came with ``resumable: true`` (or the application's own)."""
        if self._tracker is None:
            return None
        return self._tracker.latest_handle or self._fallback_handle

    @property
    def resumption_enabled(self) -> bool:
        """Whether messages are tracked for replay (session resumption is on)."""
        return self._tracker is not None

    @property
    def pending_tool_calls(self) -> frozenset[str]:
        """Ids of tool calls issued by the service and not yet answered or cancelled."""
        return self._calls.pending

    def check_limits(self, now: float) -> float | None:
        """Warn (``SessionWarning``) before the service's session-duration limits, which apply
        without context window compression; return when to check again (``None``: never).

        The first call starts the clock. Sending video shortens the limit, so while no warning
        is due the answer is at most a second away.
        """
        if self._config.context_window_compression is not None:
            return None
        next_check, warning = self._limits.check(now, self.sent_video)
        if warning is not None:
            self._events.append(warning)
        return next_check

    def counters(self) -> ProtocolCounters:
        """A snapshot of this object's counters."""
        tracker = self._tracker
        evicted = tracker.statistics() if tracker is not None else None
        return ProtocolCounters(
            connections=self._connections,
            messages_sent=self._messages_sent,
            bytes_sent=self._bytes_sent,
            reconnects=self._reconnects,
            replayed_messages=self._replayed,
            dropped_stale_media=self._dropped_stale,
            unconfirmed_messages=tracker.unconfirmed_count if tracker is not None else 0,
            resumption_updates=evicted.updates if evicted is not None else 0,
            ignored_phase_triggers=self._ignored,
            dropped_unsent=self._dropped_unsent,
            dropped_lost_answers=self._dropped_lost_answers,
            evicted_messages=evicted.evicted_media + evicted.evicted_other if evicted else 0,
        )

    def unconfirmed(self) -> tuple[ev.UnconfirmedMessage, ...]:
        """Every written message the service has not confirmed yet, oldest first."""
        if self._tracker is None:
            return ()
        return tuple(ev.UnconfirmedMessage(r.kind, r.frame) for r in self._tracker.unconfirmed)

    def take_events(self) -> list[ev.Event]:
        """The events produced since the last call, in order (the driver publishes them)."""
        events, self._events = self._events, []
        return events

    # ------------------------------------------------------------------ phase machine

    def _next(self, trigger: Trigger) -> Phase | None:
        return next_phase(self._phase, trigger, user_floor=self._user_floor)

    def _apply(self, trigger: Trigger) -> None:
        new = self._next(trigger)
        # The floor (see phases) ends with the activity or with the conversation.
        if trigger is Trigger.USER_ACTIVITY_END or new in NOT_LIVE_PHASES:
            self._user_floor = False
        if new is None:
            self._ignored += 1
            return
        if new is self._phase:
            return
        old, self._phase = self._phase, new
        self._last_trigger = trigger
        self._events.append(ev.PhaseChanged(old, new))

    # ------------------------------------------------------------------ connections

    def connect_requested(self) -> None:
        """The application asked to open the session."""
        self._apply(Trigger.CONNECT)

    def next_setup(self) -> str:
        """Start a connection attempt; return the ``setup`` frame to send on it."""
        self._connections += 1
        config = self._config
        if self._tracker is not None:
            self._tracker.new_connection()
            config = config.with_resumption_handle(self._setup_handle)
        return encode(Setup(model=self._model, config=config))

    def connected(self, early: list[ev.Event], now: float) -> None:
        """A connection completed setup; ``early`` is what arrived during the handshake.

        On a reconnection the lost session's tool calls are settled at ``setupComplete``,
        before anything that came after it is processed: a ``toolCall`` sent together with
        ``setupComplete`` (or before the replay is written) was issued by the new service-side
        session and is live, even if it reuses an id of the lost session. The events that came
        after ``setupComplete`` are published after ``Resumed`` (see :meth:`resumed`), so that
        an application that drops the lost session's calls when it sees ``Resumed`` never
        drops one of the new connection's.
        """
        self._apply(Trigger.SETUP_SENT)
        for event in early:
            if type(event) is ev.SetupComplete and event.session_id:
                self._session_id = event.session_id
        if not self._resuming:
            processed = self._process(early, now)  # returns the pending events, then resets
            self._events.extend(processed)
            self._policy.connected(now)
            return
        split = next((i + 1 for i, e in enumerate(early) if type(e) is ev.SetupComplete), 0)
        settled = self._process(early[:split], now)
        self._settle_lost_calls()
        settled += self._events
        self._events = []
        # Processed now, in arrival order (a resumption update must confirm only what was on
        # the wire when it came), published after Resumed.
        self._held = self._process(early[split:], now)
        self._events = settled
        self._policy.connected(now)

    def open_failed(self) -> None:
        """The first connection attempt failed (``connect()`` raises)."""
        self._apply(Trigger.CLOSED)

    # ------------------------------------------------------------------ receiving

    def frame_received(self, data: str | bytes, now: float) -> list[ev.Event]:
        """Decode one frame; return every event for the application (phase changes included)."""
        return self._process(decode_events(data), now)

    def _process(self, events: list[ev.Event], now: float = 0.0) -> list[ev.Event]:
        # Phase changes are appended to self._events by _apply, right after their cause.
        out = self._events
        for event in events:
            kind = type(event)
            trigger = EVENT_TRIGGERS.get(kind)
            if kind in CONTROL_EVENTS:
                trigger = self._control(event, now, trigger)
            elif kind is ev.VoiceActivity:
                # Unknown activity kinds (kept as sent) move nothing.
                trigger = ACTIVITY_TRIGGERS.get(event.kind)  # type: ignore[union-attr]
            out.append(event)
            # The routine repeat (every audio chunk of a reply): next_phase directly, not _next.
            if trigger is not None and not (
                trigger is self._last_trigger
                and next_phase(self._phase, trigger, user_floor=self._user_floor) is None
            ):
                self._apply(trigger)
        self._events = []
        return out

    def _control(self, event: ev.Event, now: float, trigger: Trigger | None) -> Trigger | None:
        if isinstance(event, ev.ResumptionUpdate):
            tracker = self._tracker
            if tracker is not None:
                tracker.on_update(event.handle, event.resumable, event.last_consumed_index)
                if event.resumable and event.handle:
                    self._calls.checkpoint()
                # After goAway: the turn is covered by a resumable handle, rotate if idle.
                if (
                    event.resumable
                    and event.handle
                    and self.rotation_deadline is not None
                    and self._phase in IDLE_PHASES
                ):
                    self.wants_rotation = self.needs_attention = True
        elif isinstance(event, ev.GoAway):
            self._go_away(event.time_left.total_seconds(), now)
        elif isinstance(event, ev.ToolCall):
            self._calls.issued([call.id for call in event.calls if call.id is not None])
        elif isinstance(event, ev.ToolCallCancellation) and self._calls.cancelled(event.ids):
            return Trigger.TOOL_CALL_CANCELLED
        return trigger

    def _go_away(self, time_left: float, now: float) -> None:
        self._go_away_seen = True
        if self._tracker is None or not self._reconnect:
            # Closing early could only end the session sooner: keep the connection until the
            # service closes it (the application sees the GoAway event).
            return
        self.rotation_deadline = now + max(0.0, time_left - self._go_away_margin)
        self.needs_attention = True
        if self._phase in IDLE_PHASES:
            self.wants_rotation = True

    def reconnect_requested(self) -> bool:
        """The application asked to resume on a new connection now.

        Returns True if the driver must drop the current connection (it then reports the
        loss with :meth:`rotation_started`), False if a reconnection is already under way (the
        request joins it). Raises ``ConfigError`` when the session cannot resume (resumption or
        reconnection off): dropping the connection would end it instead.
        """
        if self._tracker is None or not self._reconnect:
            raise ConfigError(
                "reconnect() needs session resumption and SessionOptions(reconnect=True)"
            )
        if self._phase in NOT_LIVE_PHASES or self.wants_rotation:
            return False
        self._requested = self.wants_rotation = self.needs_attention = True
        return True

    def timer_fired(self, now: float) -> None:
        """The driver's ``goAway`` timer fired: rotate if the deadline has passed."""
        if self.rotation_deadline is not None and now >= self.rotation_deadline:
            self.wants_rotation = True

    # ------------------------------------------------------------------ sending

    def written(
        self, kind: str, frame: str, accepted_at: float, data: bytes | None = None
    ) -> None:
        """A frame for the application went on the wire (kept for replay until confirmed).

        ``data``: for media, the bytes the frame's base64 encodes, if the caller has them."""
        self._messages_sent += 1
        self._bytes_sent += len(frame)
        tracker = self._tracker
        if tracker is not None:
            tracker.record_sent(kind, frame, accepted_at, data)
            if tracker.take_first_eviction():
                self._events.append(ev.SessionWarning(EVICTION_WARNING))

    def is_stale(self, kind: str, accepted_at: float, now: float) -> bool:
        """Whether a queued frame is real-time media too old to be worth writing."""
        return is_stale_media(kind, accepted_at, now, self._max_audio_age)

    def stale_dropped(self, kind: str, count: int) -> None:
        """``count`` queued frames of ``kind`` were dropped as stale instead of written."""
        self._dropped_stale += count
        self._events.append(ev.InputDropped(kind, count, "stale: queued too long"))

    def live_tool_responses(self, ids: Iterable[str | None]) -> list[bool]:
        """For each response's call id: whether it may be sent (False: the call was cancelled)."""
        return self._calls.live(ids)

    def announce_cancelled_responses(self, count: int) -> None:
        """``count`` tool responses were dropped because their calls were cancelled."""
        self._events.append(ev.InputDropped("tool_response", count, "the call was cancelled"))

    def tool_responses_accepted(self, ids: Iterable[str]) -> None:
        """Responses to ``ids`` were accepted for sending."""
        if self._calls.answered(ids):
            self._apply(Trigger.TOOL_RESPONSE_SENT)

    def tool_execution_started(self) -> None:
        """The application runs the pending tool calls."""
        self._apply(Trigger.TOOL_EXECUTION_STARTED)

    def activity_accepted(self, start: bool) -> None:
        """``activityStart`` (``start``) or ``activityEnd`` was accepted for sending.

        An ``activityStart`` that leaves the phase at ``UserSpeaking`` gives the user the floor
        (:mod:`gemini_live.protocol.phases`): model output already on its way does not take
        the turn back until ``activityEnd``.
        """
        self._apply(Trigger.USER_ACTIVITY_START if start else Trigger.USER_ACTIVITY_END)
        if start and self._phase is Phase.USER_SPEAKING:
            self._user_floor = True

    def video_accepted(self) -> None:
        """A video frame was accepted (only accepted video shortens the session limit)."""
        self.sent_video = True

    # ------------------------------------------------------------------ losing a connection

    def connection_lost(
        self, code: int | None, reason: str, closed_by: ClosedBy, now: float
    ) -> Decision:
        """The connection ended by itself; decide whether to reconnect."""
        failure = failure_from_close(code, reason, closed_by)
        verdict = classify(failure, after_go_away=self._go_away_seen)
        return self._after_loss(failure, verdict, now)

    def rotation_started(self, now: float) -> Decision:
        """The driver closed the connection to rotate after ``goAway`` or on request."""
        reason = "reconnect requested" if self._requested else "goAway rotation"
        failure = Failure(FailureKind.CLOSED, 1000, reason, "client")
        return self._after_loss(failure, Verdict.ROTATE, now)

    @property
    def drop_for_rotation(self) -> bool:
        """Whether the coming rotation was requested by the application: the driver drops
        the socket (the peer may be stalled) instead of closing it gracefully."""
        return self._requested

    def _after_loss(self, failure: Failure, verdict: Verdict, now: float) -> Decision:
        self.wants_rotation = False
        self.rotation_deadline = None
        self._go_away_seen = False
        self._requested = False
        if self.closing:
            # disconnect() owns this connection now: a loss must not open a new one.
            return Park()
        tracker = self._tracker
        if verdict is Verdict.FATAL or not self._reconnect or tracker is None:
            return self._stop(failure)
        # Ask the policy first: announcing will_reconnect=True and then giving up would be a lie.
        delay = self._policy.next_delay(failure, verdict, now)
        if delay is None:
            return self._stop(failure)
        self._events.append(
            ev.Disconnected(failure.code, failure.reason, failure.closed_by, will_reconnect=True)
        )
        self._apply(Trigger.CONNECTION_LOST)
        self._setup_handle = tracker.latest_handle or self._fallback_handle
        # Without a resumable handle the new connection is a new service-side session; every
        # message so far is still unconfirmed, so replaying them rebuilds the input history.
        self._fresh = self._setup_handle is None
        self._forget = False
        self._resuming = True
        self._attempt = 0
        return self._schedule(failure, delay)

    def _schedule(self, failure: Failure, delay: float) -> Reconnect:
        self._failure = failure
        self._attempt += 1
        self._events.append(ev.Reconnecting(self._attempt, delay, describe(failure)))
        return Reconnect(delay)

    def attempt_failed(self, failure: Failure, now: float) -> Decision:
        """A reconnect attempt failed before ``setupComplete``; ``failure`` says how."""
        if self.closing:
            return Park()
        refused = (
            failure.kind is FailureKind.SETUP_REJECTED
            and self._setup_handle is not None
            and failure.code in (1007, 1008)
        )
        if refused and self._on_resume_failure == "fresh":
            log.warning("resumption handle refused (%s); starting a fresh session", failure.reason)
            # The service's state for that handle is gone: start over, and say so.
            failure = replace(failure, kind=FailureKind.RESUMPTION_REFUSED)
            self._setup_handle = self._fallback_handle = None
            self._fresh = self._forget = True
            verdict = classify(failure)
        else:
            verdict = classify(failure)
            if verdict is Verdict.FATAL:
                return self._stop(failure)
        delay = self._policy.next_delay(failure, verdict, now)
        if delay is None:
            return self._stop(failure)
        return self._schedule(failure, delay)

    # ------------------------------------------------------------------ resuming

    def _settle_lost_calls(self) -> None:
        """A reconnect completed setup: forget the calls the new service-side session never
        issued (see :mod:`gemini_live.protocol.calls`), before the new connection's own calls
        are counted. A fresh session's pending calls are announced as cancelled; a resumed
        session's are not (``Resumed.handle_used`` says which checkpoint it went back to, and
        it may issue them again from the replayed input: an id issued again is live again)."""
        dead = self._calls.settle(self._fresh)
        if dead and self._fresh:
            self._events.append(ev.ToolCallCancellation(dead))

    @property
    def rollbacks(self) -> int:
        """How many reconnects so far made calls unknown to the service-side session (a fresh
        start, or a resume from a checkpoint older than some calls). A tool answer checked
        against the pending calls before a rollback may answer a call that is gone."""
        return self._calls.rollbacks

    def answer_survives(self, ids: Iterable[str], rollbacks: int) -> bool:
        """Whether a tool answer to ``ids``, checked when :attr:`rollbacks` was ``rollbacks``,
        may still be queued: no rollback since then lost one of its calls."""
        return self._calls.answer_survives(ids, rollbacks)

    def answer_dropped_after_rollback(self) -> None:
        """A tool answer that waited for queue room across a rollback was dropped instead of
        queued (its call was issued before the rollback)."""
        self._dropped_lost_answers += 1
        self._events.append(
            ev.InputDropped(
                "tool_response", 1, "its call was lost with the connection while it waited"
            )
        )

    def lost_session_answer(self, kind: str, frame: str) -> bool:
        """After a reconnect completed setup, before :meth:`replay_plan`: whether a queued
        (accepted, never written) frame must be dropped instead of written: a tool answer to a
        call the new service-side session never issued (a fresh session, or one resumed from a
        checkpoint older than the call). It may reuse that id for a new call, and the service
        closes with 1007 on an answer to a call it does not know."""
        return kind == "tool_response" and self._calls.answers_lost(frame)

    def replay_plan(self, now: float, queued_dropped: int = 0) -> tuple[SentRecord, ...]:
        """After a reconnect completed setup: drop the lost session's answers from the replay
        log and return the records to write again, in order (the driver writes them and calls
        :meth:`replayed`).

        ``queued_dropped``: how many queued frames the driver dropped because
        :meth:`lost_session_answer` said so (counted and announced with the replay log's own).
        """
        tracker = self._tracker
        assert tracker is not None
        calls = self._calls
        stale = queued_dropped
        if not self._forget and calls.any_lost:
            stale += tracker.discard(
                lambda r: r.kind == "tool_response" and calls.answers_lost(r.frame)
            )
        if stale:
            self._dropped_lost_answers += stale
            why = (
                "it answers a call of the lost session"
                if self._fresh
                else "it answers a call issued after the resumed checkpoint"
            )
            self._events.append(ev.InputDropped("tool_response", stale, why))
        # Evicted messages never reach the new connection either: announced first, per kind.
        self._dropped_now = self._announce_evictions()
        if self._forget:
            forgotten = tracker.forget_all()
            self._dropped_now += forgotten
            if forgotten:
                self._events.append(ev.InputDropped("unconfirmed", forgotten, "fresh session"))
            return ()
        plan = tracker.plan_replay(now, self._max_audio_age)
        if plan.dropped_stale_audio:
            self._dropped_now += plan.dropped_stale_audio
            self._dropped_stale += plan.dropped_stale_audio
            self._events.append(
                ev.InputDropped(
                    "audio",
                    plan.dropped_stale_audio,
                    "stale: real-time audio/video older than max_audio_age",
                )
            )
        return plan.records

    def _announce_evictions(self, *, ended: bool = False) -> int:
        """Announce, per kind, the evicted messages no update confirmed; returns their count."""
        assert self._tracker is not None
        lost = self._tracker.take_lost_evictions(include_current=ended)
        for kind, count in lost:
            self._events.append(ev.InputDropped(kind, count, EVICTION_REASON))
        return sum(count for _, count in lost)

    def replayed(self, record: SentRecord) -> None:
        """``record`` was written again on the new connection."""
        assert self._tracker is not None
        self._tracker.record_replayed(record)
        self._replayed += 1

    def resumed(self, replayed: int, now: float) -> None:
        """The replay is written: announce the resume."""
        self._reconnects += 1
        self._policy.connected(now)
        self._events.append(
            ev.Resumed(self._setup_handle, replayed, self._dropped_now, fresh_session=self._fresh)
        )
        # What the new connection sent with or after setupComplete (see connected()).
        self._events.extend(self._held)
        self._held = []
        self._calls.reconnected()
        self._resuming = False

    # ------------------------------------------------------------------ ending

    def close_requested(self) -> None:
        """The application called ``disconnect()``: nothing reconnects from now on."""
        self.closing = True
        self._apply(Trigger.DISCONNECT_REQUESTED)

    def _stop(self, failure: Failure) -> Stop:
        error = SessionBroken(
            "the connection ended",
            code=failure.code,
            reason=failure.reason,
            closed_by=failure.closed_by,
        )
        return Stop(error, ev.Disconnected(failure.code, failure.reason, failure.closed_by))

    def end(
        self, error: LiveError, event: ev.Disconnected, unsent: list[ev.UnconfirmedMessage]
    ) -> None:
        """The session is over (``error``: ``SessionClosed`` or ``SessionBroken``).

        ``unsent`` were accepted but never written. A broken session keeps every message the
        service did not confirm, written or not, on the error (``SessionBroken.unconfirmed``,
        oldest first) so that the application can re-send them, and announces them.
        """
        if self.ended is not None:
            return
        self.ended = error
        self._apply(Trigger.CLOSED)
        if unsent:
            self._dropped_unsent += len(unsent)
            self._events.append(
                ev.InputDropped(
                    "unsent", len(unsent), "the session ended before they could be written"
                )
            )
        if isinstance(error, SessionBroken):
            if self._tracker is not None:
                self._announce_evictions(ended=True)
            lost = self.unconfirmed()
            error.unconfirmed = lost + tuple(unsent)
            if lost:
                self._events.append(
                    ev.InputDropped(
                        "unconfirmed",
                        len(lost),
                        "the session broke before the service confirmed them "
                        "(SessionBroken.unconfirmed)",
                    )
                )
        self._events.append(event)

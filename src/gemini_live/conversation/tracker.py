"""The conversation layer's pure core: events and writer calls in, records and notices out.

:class:`ConversationTracker` never reads a clock and never awaits: every input comes with the
time it happened (``now``, seconds on any monotonic clock), so the same code serves a live
session (:class:`~.monitor.Conversation` feeds it), a recorded event stream, and table tests.

Which turn an input belongs to:

* Model output (audio, text, transcription, tool calls) always belongs to the current turn.
* User input that *starts* something (typed text, client content, ``activityStart``, the
  service's ``ACTIVITY_START``) while the model is already answering opens the *next* turn, and
  is remembered as the interruption's cause. Audio and input transcription stay with the
  current turn until the model was interrupted.
* After ``turnComplete`` the record waits ``late_transcription_grace`` seconds for input
  transcription that the service sends late; anything that starts the next turn ends the wait.
* A resume while the model was answering: the service answers again from the start on the new
  connection, so the output that arrived before is kept aside (``superseded_text``) and the turn
  stays one record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gemini_live.client.writer import RecordedCall
from gemini_live.conversation.metrics import MetricsSnapshot, RunningMetrics
from gemini_live.conversation.policies import ContextPolicy, StallPolicy
from gemini_live.conversation.records import (
    ContextLost,
    ConversationEvent,
    ReconnectRecord,
    Stalled,
    TurnRecord,
    WaitingFor,
)
from gemini_live.conversation.turns import CallState, TurnBuilder
from gemini_live.protocol import events as ev

__all__ = ["ConversationTracker"]

_MODEL_OUTPUT: dict[type, str] = {
    ev.AudioChunk: "audio",
    ev.TextDelta: "text",
    ev.OutputTranscription: "transcription",
}
_WAIT_ENDS = (ev.Thought, ev.GenerationComplete, ev.ExecutableCode, ev.CodeExecutionResult)


class ConversationTracker:
    """Turn records, latency metrics, stall and lost-context detection (pure; one thread).

    ``stall=None`` disables the watchdog, ``context=None`` the lost-context check. Each method
    returns the notices it produced (:data:`~.records.ConversationEvent`), in order; completed
    records are also appended to :attr:`records`.
    """

    def __init__(
        self,
        *,
        late_transcription_grace: float = 0.5,
        stall: StallPolicy | None = None,
        context: ContextPolicy | None = None,
        window: int = 1024,
    ) -> None:
        if not late_transcription_grace >= 0:
            raise ValueError("late_transcription_grace must be >= 0")
        self.grace = late_transcription_grace
        self.stall = stall
        self.context = context
        self.records: list[TurnRecord] = []
        self.reconnects: list[ReconnectRecord] = []
        self._metrics = RunningMetrics(window)
        self._current = TurnBuilder()
        self._next: TurnBuilder | None = None
        self._pending: tuple[TurnBuilder, float, str | None] | None = None
        self._calls: dict[str, TurnBuilder] = {}
        self._loss: tuple[float, str] | None = None
        self._attempts = 0
        self._wait: tuple[WaitingFor, float, float] | None = None  # kind, origin, armed at
        self._stall_attempts = 0
        self._prompt_tokens = 0
        self._before_loss: int | None = None
        self._check_after_resume: int | None = None

    # ------------------------------------------------------------------ public

    def metrics(self) -> MetricsSnapshot:
        """Counters and latency percentiles so far (see :mod:`.metrics`)."""
        return self._metrics.snapshot()

    @property
    def deadline(self) -> float | None:
        """When :meth:`tick` next has something to do (None: nothing scheduled)."""
        times = []
        if self._pending is not None:
            times.append(self._pending[1] + self.grace)
        if self._wait is not None and self.stall is not None:
            times.append(self._wait[2] + self.stall.timeout)
        return min(times) if times else None

    def tick(self, now: float) -> list[ConversationEvent]:
        """Act on elapsed time: finish a record whose grace ran out, detect a stall."""
        out: list[ConversationEvent] = []
        if self._pending is not None and now >= self._pending[1] + self.grace:
            self._flush(out)
        policy = self.stall
        if self._wait is not None and policy is not None and now >= self._wait[2] + policy.timeout:
            kind, origin, _ = self._wait
            self._stall_attempts += 1
            n = self._stall_attempts
            if policy.action == "notify":
                action = "notify" if n == 1 else "none"
            else:
                action = policy.action if n <= policy.max_attempts else "none"
            self._metrics.stalls += 1
            out.append(Stalled(kind, origin, now - origin, action, n))
            # Acting again later only makes sense if the last action could have helped.
            self._wait = (kind, origin, now) if action in ("nudge", "reconnect") else None
        return out

    def close(self, now: float) -> list[ConversationEvent]:
        """The stream ended: finish the waiting record and an unfinished turn, if any."""
        out: list[ConversationEvent] = []
        self._flush(out)
        for builder in (self._current, self._next):
            if builder is not None and builder.has_content():
                self._emit(builder, now, "session_ended", out)
        self._current, self._next, self._wait = TurnBuilder(), None, None
        return out

    # ------------------------------------------------------------------ server events

    def feed(self, event: ev.Event, now: float) -> list[ConversationEvent]:
        """Account for one event from the session (``session.events()`` or a recording)."""
        out: list[ConversationEvent] = []
        kind = type(event)
        output = _MODEL_OUTPUT.get(kind)
        if output is not None:
            self._flush(out)
            turn = self._current
            if kind is ev.AudioChunk:
                chunk: ev.AudioChunk = event  # type: ignore[assignment]
                turn.audio_seconds += len(chunk.data) / (2 * (chunk.sample_rate or 24_000))
            elif kind is ev.TextDelta:
                turn.model_text.append(event.text)  # type: ignore[union-attr]
            else:
                side = turn.model_transcript
                side.fragments.append(event.text)  # type: ignore[union-attr]
                side.language = event.language_code or side.language  # type: ignore[union-attr]
            turn.model_output(now, output)
            self._model_active()
        elif kind is ev.InputTranscription or kind is ev.InterimInputTranscription:
            self._transcription(event, now)  # type: ignore[arg-type]
        elif kind is ev.TurnComplete:
            self._flush(out)
            self._model_active()
            turn, self._current, self._next = self._current, self._next or TurnBuilder(), None
            reason = event.reason  # type: ignore[union-attr]
            if turn.has_content():
                self._pending = (turn, now, reason)
                if self.grace == 0:
                    self._flush(out)
        elif kind is ev.ToolCall:
            self._flush(out)
            turn = self._current
            for call in event.calls:  # type: ignore[union-attr]
                turn.calls.append(CallState(call.id, call.name, call.args, now))
                if call.id is not None:
                    self._calls[call.id] = turn
            turn.model_output(now, "tool_call")
            self._model_active()
        elif kind is ev.ToolCallCancellation:
            for call_id in event.ids:  # type: ignore[union-attr]
                owner = self._calls.pop(call_id, None)
                for call in owner.calls if owner is not None else ():
                    if call.id == call_id and call.outcome == "pending":
                        call.outcome = "cancelled"
        elif kind is ev.Interrupted:
            self._current.touch(now)
            self._current.interrupted(now)
            self._model_active()
        elif kind in _WAIT_ENDS:
            if kind is ev.GenerationComplete:
                self._current.first.setdefault("generation_complete", now)
            self._model_active()
        elif kind is ev.Usage:
            self._usage(event, out)  # type: ignore[arg-type]
        elif kind is ev.VoiceActivity:
            if event.kind == "ACTIVITY_START":  # type: ignore[union-attr]
                self._user_starts(now, "voice_activity", out)
            elif event.kind == "ACTIVITY_END":  # type: ignore[union-attr]
                self._user_side().input_ended(now, "voice_activity_end")
                self._arm("reply", now, reset=True)
        elif kind is ev.Disconnected:
            if event.will_reconnect:  # type: ignore[union-attr]
                self._connection_lost(now, event.reason or f"code {event.code}")  # type: ignore[union-attr]
            if self._wait is not None:
                # Waiting across a reconnection is the reconnection's business, not a stall.
                self._wait = None
        elif kind is ev.Reconnecting:
            self._attempts += 1
            self._connection_lost(now, event.cause)  # type: ignore[union-attr]
        elif kind is ev.Resumed:
            self._resumed(event, now, out)  # type: ignore[arg-type]
        return out

    def _transcription(
        self, event: ev.InputTranscription | ev.InterimInputTranscription, now: float
    ) -> None:
        pending = self._pending
        current = self._current
        if (
            pending is not None
            and not current.user_boundary
            and current.model_started_at is None
            and self._next is None
        ):
            turn = pending[0]  # late input transcription of the turn that just completed
        elif self._next is None and current.interruption is not None:
            self._next = TurnBuilder()
            turn = self._next
        else:
            turn = self._user_side()
        turn.touch(now)
        side = turn.user
        if isinstance(event, ev.InterimInputTranscription):
            side.interim = event.text
        else:
            side.fragments.append(event.text)
        side.language = event.language_code or side.language

    def _usage(self, usage: ev.Usage, out: list[ConversationEvent]) -> None:
        self._current.usage = usage
        tokens = usage.prompt_tokens
        if tokens <= 0:
            return
        before = self._check_after_resume
        policy = self.context
        if before is not None and policy is not None:
            self._check_after_resume = None
            if before >= policy.min_prompt_tokens and tokens < before * policy.collapse_ratio:
                self._context_lost(ContextLost(before, tokens, "prompt_tokens_collapsed"), out)
        self._prompt_tokens = tokens

    # ------------------------------------------------------------------ reconnection

    def _connection_lost(self, now: float, cause: str) -> None:
        if self._loss is None:
            self._loss = (now, cause)
            self._before_loss = self._prompt_tokens

    def _resumed(self, event: ev.Resumed, now: float, out: list[ConversationEvent]) -> None:
        started, cause = self._loss or (now, "")
        record = ReconnectRecord(
            started_at=started,
            duration=max(0.0, now - started),
            attempts=max(1, self._attempts),
            replayed=event.replayed_count,
            dropped=event.dropped_count,
            resumed_with_handle=event.handle_used is not None,
            fresh_session=event.fresh_session,
            cause=cause,
        )
        before = self._before_loss or 0
        self._loss, self._attempts, self._before_loss = None, 0, None
        self.reconnects.append(record)
        self._metrics.add_reconnect(record)
        turn = self._current
        in_progress = turn.awaiting_reply or turn.model_started_at is not None
        if turn.has_content() or in_progress:
            turn.reconnects.append(record)
        if turn.model_started_at is not None:
            turn.supersede_model_output()
        if in_progress or any(c.outcome == "answered" and c.resumed_at is None for c in turn.calls):
            self._arm("resume", now, reset=False)
        if self.context is not None:
            if event.fresh_session and before > 0:
                self._context_lost(ContextLost(before, None, "fresh_session"), out)
            elif not event.fresh_session:
                self._check_after_resume = before or None

    def _context_lost(self, notice: ContextLost, out: list[ConversationEvent]) -> None:
        self._metrics.context_losses += 1
        out.append(notice)

    # ------------------------------------------------------------------ writer calls

    def audio_sent(self, now: float) -> None:
        """The application sent an audio chunk (same as ``feed_call`` of ``send_audio``)."""
        turn = self._next if self._next is not None else self._current
        if turn.model_started_at is None:
            turn.input_ended(now, "last_audio")

    def feed_call(self, call: RecordedCall, now: float) -> list[ConversationEvent]:
        """Account for one call the application made on the session's writer."""
        method = call.method
        out: list[ConversationEvent] = []
        if method == "send_audio":
            self.audio_sent(now)
        elif method == "send_text":
            turn = self._user_starts(now, "text", out)
            turn.user.typed.append(str(call.args[0]))
            turn.input_ended(now, "text")
            self._arm("reply", now, reset=True)
        elif method == "send_client_content":
            if call.kwargs.get("turn_complete", True):
                turn = self._user_starts(now, "client_content", out)
                turn.user.typed.extend(_user_texts(call.args[0]))
                turn.input_ended(now, "client_content")
                self._arm("reply", now, reset=True)
            elif self._current.model_speaking and self._current.interrupt_cause is None:
                self._current.interrupt_cause = (now, "client_content")
        elif method == "signal_activity_start":
            self._user_starts(now, "activity_start", out)
        elif method in ("signal_activity_end", "send_audio_stream_end"):
            self._user_side().input_ended(now, method.removeprefix("signal_").removeprefix("send_"))
            self._arm("reply", now, reset=True)
        elif method == "send_tool_response":
            self._tool_response(call.args[0], now)
        return out

    def _tool_response(self, responses: Sequence[Any], now: float) -> None:
        silent = True
        for response in responses:
            owner = self._calls.pop(response.id, None) if response.id is not None else None
            candidates = [b for b in (owner, self._pending_builder(), self._current) if b]
            answered = None
            for builder in candidates:
                answered = builder.call_answered(response.id, response.name, response.response, now)
                if answered is not None:
                    if builder is not self._current and builder is not self._pending_builder():
                        # Its turn is already recorded (NON_BLOCKING): the answer shows in the
                        # turn it starts.
                        self._current.calls.append(answered)
                    break
            if response.scheduling != "SILENT":
                silent = False
        self._current.input_ended(now, "tool_response")
        if not silent:
            self._arm("tool_continuation", now, reset=False)

    # ------------------------------------------------------------------ helpers

    def _pending_builder(self) -> TurnBuilder | None:
        return self._pending[0] if self._pending is not None else None

    def _user_side(self) -> TurnBuilder:
        """The turn that gets user input that does not start anything."""
        return self._next if self._next is not None else self._current

    def _user_starts(self, now: float, cause: str, out: list[ConversationEvent]) -> TurnBuilder:
        """User input that starts a turn (or barges into the model's answer)."""
        self._flush(out)
        current = self._current
        if self._next is not None:
            turn = self._next
        elif current.model_started_at is not None or current.interruption is not None:
            if current.model_speaking and current.interrupt_cause is None:
                current.interrupt_cause = (now, cause)
            turn = self._next = TurnBuilder()
        else:
            turn = current
        turn.touch(now)
        turn.user_boundary = True
        return turn

    def _model_active(self) -> None:
        self._wait = None
        self._stall_attempts = 0

    def _arm(self, kind: WaitingFor, now: float, *, reset: bool) -> None:
        if self.stall is None:
            return
        if reset:
            self._stall_attempts = 0
        self._wait = (kind, now, now)

    def _flush(self, out: list[ConversationEvent]) -> None:
        if self._pending is not None:
            turn, ended, reason = self._pending
            self._pending = None
            self._emit(turn, ended, reason, out)

    def _emit(
        self, turn: TurnBuilder, now: float, reason: str | None, out: list[ConversationEvent]
    ) -> None:
        record = turn.finish(len(self.records) + 1, now, reason)
        self.records.append(record)
        self._metrics.add_turn(record)
        out.append(record)


def _user_texts(turns: Sequence[Any]) -> list[str]:
    texts: list[str] = []
    for content in turns:
        role = content.get("role") if isinstance(content, Mapping) else content.role
        if role not in (None, "user"):
            continue
        parts = content.get("parts", ()) if isinstance(content, Mapping) else content.parts
        for part in parts:
            text = part.get("text") if isinstance(part, Mapping) else part.text
            if text:
                texts.append(text)
    return texts

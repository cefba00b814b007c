"""One turn being assembled: fragments in, a :class:`~.records.TurnRecord` out (pure, no clock).

Fragment rules (from how the service really sends them):

* Transcription fragments are joined as sent, then whitespace runs are collapsed and the ends
  stripped: ``" Hello"`` + ``" there"`` and ``"Hello "`` + ``"there"`` both give
  ``"Hello there"``; fragments with no spaces (e.g. Japanese) stay joined.
* ``interimInputTranscription`` replaces the previous interim text (it is not appended); it is
  only used when no final input transcription arrived.
* ``finished`` is not relied on (the service often sends none): a side is final when its turn is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gemini_live.conversation.records import (
    Interruption,
    ReconnectRecord,
    ToolCallRecord,
    TurnLatency,
    TurnRecord,
    Utterance,
)
from gemini_live.protocol.events import Usage

__all__ = ["EXPLICIT_INPUT_ENDS", "CallState", "TurnBuilder", "join_fragments"]

# Client signals that say "the user's input is complete" (the rest are fallbacks).
EXPLICIT_INPUT_ENDS = frozenset({"activity_end", "audio_stream_end", "text", "client_content"})


def join_fragments(fragments: list[str]) -> str:
    """Join transcription fragments as sent, collapse whitespace runs, strip the ends."""
    return " ".join("".join(fragments).split())


@dataclass(slots=True)
class _Side:
    fragments: list[str] = field(default_factory=list)
    interim: str = ""
    typed: list[str] = field(default_factory=list)
    language: str | None = None

    def utterance(self, role: Any) -> Utterance:
        if self.fragments:
            return Utterance(role, join_fragments(self.fragments), "transcription", self.language)
        if self.typed:
            return Utterance(role, join_fragments(self.typed), "text", self.language)
        if self.interim:
            return Utterance(role, join_fragments([self.interim]), "interim", self.language)
        return Utterance(role)


@dataclass(slots=True)
class CallState:
    """One tool call while its turn is assembled (mutable; becomes a ToolCallRecord)."""

    id: str | None
    name: str
    args: dict[str, Any]
    called_at: float
    outcome: str = "pending"
    response: dict[str, Any] | None = None
    answered_at: float | None = None
    resumed_at: float | None = None

    def record(self) -> ToolCallRecord:
        return ToolCallRecord(
            id=self.id,
            name=self.name,
            args=self.args,
            outcome=self.outcome,  # type: ignore[arg-type]
            response=self.response,
            called_at=self.called_at,
            answered_at=self.answered_at,
            round_trip=None if self.answered_at is None else self.answered_at - self.called_at,
            resumed_after=(
                None
                if self.resumed_at is None or self.answered_at is None
                else self.resumed_at - self.answered_at
            ),
        )


class TurnBuilder:
    """Collects one turn. Times are whatever clock the caller passes (never read here)."""

    def __init__(self) -> None:
        self.started_at: float | None = None
        self.user = _Side()
        self.model_transcript = _Side()
        self.model_text: list[str] = []
        self.calls: list[CallState] = []
        self.usage: Usage | None = None
        self.audio_seconds = 0.0
        self.input_end: tuple[float, str] | None = None
        self.fallback_end: tuple[float, str] | None = None
        self.model_started_at: float | None = None
        self.first: dict[str, float] = {}
        self.interruption: Interruption | None = None
        self.interrupt_cause: tuple[float, str] | None = None
        self.reconnects: list[ReconnectRecord] = []
        self.superseded: list[str] = []
        self.user_boundary = False  # the user started this turn (typed, activity, speech start)

    # -- user side ---------------------------------------------------------------------------

    def touch(self, now: float) -> None:
        if self.started_at is None:
            self.started_at = now

    def input_ended(self, now: float, kind: str) -> None:
        """An end-of-input signal; only those before the model's first output count."""
        if self.model_started_at is not None:
            return
        if kind in EXPLICIT_INPUT_ENDS or kind == "tool_response":
            if kind == "tool_response" and self.input_end is not None:
                return  # the user's own end of input wins for the turn's latency
            self.input_end = (now, kind)
        elif (
            kind != "last_audio"
            or self.fallback_end is None
            or (self.fallback_end[1] == "last_audio")
        ):
            # The service's end-of-speech signal beats the last audio chunk: a microphone that
            # keeps streaming (silence included) sends audio until the model starts.
            self.fallback_end = (now, kind)

    @property
    def awaiting_reply(self) -> bool:
        """The user's input is over (not merely: audio was sent, as a live microphone does)."""
        fallback = self.fallback_end
        return self.input_end is not None or (
            fallback is not None and fallback[1] == "voice_activity_end"
        )

    @property
    def end_of_input(self) -> tuple[float, str] | None:
        return self.input_end or self.fallback_end

    # -- model side --------------------------------------------------------------------------

    @property
    def model_speaking(self) -> bool:
        """Output has started and the generation is not over."""
        return (
            self.model_started_at is not None
            and "generation_complete" not in self.first
            and self.interruption is None
        )

    def model_output(self, now: float, kind: str) -> None:
        self.touch(now)
        if self.model_started_at is None:
            self.model_started_at = now
        self.first.setdefault(kind, now)
        for call in self.calls:
            if call.answered_at is not None and call.resumed_at is None:
                call.resumed_at = now

    def model_text_so_far(self) -> str:
        if self.model_transcript.fragments:
            return join_fragments(self.model_transcript.fragments)
        return join_fragments(self.model_text)

    def supersede_model_output(self) -> None:
        """A resume in the middle of the answer: the service gives it again from the start."""
        text = self.model_text_so_far()
        if text:
            self.superseded.append(text)
        self.model_transcript.fragments.clear()
        self.model_text.clear()

    def interrupted(self, now: float) -> None:
        if self.interruption is not None:
            return
        cause_at, cause = self.interrupt_cause or (None, "")
        self.interruption = Interruption(
            at=now,
            text_offset=len(self.model_text_so_far()),
            audio_seconds=self.audio_seconds,
            cause=cause,
            stop_latency=None if cause_at is None else max(0.0, now - cause_at),
        )

    def call_answered(
        self, call_id: str | None, name: str, response: dict[str, Any], now: float
    ) -> CallState | None:
        """Mark the matching call answered; returns it (or None when not in this turn)."""
        for call in self.calls:
            if call.outcome == "pending" and (
                call.id == call_id if call_id is not None else call.name == name
            ):
                call.outcome, call.response, call.answered_at = "answered", response, now
                return call
        return None

    # -- result ------------------------------------------------------------------------------

    def has_content(self) -> bool:
        return self.started_at is not None or bool(self.calls)

    def finish(self, index: int, now: float, reason: str | None) -> TurnRecord:
        end = self.end_of_input
        latency = TurnLatency()
        if end is not None:
            at, kind = end

            def since(key: str) -> float | None:
                value = self.first.get(key)
                return None if value is None or value < at else value - at

            latency = TurnLatency(
                input_end_kind=kind,
                first_audio=since("audio"),
                first_transcription=since("transcription"),
                first_text=since("text"),
                generation_complete=since("generation_complete"),
                turn_complete=max(0.0, now - at),
            )
        model = self.model_transcript.utterance("model")
        if not model.text and self.model_text:
            model = Utterance("model", join_fragments(self.model_text), "text")
        if not model.text and self.superseded:
            # Nothing came again after the resume: what arrived before is all there is.
            model = Utterance("model", self.superseded[-1], "superseded")
        return TurnRecord(
            index=index,
            user=self.user.utterance("user"),
            model=model,
            started_at=self.started_at if self.started_at is not None else now,
            ended_at=now,
            interrupted=self.interruption,
            tool_calls=tuple(call.record() for call in self.calls),
            usage=self.usage,
            latency=latency,
            reconnects=tuple(self.reconnects),
            superseded_text=" | ".join(self.superseded),
            audio_seconds=self.audio_seconds,
            turn_complete_reason=reason,
        )

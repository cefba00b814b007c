"""What the conversation layer reports: turn records and the notices beside them.

All times are seconds on the monotonic clock the records were built with (the event loop's
clock for a live session, the recording's clock for a replayed stream); durations are seconds.
Every type is a frozen slotted dataclass, containers are tuples, so records can be kept, shared
between tasks and compared in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gemini_live.protocol.events import Usage

__all__ = [
    "ContextLost",
    "ConversationEvent",
    "Interruption",
    "ReconnectRecord",
    "Stalled",
    "ToolCallRecord",
    "TurnLatency",
    "TurnRecord",
    "Utterance",
    "WaitingFor",
]

WaitingFor = Literal["reply", "tool_continuation", "resume"]
"""What a stalled session was waiting for: the model's ``reply`` to the user's input, the
model's ``tool_continuation`` after a tool response, or any output after a ``resume`` that
happened in the middle of a turn."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """What one side said in a turn.

    ``text`` is the final text: transcription fragments joined (whitespace runs collapsed to one
    space, so leading-space and no-space fragment styles give the same result), or the text the
    application sent. ``source`` says where it came from: ``"transcription"``, ``"interim"``
    (only provisional transcripts arrived), ``"text"`` (typed input / text output), or ``""``
    when nothing was said. ``language_code`` is the last one the service reported.
    """

    role: Literal["user", "model"]
    text: str = ""
    source: str = ""
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """One function call of a turn and what became of it.

    ``outcome``: ``"answered"`` (a response was written), ``"cancelled"`` (the service cancelled
    it), or ``"unanswered"`` (the turn ended without either). ``response`` is the response the
    application wrote (read-only JSON). ``round_trip`` is call received -> response written;
    ``resumed_after`` is response written -> the model's next output.
    """

    id: str | None
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    outcome: Literal["answered", "cancelled", "unanswered"] = "unanswered"
    response: dict[str, Any] | None = None
    called_at: float = 0.0
    answered_at: float | None = None
    round_trip: float | None = None
    resumed_after: float | None = None


@dataclass(frozen=True, slots=True)
class Interruption:
    """Where the model was cut off: at clock time ``at``, after ``text_offset`` characters of its
    (joined) text and ``audio_seconds`` of its audio had arrived. ``cause`` is what the client
    saw first (``"activity_start"``, ``"client_content"``, ``"text"``, ``"voice_activity"``, or
    ``""`` when only the ``interrupted`` signal was seen); ``stop_latency`` is cause ->
    ``interrupted`` when a cause was seen."""

    at: float
    text_offset: int
    audio_seconds: float
    cause: str = ""
    stop_latency: float | None = None


@dataclass(frozen=True, slots=True)
class ReconnectRecord:
    """One reconnection: from the loss (``Disconnected(will_reconnect=True)``) to ``Resumed``.

    ``attempts`` counts connection attempts; ``replayed``/``dropped`` are the frames the session
    replayed / dropped on the new connection; ``fresh_session`` is True when the service refused
    the handle and a new service-side session started (the context is gone).
    """

    started_at: float
    duration: float
    attempts: int
    replayed: int
    dropped: int
    resumed_with_handle: bool
    fresh_session: bool
    cause: str = ""


@dataclass(frozen=True, slots=True)
class TurnLatency:
    """A turn's latencies, in seconds from the end of the user's input (``input_end_kind`` says
    which signal that was: ``"activity_end"``, ``"audio_stream_end"``, ``"text"``,
    ``"client_content"``, ``"tool_response"``, ``"voice_activity_end"`` or ``"last_audio"``; all
    are ``None`` when no end of input was seen, e.g. a turn the model started on its own)."""

    input_end_kind: str | None = None
    first_audio: float | None = None
    first_transcription: float | None = None
    first_text: float | None = None
    generation_complete: float | None = None
    turn_complete: float | None = None

    @property
    def first_output(self) -> float | None:
        """The earliest of first audio, transcription and text."""
        values = (self.first_audio, self.first_transcription, self.first_text)
        seen = [v for v in values if v is not None]
        return min(seen) if seen else None


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One turn of the conversation: the user's input and the model's answer, as one record.

    ``index`` counts from 1. ``started_at`` is the first sign of the turn (user input or model
    output), ``ended_at`` the ``turnComplete``. ``usage`` is the last usage report that arrived
    during the turn. ``reconnects`` are the reconnections that happened during it; when one
    happened in the middle of the model's answer, ``model.text`` is the answer as given on the
    new connection (the service repeats it) and ``superseded_text`` what had arrived before.
    """

    index: int
    user: Utterance
    model: Utterance
    started_at: float
    ended_at: float
    interrupted: Interruption | None = None
    tool_calls: tuple[ToolCallRecord, ...] = ()
    usage: Usage | None = None
    latency: TurnLatency = field(default_factory=TurnLatency)
    reconnects: tuple[ReconnectRecord, ...] = ()
    superseded_text: str = ""
    audio_seconds: float = 0.0
    turn_complete_reason: str | None = None

    @property
    def was_interrupted(self) -> bool:
        """Whether the model was cut off in this turn (see :attr:`interrupted`)."""
        return self.interrupted is not None

    def lines(self) -> tuple[str, ...]:
        """``"user: ..."`` / ``"model: ..."`` lines (empty sides left out), for plain text."""
        out = [f"{u.role}: {u.text}" for u in (self.user, self.model) if u.text]
        if self.interrupted is not None and out and out[-1].startswith("model:"):
            out[-1] += " [interrupted]"
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Stalled:
    """The model produced nothing for ``waited`` seconds while the session expected it to.

    ``waiting_for`` says what was expected (see :data:`WaitingFor`), ``since`` when the wait
    began, ``action`` what the watchdog did (``"notify"``, ``"nudge"``, ``"reconnect"``, or
    ``"none"`` once its attempts were used up) and ``attempt`` counts stalls of the same wait.
    """

    waiting_for: WaitingFor
    since: float
    waited: float
    action: str
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class ContextLost:
    """After a resume the service no longer seems to hold the conversation.

    ``before``/``after`` are the prompt token counts of the last usage report before the
    reconnection and the first one after it (``after`` is ``None`` when the loss is certain
    without it: the service refused the handle and a fresh session started, ``reason``
    ``"fresh_session"``; else ``reason`` is ``"prompt_tokens_collapsed"``). ``summary_sent`` says
    whether a caller-supplied summary was sent to restore it.
    """

    before: int
    after: int | None
    reason: str
    summary_sent: bool = False


ConversationEvent = TurnRecord | Stalled | ContextLost

"""What the tool runner reports: one event per call outcome, and counters.

Pass ``on_event=`` to :meth:`~gemini_live.tools.Toolbox.serve` to receive the events (called
synchronously in the runner's task; keep it quick, exceptions from it are logged and ignored);
read :meth:`~gemini_live.tools.ToolRunner.statistics` for the counters. Durations are seconds of
``time.perf_counter()`` from the ``ToolCall`` event to the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CancelReason",
    "RejectReason",
    "ToolCallCancelled",
    "ToolCallFailed",
    "ToolCallFinished",
    "ToolCallRejected",
    "ToolCallStarted",
    "ToolCallTimedOut",
    "ToolEvent",
    "ToolStatistics",
]

CancelReason = Literal["service", "fresh_session", "rolled_back", "shutdown", "session_ended"]
"""``service``: a ``toolCallCancellation`` named the call; ``fresh_session``: the session
reconnected without resumption, so the call belongs to a session that no longer exists;
``rolled_back``: the session resumed from a checkpoint taken before the call was issued, so the
service no longer knows the call;
``shutdown``: ``serve()`` was left while the call ran; ``session_ended``: the event stream ended."""

RejectReason = Literal["unknown_function", "invalid_arguments", "duplicate_id"]


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """A call was accepted and its function scheduled."""

    call_id: str | None
    name: str
    args: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """The function returned; its result (``output``, as JSON data) was handed to the writer
    (``partial_results`` streamed results came before it)."""

    call_id: str | None
    name: str
    duration: float
    partial_results: int = 0
    output: Any = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ToolCallFailed:
    """The function raised (or returned something that is not JSON); an error was answered."""

    call_id: str | None
    name: str
    duration: float
    error_type: str
    message: str


@dataclass(frozen=True, slots=True)
class ToolCallTimedOut:
    """The call ran past its deadline; it was cancelled and a timeout error was answered."""

    call_id: str | None
    name: str
    duration: float
    deadline: float


@dataclass(frozen=True, slots=True)
class ToolCallCancelled:
    """The call was cancelled (the function saw ``CancelledError``). Only ``shutdown`` is
    answered (with an error, so the model does not wait forever); the others are not."""

    call_id: str | None
    name: str
    duration: float
    reason: CancelReason


@dataclass(frozen=True, slots=True)
class ToolCallRejected:
    """The call never ran: unknown name, bad arguments (both answered with an error), or an id
    already seen in this session (not answered again)."""

    call_id: str | None
    name: str
    reason: RejectReason
    detail: str


ToolEvent = (
    ToolCallStarted
    | ToolCallFinished
    | ToolCallFailed
    | ToolCallTimedOut
    | ToolCallCancelled
    | ToolCallRejected
)


@dataclass(frozen=True, slots=True)
class ToolStatistics:
    """Counters of one runner since it started.

    ``calls`` counts function calls received (duplicates included); every one ends as exactly
    one of ``succeeded``, ``failed``, ``timed_out``, ``cancelled``, ``rejected`` or is still
    ``running``. ``responses_sent`` counts final responses handed to the writer,
    ``partial_responses_sent`` the ``willContinue`` ones, ``messages_sent`` the
    ``toolResponse`` messages carrying them, ``send_failures`` responses the writer refused
    (the session was closed or broken), ``withdrawn`` responses dropped before they were written
    (their call was cancelled after it finished, or the connection was lost and the session came
    back fresh or from a checkpoint older than the call). ``busy_seconds`` sums the durations
    of finished calls.
    """

    calls: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    timed_out: int = 0
    cancelled: int = 0
    rejected: int = 0
    duplicates: int = 0
    responses_sent: int = 0
    partial_responses_sent: int = 0
    messages_sent: int = 0
    send_failures: int = 0
    withdrawn: int = 0
    busy_seconds: float = 0.0
    max_seconds: float = 0.0

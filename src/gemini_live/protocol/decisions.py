"""What ``LiveProtocol`` decides after a loss, and how failures are described.

Split from :mod:`gemini_live.protocol.live` to keep each file about one thing: these are the
values the driver acts on (:class:`Reconnect`, :class:`Stop`, :class:`Park`) and the pure
translation of an ending into a :class:`~gemini_live.protocol.retry.Failure`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gemini_live.errors import (
    AuthenticationError,
    ClosedBy,
    LiveError,
    SetupRejected,
    SetupTimeout,
)
from gemini_live.protocol import events as ev
from gemini_live.protocol.retry import Failure, FailureKind

__all__ = [
    "Decision",
    "Park",
    "ProtocolCounters",
    "Reconnect",
    "Stop",
    "describe",
    "failure_from_close",
    "failure_of",
]


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Open a new connection after ``delay`` seconds (the driver sleeps, then connects)."""

    delay: float


@dataclass(frozen=True, slots=True)
class Stop:
    """End the session with ``error``; ``event`` is the final ``Disconnected``."""

    error: LiveError
    event: ev.Disconnected


@dataclass(frozen=True, slots=True)
class Park:
    """The application is closing the session: open nothing, wait for the close to finish."""


Decision = Reconnect | Stop | Park


@dataclass(frozen=True, slots=True)
class ProtocolCounters:
    """The protocol object's counters (the driver adds the socket-level ones)."""

    connections: int
    messages_sent: int
    bytes_sent: int
    reconnects: int
    replayed_messages: int
    dropped_stale_media: int
    unconfirmed_messages: int
    resumption_updates: int
    ignored_phase_triggers: int
    dropped_unsent: int
    dropped_lost_answers: int = 0
    evicted_messages: int = 0


def failure_from_close(code: int | None, reason: str, closed_by: ClosedBy) -> Failure:
    if closed_by == "client" and "keepalive" in reason:
        return Failure(FailureKind.KEEPALIVE_TIMEOUT, code, reason, closed_by)
    if closed_by == "client" and code in (1002, 1007):
        # Our side judged a peer frame invalid (bad framing, bad UTF-8): like 1009 by client,
        # a verdict on one frame, not on our request, so a resume may well not repeat it.
        return Failure(FailureKind.PROTOCOL_ERROR, code, reason, closed_by)
    return Failure(FailureKind.CLOSED, code, reason, closed_by)


def failure_of(error: BaseException) -> Failure:
    """The :class:`~gemini_live.protocol.retry.Failure` a failed connection attempt stands for."""
    if isinstance(error, SetupTimeout):
        return Failure(FailureKind.SETUP_TIMEOUT, None, str(error), "client")
    if isinstance(error, SetupRejected):
        return Failure(FailureKind.SETUP_REJECTED, error.code, error.reason, "server")
    if isinstance(error, AuthenticationError):
        return Failure(FailureKind.AUTH_ERROR, error.status, str(error), "server")
    status = getattr(error, "status", None)
    return Failure(FailureKind.CONNECT_ERROR, status, str(error), "network")


def describe(failure: Failure) -> str:
    if failure.code is not None:
        return f"{failure.kind.value} code={failure.code} reason={failure.reason!r}"
    return f"{failure.kind.value}: {failure.reason}"

"""Whether and when to reconnect after a connection ends: a pure, replaceable decision.

:func:`classify` turns a :class:`Failure` into a :class:`Verdict`; a :class:`RetryPolicy` (by
default :class:`ExponentialBackoff`) turns the verdict into a delay or ``None`` (give up). Nothing
here reads the clock or sleeps: the caller passes ``now`` (monotonic seconds) and does the waiting.

Verdicts:

* ``ROTATE``: the routine end of a connection. Resume at once with the latest handle; it does not
  count as a failure.
* ``RETRY``: something went wrong that a new connection may fix. Back off, then reconnect.
* ``FATAL``: reconnecting would repeat the same failure. Stop and report it.

Classification table (the facts behind each row are observed behaviour of the service):

=====================================  ========  ==============================================
Failure                                Verdict   Why
=====================================  ========  ==============================================
CLOSED 1000 (not asked by us)          ROTATE    the routine end of a connection after about
                                                 10 min: 1000 "The operation was cancelled."
CLOSED 1011 "Deadline expired..."      ROTATE    the other routine 10 min close
CLOSED after ``goAway`` (non-FATAL     ROTATE    the server announced the end; it may go quiet
code), KEEPALIVE_TIMEOUT after goAway            before closing
CLOSED 1011 (any other reason)         RETRY     internal error, unavailable; quota
                                                 (``resource_exhausted``/``THROTTLED_CLIENT``)
                                                 is backed off longer, see
                                                 :func:`is_throttled`
CLOSED 1006, 1005, no code             RETRY     no close frame, the TCP connection dropped
CLOSED 1001, 1012, 1013, 1014          RETRY     RFC 6455 registry: going away, service restart,
                                                 try again later, bad gateway; nothing wrong
                                                 with our request
CLOSED 1015                            RETRY     TLS failure: a connect-level problem
CLOSED 1009 by client/network          RETRY     our ``max_size`` refused a server frame; a
                                                 resume may not repeat it (the real fix is a
                                                 larger ``max_size``)
PROTOCOL_ERROR (1002/1007 sent by      RETRY     our side judged one peer frame invalid (bad
the client)                                      framing, bad UTF-8), like 1009 by client: a
                                                 verdict on that frame, not on our request;
                                                 max attempts bound a systematic fault
CLOSED 1007 by server                  FATAL     invalid payload; resending it unchanged loops
                                                 forever
CLOSED 1008                            FATAL     entity not found / not supported; fatal until
                                                 the configuration changes
CLOSED 1002, 1003                      FATAL     RFC 6455: our framing or data type was refused;
                                                 the same frames would be refused again
CLOSED 1009 by server                  FATAL     our frame is over the server's limit; resending
                                                 it would repeat the close
CLOSED 1010                            FATAL     a required extension was not negotiated: a
                                                 configuration mismatch
CLOSED 3000, 3003                      FATAL     IANA registry: Unauthorized / Forbidden
CLOSED any other code                  RETRY     unknown: assume transient; max attempts bound it
KEEPALIVE_TIMEOUT                      RETRY     a local pong timeout (the service's pongs take
                                                 8-30 s), not a server verdict
SETUP_TIMEOUT                          RETRY     no ``setupComplete`` in time
SETUP_REJECTED with a FATAL code       FATAL     a bad setup shows up as a 1007/1008 close
SETUP_REJECTED otherwise               RETRY     never ROTATE: that connection never served
CONNECT_ERROR, no HTTP status          RETRY     DNS/TCP/TLS failure
CONNECT_ERROR 408, 429, 5xx, other     RETRY     timeout, rate limit, server side
CONNECT_ERROR 401, 403                 FATAL     credentials refused
CONNECT_ERROR other 4xx                FATAL     wrong URL or request; it will not change
AUTH_ERROR                             FATAL     401/403 or no credentials at all
RESUMPTION_REFUSED                     RETRY     a setup carrying a handle was refused with
                                                 1007/1008: the handle is unusable; the caller
                                                 drops it and reconnects fresh
=====================================  ========  ==============================================

Who produces which kind: ``LiveProtocol`` turns a close into ``CLOSED``, ``KEEPALIVE_TIMEOUT``
or ``PROTOCOL_ERROR``, a failed attempt into ``SETUP_*``/``CONNECT_ERROR``/``AUTH_ERROR`` and a
refused handle (with ``on_resume_failure="fresh"``) into ``RESUMPTION_REFUSED``.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from gemini_live.errors import ClosedBy

__all__ = [
    "ExponentialBackoff",
    "Failure",
    "FailureKind",
    "Jitter",
    "RetryPolicy",
    "Verdict",
    "classify",
    "is_throttled",
]

Jitter = Literal["full", "equal", "none"]


class FailureKind(enum.Enum):
    """How a connection or an attempt ended (see the module table)."""

    CLOSED = "closed"  # a WebSocket close after setupComplete
    CONNECT_ERROR = "connect_error"  # DNS, TCP, TLS or HTTP upgrade failure
    AUTH_ERROR = "auth_error"  # 401/403, or no credentials found
    SETUP_TIMEOUT = "setup_timeout"  # no setupComplete within the bound
    SETUP_REJECTED = "setup_rejected"  # closed before setupComplete
    KEEPALIVE_TIMEOUT = "keepalive_timeout"  # our pings went unanswered (local)
    PROTOCOL_ERROR = "protocol_error"  # the peer violated the protocol
    RESUMPTION_REFUSED = "resumption_refused"  # a resume with a handle was refused


class Verdict(enum.Enum):
    """What a failure means: reconnect after a backoff, reconnect at once, or stop."""

    RETRY = "retry"
    ROTATE = "rotate"
    FATAL = "fatal"


@dataclass(frozen=True, slots=True)
class Failure:
    """How a connection (attempt) ended.

    ``code`` is the WebSocket close code for ``CLOSED``/``SETUP_REJECTED``/``KEEPALIVE_TIMEOUT``
    and the HTTP status for ``CONNECT_ERROR``/``AUTH_ERROR``; ``None`` when there is none.
    ``closed_by`` is ``"server"`` (a close frame from the peer), ``"client"`` (our library closed)
    or ``"network"`` (no close frame).
    """

    kind: FailureKind
    code: int | None = None
    reason: str = ""
    closed_by: ClosedBy = "network"


# Close codes after which the same request would fail again (see the module table).
_FATAL_CLOSE_CODES = frozenset({1002, 1003, 1007, 1008, 1010, 3000, 3003})
_ROTATE_REASON = "deadline expired"
_THROTTLE_MARKERS = ("resource_exhausted", "throttled_client")


def is_throttled(failure: Failure) -> bool:
    """Whether the failure is quota or rate limiting: worth a longer backoff."""
    if failure.kind in (FailureKind.CONNECT_ERROR, FailureKind.AUTH_ERROR):
        return failure.code == 429
    reason = failure.reason.lower()
    return any(marker in reason for marker in _THROTTLE_MARKERS)


def _close_verdict(failure: Failure) -> Verdict:
    code = failure.code
    if code is None:
        return Verdict.RETRY
    if code in _FATAL_CLOSE_CODES:
        return Verdict.FATAL
    if code == 1009:
        return Verdict.FATAL if failure.closed_by == "server" else Verdict.RETRY
    if code == 1000:
        return Verdict.ROTATE
    if code == 1011 and _ROTATE_REASON in failure.reason.lower():
        return Verdict.ROTATE
    return Verdict.RETRY


def _http_verdict(status: int | None) -> Verdict:
    if status in (401, 403):
        return Verdict.FATAL
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return Verdict.FATAL
    return Verdict.RETRY


def classify(failure: Failure, *, after_go_away: bool = False) -> Verdict:
    """Decide what a failure means; ``after_go_away`` says a ``goAway`` came on that connection.

    See the table in the module docstring for every row and the reason behind it.
    """
    kind = failure.kind
    if kind is FailureKind.CLOSED:
        verdict = _close_verdict(failure)
        if after_go_away and verdict is Verdict.RETRY:
            return Verdict.ROTATE
        return verdict
    if kind is FailureKind.KEEPALIVE_TIMEOUT:
        return Verdict.ROTATE if after_go_away else Verdict.RETRY
    if kind is FailureKind.SETUP_REJECTED:
        # A connection that never completed setup cannot have ended routinely.
        return Verdict.FATAL if _close_verdict(failure) is Verdict.FATAL else Verdict.RETRY
    if kind is FailureKind.AUTH_ERROR:
        return Verdict.FATAL
    if kind is FailureKind.CONNECT_ERROR:
        return _http_verdict(failure.code)
    # SETUP_TIMEOUT, PROTOCOL_ERROR, RESUMPTION_REFUSED
    return Verdict.RETRY


@runtime_checkable
class RetryPolicy(Protocol):
    """Turns verdicts into delays. Implementations are synchronous and never read the clock."""

    @property
    def attempts(self) -> int:
        """Consecutive failed attempts counted so far."""
        ...

    def next_delay(self, failure: Failure, verdict: Verdict, now: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up."""
        ...

    def connected(self, now: float) -> None:
        """A connection completed setup at ``now``."""
        ...

    def reset(self) -> None:
        """Forget every failure (e.g. the application reconnected by hand)."""
        ...


_SHARED_RNG = random.Random()


def _check_seconds(name: str, value: float, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return float(value)


class ExponentialBackoff:
    """Exponential backoff with jitter, a failure budget and a stability reset.

    * The n-th consecutive failure waits ``min(max_delay, initial_delay * multiplier**(n-1))``,
      jittered: ``"equal"`` (default) draws from ``[d/2, d]``, ``"full"`` from ``[0, d]``,
      ``"none"`` uses ``d``. Throttling failures (:func:`is_throttled`) start from at least
      ``min(throttled_min_delay, max_delay)`` before jitter.
    * ``max_attempts`` consecutive failures are allowed; the next one gives up (``None``).
      ``None`` means never give up.
    * The counter restarts only when the connection that just ended had stayed up for at least
      ``stable_after`` seconds (measured from :meth:`connected` to the failure's ``now``), so a
      flapping service that accepts setup and then drops keeps counting.
    * ``ROTATE`` waits ``rotate_delay`` and is not counted, provided the connection completed
      setup and lived ``rotate_min_uptime`` seconds; otherwise it is treated as ``RETRY`` so a
      server that closes right after setup cannot cause a reconnect storm.
    * ``FATAL`` always gives up.
    """

    __slots__ = (
        "_attempts",
        "_connected_at",
        "_initial",
        "_jitter",
        "_max_attempts",
        "_max_delay",
        "_multiplier",
        "_rng",
        "_rotate_delay",
        "_rotate_min_uptime",
        "_stable_after",
        "_throttled_min",
    )

    def __init__(
        self,
        *,
        initial_delay: float = 0.25,
        multiplier: float = 2.0,
        max_delay: float = 10.0,
        jitter: Jitter = "equal",
        max_attempts: int | None = 8,
        stable_after: float = 30.0,
        rotate_delay: float = 0.0,
        rotate_min_uptime: float = 2.0,
        throttled_min_delay: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        self._initial = _check_seconds("initial_delay", initial_delay, positive=True)
        self._multiplier = _check_seconds("multiplier", multiplier)
        if self._multiplier < 1.0:
            raise ValueError(f"multiplier must be >= 1.0, got {multiplier!r}")
        self._max_delay = _check_seconds("max_delay", max_delay)
        if self._max_delay < self._initial:
            raise ValueError(
                f"max_delay ({max_delay!r}) must be >= initial_delay ({initial_delay!r})"
            )
        if jitter not in ("full", "equal", "none"):
            raise ValueError(f"jitter must be 'full', 'equal' or 'none', got {jitter!r}")
        self._jitter: Jitter = jitter
        if max_attempts is not None:
            if isinstance(max_attempts, bool) or not isinstance(max_attempts, int):
                raise TypeError(f"max_attempts must be an int or None, got {max_attempts!r}")
            if max_attempts < 0:
                raise ValueError(f"max_attempts must be >= 0 or None, got {max_attempts!r}")
        self._max_attempts = max_attempts
        self._stable_after = _check_seconds("stable_after", stable_after)
        self._rotate_delay = _check_seconds("rotate_delay", rotate_delay)
        self._rotate_min_uptime = _check_seconds("rotate_min_uptime", rotate_min_uptime)
        self._throttled_min = _check_seconds("throttled_min_delay", throttled_min_delay)
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        # One generator for all sessions by default: a Random's state is 2.5 KB per instance.
        self._rng = rng if rng is not None else _SHARED_RNG
        self._attempts = 0
        self._connected_at: float | None = None

    @property
    def attempts(self) -> int:
        """Consecutive failures counted so far (including one that made the policy give up)."""
        return self._attempts

    def connected(self, now: float) -> None:
        """A connection completed setup at ``now`` (starts the uptime clock)."""
        self._connected_at = now

    def reset(self) -> None:
        """Forget every failure."""
        self._attempts = 0
        self._connected_at = None

    def next_delay(self, failure: Failure, verdict: Verdict, now: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up (see the class)."""
        uptime = None if self._connected_at is None else now - self._connected_at
        # Each failure ends the connection that connected() announced.
        self._connected_at = None
        if verdict is Verdict.FATAL:
            return None
        if uptime is not None and uptime >= self._stable_after:
            self._attempts = 0
        if verdict is Verdict.ROTATE and uptime is not None and uptime >= self._rotate_min_uptime:
            return self._rotate_delay
        self._attempts += 1
        if self._max_attempts is not None and self._attempts > self._max_attempts:
            return None
        base = self._base_delay(self._attempts)
        if is_throttled(failure):
            base = max(base, min(self._throttled_min, self._max_delay))
        return self._jittered(base)

    def _base_delay(self, attempt: int) -> float:
        # Compare in log space: multiplier ** attempt overflows a float for long outages.
        steps = attempt - 1
        if self._multiplier > 1.0:
            ceiling = math.log(self._max_delay / self._initial) / math.log(self._multiplier)
            if steps >= ceiling:
                return self._max_delay
        return min(self._max_delay, self._initial * self._multiplier**steps)

    def _jittered(self, delay: float) -> float:
        if self._jitter == "none":
            return delay
        if self._jitter == "full":
            return self._rng.uniform(0.0, delay)
        half = delay / 2.0
        return half + self._rng.uniform(0.0, half)

    def __repr__(self) -> str:
        return (
            f"ExponentialBackoff(initial_delay={self._initial}, multiplier={self._multiplier}, "
            f"max_delay={self._max_delay}, jitter={self._jitter!r}, "
            f"max_attempts={self._max_attempts}, attempts={self._attempts})"
        )

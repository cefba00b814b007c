"""Tunable limits of a session: every wait is bounded, every buffer has a size.

:class:`Timeouts` groups every duration a user typically tunes; :class:`SessionOptions` holds
the rest (queue sizes, reconnection policy, replay bounds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from gemini_live.client.transport import TransportOptions
from gemini_live.protocol._shared_methods import share_methods
from gemini_live.protocol.live import ResumeFailure
from gemini_live.protocol.resumption import IndexOrigin
from gemini_live.protocol.retry import ExponentialBackoff, RetryPolicy

__all__ = ["SessionOptions", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Every wait of a session that a user typically tunes, in seconds, in one value.

    * ``connect``: TCP connect + TLS + WebSocket upgrade.
    * ``setup``: from sending ``setup`` to ``setupComplete``.
    * ``close``: the close handshake and TCP teardown before the socket is dropped.
    * ``flush``: how long ``disconnect()`` waits for accepted frames to be written.
    * ``ping_interval``: between keepalive pings (``None``: no pings).
    * ``ping_timeout``: a ping unanswered this long, with no other frame either, ends the
      connection (``None``: never). Generous by default: the service's pongs can take 30 s.

    Pass it as ``connect(..., timeouts=Timeouts(setup=30))``; it overrides the same values in
    ``SessionOptions``/``TransportOptions``.
    """

    connect: float = 10.0
    setup: float = 15.0
    close: float = 5.0
    flush: float = 5.0
    ping_interval: float | None = 30.0
    ping_timeout: float | None = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "setup", "close", "flush", "ping_interval", "ping_timeout"):
            value = getattr(self, name)
            if value is None and name.startswith("ping"):
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ValueError(f"Timeouts.{name} must be a number of seconds > 0, got {value!r}")

    def apply(self, options: SessionOptions) -> SessionOptions:
        """``options`` with these timeouts in place of its own."""
        transport = replace(
            options.transport,
            connect_timeout=self.connect,
            close_timeout=self.close,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
        )
        return replace(
            options, transport=transport, setup_timeout=self.setup, flush_timeout=self.flush
        )


def _default_policy() -> RetryPolicy:
    return ExponentialBackoff()


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Limits and policies of one session.

    * ``setup_timeout``: how long to wait for ``setupComplete`` after sending ``setup``.
    * ``send_queue_size``: frames that may wait for the socket (backpressure beyond it).
    * ``flush_timeout``: how long ``disconnect()`` waits for accepted frames to be written.
    * ``event_queue_size``: default per-consumer event queue bound of ``events()``.
    * ``reconnect``: resume on a new connection after a retryable loss (needs resumption).
    * ``retry_policy``: decides delays and when to give up (see ``gemini_live.protocol.retry``).
    * ``max_audio_age``: queued or unconfirmed real-time audio/video older than this (seconds) is
      dropped instead of being flushed as a burst after a reconnect; ``None`` keeps everything.
      The replay buffer (unconfirmed messages, kept while resumption is on) holds raw media
      bytes only for this long (64 KB per session for 2 s of 16 kHz microphone audio), and is
      also bounded by ``replay_max_messages``/``replay_max_bytes``.
    * ``replay_max_messages``/``replay_max_bytes`` (20,000 messages, 32 MiB held): beyond either
      the replay buffer evicts its oldest media first, then its oldest other messages (see
      ``gemini_live.protocol.resumption``). The first eviction on a connection is warned about
      (``SessionWarning``); evicted messages no update confirmed are announced per kind
      (``InputDropped``) before the next replay, and counted (``statistics().evicted_messages``).
    * ``go_away_margin``: after ``goAway``, reconnect at a turn boundary, and at the latest this
      many seconds before ``timeLeft`` runs out.
    * ``on_resume_failure``: ``"fresh"`` starts a new session (and says so with ``Resumed(
      fresh_session=True)``) when the service refuses the handle; ``"fail"`` ends the session with
      ``SessionBroken``.
    * ``replay_index_origin``: how ``lastConsumedClientMessageIndex`` counts (undocumented by the
      service; see ``gemini_live.protocol.resumption``).
    * ``session_limit_warning``: seconds before the known session-duration limits (15 min audio,
      2 min with video, without context compression) at which a ``SessionWarning`` is emitted;
      ``audio_session_limit``/``video_session_limit`` are those limits (seconds).
    * ``max_tracked_calls``: how many tool-call ids (pending, cancelled, issued) are remembered;
      beyond it the oldest are forgotten, so a peer that never stops issuing calls cannot grow
      the session without bound.
    """

    transport: TransportOptions = field(default_factory=TransportOptions)
    setup_timeout: float = 15.0
    send_queue_size: int = 512
    flush_timeout: float = 5.0
    event_queue_size: int = 4096
    reconnect: bool = True
    retry_policy: RetryPolicy = field(default_factory=_default_policy)
    max_audio_age: float | None = 2.0
    go_away_margin: float = 5.0
    on_resume_failure: ResumeFailure = "fresh"
    replay_index_origin: IndexOrigin = "setup_is_0"
    session_limit_warning: float = 60.0
    audio_session_limit: float = 15 * 60.0
    video_session_limit: float = 2 * 60.0
    max_tracked_calls: int = 4096
    replay_max_messages: int = 20_000
    replay_max_bytes: int = 32 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in (
            "setup_timeout",
            "flush_timeout",
            "go_away_margin",
            "session_limit_warning",
            "audio_session_limit",
            "video_session_limit",
        ):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"SessionOptions.{name} must be > 0, got {value!r}")
        for name in ("replay_max_messages", "replay_max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"SessionOptions.{name} must be an int >= 1, got {value!r}")
        if self.send_queue_size < 1 or self.event_queue_size < 1 or self.max_tracked_calls < 1:
            raise ValueError("SessionOptions queue sizes and max_tracked_calls must be >= 1")
        # `not >= 0` also rejects NaN, which would otherwise pass here and make the replay
        # planner raise at the first reconnect (ending the session as an internal error).
        if self.max_audio_age is not None and not self.max_audio_age >= 0:
            raise ValueError(
                f"SessionOptions.max_audio_age must be >= 0 or None, got {self.max_audio_age!r}"
            )
        if self.on_resume_failure not in ("fresh", "fail"):
            raise ValueError("SessionOptions.on_resume_failure must be 'fresh' or 'fail'")
        if self.replay_index_origin not in ("setup_is_0", "first_is_0"):
            raise ValueError(
                "SessionOptions.replay_index_origin must be 'setup_is_0' or 'first_is_0', "
                f"got {self.replay_index_origin!r}"
            )


# One copy of the methods dataclasses compiles per class (see _shared_methods): import-time memory.
share_methods(globals().values(), module=__name__)

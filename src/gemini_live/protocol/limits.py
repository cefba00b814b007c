"""Warnings before the service's session-duration limits (pure: time is a parameter).

Without context window compression the service ends an audio session after about 15 minutes,
and one that carried video after about 2 (``docs/live-api.md`` §10.1); :class:`SessionLimits` says
when to warn, once per limit, and when to look again.
"""

from __future__ import annotations

from gemini_live.protocol.events import SessionWarning

__all__ = ["SessionLimits"]


class SessionLimits:
    """When to warn (``warning`` seconds ahead) before ``audio_limit`` or, once video was
    sent, ``video_limit`` seconds after the first check."""

    def __init__(self, warning: float, audio_limit: float, video_limit: float) -> None:
        self._warning = warning
        self._audio_limit = audio_limit
        self._video_limit = video_limit
        self._started: float | None = None
        self._warned: set[str] = set()

    def check(self, now: float, sent_video: bool) -> tuple[float, SessionWarning | None]:
        """When to check again, and the warning that is due now (if any).

        The first call starts the clock. Sending video shortens the limit, so while no warning
        is due the next check is at most a second away.
        """
        if self._started is None:
            self._started = now
        started = self._started
        if sent_video:
            kind, limit = "audio+video", self._video_limit
        else:
            kind, limit = "audio", self._audio_limit
        warn_at = started + max(0.0, limit - self._warning)
        warning = None
        if now >= warn_at and kind not in self._warned:
            self._warned.add(kind)
            left = max(0.0, started + limit - now)
            warning = SessionWarning(
                f"the {kind} session limit ({limit:g}s without context window compression) "
                f"ends this session in about {left:.0f}s; set "
                "LiveConfig(context_window_compression=ContextWindowCompression()) to lift it"
            )
        if kind in self._warned:
            return now + 1.0, warning
        return now + min(1.0, max(0.01, warn_at - now)), warning

"""What a WebSocket transport is tuned by and reports to (shared by ``transport`` and
``_ws_protocol`` without either importing the other's module for it)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Protocol

from gemini_live.errors import ClosedBy

__all__ = ["CloseInfo", "ClosedBy", "FrameSink", "TransportClosed", "TransportOptions"]



@dataclass(frozen=True, slots=True)
class CloseInfo:
    """How a connection ended.

    ``code`` is 1006 when there was no close frame. ``closed_by`` is ``"client"`` when this side
    started the close (``close()``, ``abort()``, keepalive timeout, oversized or invalid frame),
    ``"server"`` when the peer sent a close frame first, ``"network"`` when the connection dropped
    without a close handshake.
    """

    code: int
    reason: str
    closed_by: ClosedBy


class TransportClosed(Exception):
    """The transport is closing or closed; ``info`` says how it ended.

    Internal to the client layer: the session translates it into the public error tree.
    """

    def __init__(self, info: CloseInfo) -> None:
        super().__init__(
            f"WebSocket closed by {info.closed_by} (code={info.code}, reason={info.reason!r})"
        )
        self.info = info


class FrameSink(Protocol):
    """Receives what a transport reads. Both methods are called from the event loop."""

    def frame_received(self, data: str | bytes) -> None:
        """One complete message: ``str`` for a text frame, ``bytes`` for a binary one.

        Must not raise; if it does, the transport logs it and fails the connection with 1011.
        """

    def connection_lost(self, info: CloseInfo) -> None:
        """The connection ended (called exactly once, after the last ``frame_received``)."""


@dataclass(frozen=True, slots=True)
class TransportOptions:
    """Tuning of one WebSocket connection; all durations in seconds."""

    connect_timeout: float = 10.0
    """Bound on TCP connect + TLS + HTTP upgrade."""
    close_timeout: float = 5.0
    """Bound on the close handshake and TCP teardown before the connection is dropped."""
    ping_interval: float | None = 30.0
    """Seconds between keepalive pings; ``None`` disables them."""
    ping_timeout: float | None = 60.0
    """Close with 1011 when a ping is unanswered this long and no other frame arrived either.
    Generous on purpose: the service's pongs have been measured at 8-30 s.
    ``None`` never times out."""
    max_frame_size: int | None = 16 * 1024 * 1024
    """Largest incoming message; a larger one fails the connection with 1009. ``None``: no limit."""
    write_limit_high: int = 256 * 1024
    """Write-buffer high-water mark (bytes) above which ``drain()`` waits."""
    compression: bool = False
    """Offer permessage-deflate. Off by default: it costs CPU on the hot path for little gain
    on base64 audio."""
    ssl: ssl.SSLContext | None = None
    """TLS context for ``wss://``; the system default context when ``None``."""
    user_agent: str = "gemini-live/0.1"

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "close_timeout", "ping_interval", "ping_timeout"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"TransportOptions.{name} must be > 0 (or None), got {value!r}")
        if self.max_frame_size is not None and self.max_frame_size <= 0:
            raise ValueError(
                f"TransportOptions.max_frame_size must be > 0, got {self.max_frame_size}"
            )
        if self.write_limit_high <= 0:
            raise ValueError(
                f"TransportOptions.write_limit_high must be > 0, got {self.write_limit_high}"
            )



"""Every exception gemini-live raises, in one tree.

::

    LiveError                      base of everything below; catch this to catch all
    ├── ConfigError                bad configuration, found before any connection is opened
    │                              (also a ValueError)
    ├── ConnectError               the WebSocket could not be opened (DNS, TCP, TLS, HTTP
    │   │                          upgrade refused, connect timeout); ``status``: HTTP status
    │   └── AuthenticationError    the upgrade was refused with 401/403, or no credentials found
    ├── SetupRejected              the socket opened but the service closed it before
    │   │                          ``setupComplete``; carries ``code`` and ``reason``
    │   └── SetupTimeout           ``setupComplete`` did not arrive within the setup timeout
    │                              (also a ``LiveTimeout``, so a builtin ``TimeoutError``)
    ├── SessionClosed              you closed it: ``disconnect()`` was called (or the context
    │                              manager exited) and the session is now unusable
    ├── SessionBroken              it broke: the connection ended without you asking and could not
    │                              be recovered; carries ``code``, ``reason``, ``closed_by``
    │                              and ``unconfirmed`` (the messages to re-send elsewhere)
    ├── SendQueueFull              a ``*_nowait`` send found the bounded outbound queue full
    │                              (retry later, or use the awaiting method)
    ├── SubscriberOverflow         an ``events()`` consumer fell so far behind that its bounded
    │                              queue overflowed; raised from that consumer's iterator only,
    │                              the session and other consumers are unaffected
    ├── LiveTimeout                a bounded wait such as ``wait_for_phase`` expired (also a
    │                              builtin ``TimeoutError``); ``SetupTimeout`` is one too
    └── AudioDeviceError           a microphone/speaker could not be used: ``sounddevice`` or the
                                   PortAudio library missing, no such device, or a device that
                                   failed or disappeared mid-stream (``gemini_live.audio``)

The values the errors carry are defined here too, so that this module imports nothing of the
package: ``ClosedBy`` (also the type of ``Disconnected.closed_by``) and ``UnconfirmedMessage``.

What the peer sends that cannot be understood is never raised: it surfaces as a
``ProtocolViolation`` or ``UnknownMessage`` event and the session goes on. (``ProtocolError``,
which was never raised, is deprecated and will be removed.)

Using a session from another event loop or thread raises ``RuntimeError`` (a programming
error, like bad input).

Input validation errors are plain ``TypeError``/``ValueError`` raised synchronously by the send
methods before anything is queued; they are not part of this tree because they are programming
errors, not conditions of the session.

Foreign exceptions (``websockets``, ``OSError``, ``ssl.SSLError``) are translated exactly once, in
``gemini_live.client.transport``; the original is kept as ``__cause__``.

Secrets never appear in any message here: URLs are rendered without query strings and headers are
never included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ClosedBy = Literal["server", "client", "network"]
"""Who ended a connection: the peer's close frame, this library, or neither (no close frame).
The one spelling of it: ``Disconnected.closed_by``, ``SessionBroken.closed_by`` and the
transport's close information all use this type."""

__all__ = [
    "AudioDeviceError",
    "AuthenticationError",
    "ClosedBy",
    "ConfigError",
    "ConnectError",
    "LiveError",
    "LiveTimeout",
    "SendQueueFull",
    "SessionBroken",
    "SessionClosed",
    "SetupRejected",
    "SetupTimeout",
    "SubscriberOverflow",
    "UnconfirmedMessage",
]


class LiveError(Exception):
    """Base class of every gemini-live error."""


class ConfigError(LiveError, ValueError):
    """The configuration is invalid or a combination the service is known to reject."""


class ConnectError(LiveError):
    """The WebSocket connection could not be established.

    ``status`` is the HTTP status of a refused upgrade, or ``None`` for network-level failures.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationError(ConnectError):
    """Credentials are missing, or the service refused them during the upgrade."""


class _CloseInfo(LiveError):
    """Mixin-style base for errors that carry a WebSocket close code and reason."""

    def __init__(self, message: str, *, code: int | None, reason: str = "") -> None:
        detail = f"{message} (code={code}, reason={reason!r})" if code is not None else message
        super().__init__(detail)
        self.code = code
        self.reason = reason


class SetupRejected(_CloseInfo):
    """The service closed the connection (or never answered) before ``setupComplete``.

    ``code`` is the close code (``None`` when the setup wait timed out); ``reason`` is the
    service's close reason text, which usually says what was wrong (e.g. ``"Requested entity was
    not found."`` for an unknown model).
    """


class LiveTimeout(LiveError, TimeoutError):
    """A bounded wait expired (e.g. ``wait_for_phase``, or the setup wait)."""


class SetupTimeout(SetupRejected, LiveTimeout):
    """``setupComplete`` did not arrive in time; the connection was aborted."""


class SessionClosed(LiveError):
    """The session was closed by this process (``disconnect()``); it cannot be used any more."""


@dataclass(frozen=True, slots=True)
class UnconfirmedMessage:
    """A client message the service never confirmed, as it was (or would have been) written.

    Not an event: ``SessionBroken.unconfirmed`` and ``Session.unconfirmed()`` hand these out so
    that an application can re-send them on a new session (``Session.resend``). ``kind`` says
    what was sent (``"audio"``, ``"text"``, ``"tool_response"``, ...); ``frame`` is the encoded
    JSON text frame.
    """

    kind: str
    frame: str


class SessionBroken(_CloseInfo):
    """The connection ended without the application asking for it and was not recovered.

    ``closed_by`` is ``"server"`` when the peer sent a close frame, ``"client"`` when the local
    library closed (e.g. a keepalive timeout or an oversized frame) and ``"network"`` when the
    connection dropped without a close frame (code 1006).

    ``unconfirmed`` holds every message the service had not confirmed when the session broke
    (written but not covered by a resumption handle, or accepted but never written), oldest
    first: re-send them on a new session with ``Session.resend``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None,
        reason: str = "",
        closed_by: ClosedBy = "network",
    ) -> None:
        super().__init__(message, code=code, reason=reason)
        self.closed_by: ClosedBy = closed_by
        self.unconfirmed: tuple[UnconfirmedMessage, ...] = ()


class SendQueueFull(LiveError):
    """A non-waiting send found the bounded outbound queue full."""


class SubscriberOverflow(LiveError):
    """This consumer's event queue overflowed; events after the overflow were not queued for it."""



class AudioDeviceError(LiveError):
    """An audio device could not be opened or failed while streaming (see ``gemini_live.audio``)."""


class _DeprecatedProtocolError(LiveError):
    """Deprecated: never raised (the peer's bad frames surface as ``ProtocolViolation``)."""


def __getattr__(name: str) -> type[LiveError]:
    """Old names that still work for one release, with a ``DeprecationWarning``."""
    if name == "ProtocolError":
        import warnings

        warnings.warn(
            "gemini_live.errors.ProtocolError is deprecated: it was never raised; a frame the "
            "peer gets wrong surfaces as a ProtocolViolation event",
            DeprecationWarning,
            stacklevel=2,
        )
        return _DeprecatedProtocolError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

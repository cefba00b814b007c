"""The WebSocket transport the session runs on, and the one place connection errors are mapped.

:func:`open_websocket` opens a client WebSocket (``ws://`` or ``wss://``) and returns a
:class:`WebSocketTransport` (implemented in ``_ws_protocol``): synchronous ``send``, received
frames delivered by callback to a :class:`FrameSink`, keepalive pings on loop timers.

Every failure to open is translated here, exactly once: DNS/TCP/TLS errors and the connect
timeout become :class:`~gemini_live.errors.ConnectError`, an upgrade refused with 401/403 becomes
:class:`~gemini_live.errors.AuthenticationError`, any other refused upgrade a ``ConnectError``
with ``status``. Messages never contain a URL's query string or any header value.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlsplit

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
from websockets.uri import parse_uri

from gemini_live.client._ws_protocol import (
    ClosedBy,
    CloseInfo,
    TransportClosed,
    WebSocketTransport,
)
from gemini_live.client.transport_types import FrameSink, TransportOptions
from gemini_live.errors import AuthenticationError, ConfigError, ConnectError

if TYPE_CHECKING:
    from websockets.http11 import Response
    from websockets.uri import WebSocketURI

__all__ = [
    "DEFAULT_OPTIONS",
    "CloseInfo",
    "ClosedBy",
    "FrameSink",
    "Transport",
    "TransportClosed",
    "TransportOptions",
    "WebSocketTransport",
    "open_websocket",
    "redact_url",
]

log = logging.getLogger("gemini_live.client")

# RFC 9110 token characters: anything else in a header name could smuggle extra header lines.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
# Headers the WebSocket handshake itself owns; letting callers set them would break the upgrade.
_RESERVED_HEADERS = frozenset(
    {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
     "sec-websocket-extensions", "sec-websocket-protocol", "content-length", "transfer-encoding"}
)  # fmt: skip
_BODY_EXCERPT_CHARS = 300
_MIN_SECRET_LEN = 4


DEFAULT_OPTIONS = TransportOptions()


class Transport(Protocol):
    """What the session needs from a connection. :class:`WebSocketTransport` implements it."""

    def set_sink(self, sink: FrameSink) -> None:
        """Route received frames to ``sink``. Frames (and a loss) that happened before are
        delivered to it in order, from the event loop shortly after this call."""

    def send(self, frame: str) -> None:
        """Write one text frame now. Raises :class:`TransportClosed` when closing or closed."""

    async def drain(self) -> None:
        """Return once writing is not paused: at once while the buffer is under the high-water
        mark, else when it has drained to the low-water mark (a quarter of it). Raises
        :class:`TransportClosed` if the connection ends first. Safe to cancel and to call
        concurrently."""

    @property
    def write_buffer_size(self) -> int:
        """Bytes accepted by ``send`` but not yet handed to the kernel."""

    @property
    def closed(self) -> CloseInfo | None:
        """How the connection ended, or ``None`` while it is open."""

    async def close(self, code: int = 1000, reason: str = "") -> CloseInfo:
        """Close handshake bounded by ``close_timeout``, then drop TCP. Idempotent; safe to
        cancel (the close completes in the background) and to call concurrently."""

    def abort(self) -> None:
        """Drop the TCP connection now (``CloseInfo(1006, "", "client")`` if still open)."""


def redact_url(url: str) -> str:
    """``url`` without user info, query string and fragment: safe to log or put in a message."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<invalid URL>"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    query = "?<redacted>" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{query}"


async def open_websocket(
    url: str, headers: Mapping[str, str], options: TransportOptions = DEFAULT_OPTIONS
) -> WebSocketTransport:
    """Open a client WebSocket to ``url`` sending ``headers`` (as given) with the upgrade.

    Raises :class:`~gemini_live.errors.ConfigError` for a malformed URL or header,
    :class:`~gemini_live.errors.AuthenticationError` when the upgrade is refused with 401/403 and
    :class:`~gemini_live.errors.ConnectError` for every other failure (``status`` set when the
    server answered with HTTP). The whole attempt is bounded by ``options.connect_timeout``.
    Safe to cancel: a half-open connection is dropped.
    """
    where = redact_url(url)
    uri = _parse_url(url, where)
    factories = None
    if options.compression:
        # Imported here: off by default, and the module (with zlib's tables) costs memory in
        # every process that imports gemini_live.
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

        factories = [ClientPerMessageDeflateFactory(client_max_window_bits=True)]
    ws = ClientProtocol(
        uri, extensions=factories, max_size=options.max_frame_size, logger=_QUIET_WS_LOGGER
    )
    request = ws.connect()
    if not any(name.lower() == "user-agent" for name in headers):
        request.headers["User-Agent"] = options.user_agent
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS:
            raise ConfigError(f"HTTP header name {name!r} is invalid or reserved for the upgrade")
        # Checked here rather than by catching websockets' error, whose message quotes the value.
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise ConfigError(f"invalid value for HTTP header {name!r} (line breaks or controls)")
        request.headers[name] = value

    loop = asyncio.get_running_loop()
    proto = WebSocketTransport(ws, request, options, loop)
    del request  # it carries the credentials; the protocol drops its reference once open
    tls = (options.ssl or _default_ssl_context()) if uri.secure else None
    log.debug("connecting to %s (extra headers: %s)", where, ", ".join(headers) or "none")
    try:
        async with asyncio.timeout(options.connect_timeout):
            await loop.create_connection(
                lambda: proto,
                uri.host,
                uri.port,
                ssl=tls,
                server_hostname=uri.host if tls is not None else None,
            )
            await proto.opened
    except InvalidHandshake as exc:
        # Raised outside this block and unchained: the server's response may echo credentials
        # (a body quoting the request), and a chained or implicit __context__ would carry it.
        proto.abort()
        refused = _map_handshake_error(exc, where, _secrets_of(url, headers))
    except BaseException as exc:
        proto.abort()
        mapped = _map_network_error(exc, where, options, secure=uri.secure)
        if mapped is None:
            raise
        raise mapped from exc
    else:
        log.debug("connected to %s", where)
        return proto
    raise refused


def _parse_url(url: str, where: str) -> WebSocketURI:
    try:
        return parse_uri(url)
    except InvalidURI:
        pass
    # Raised outside the except block: InvalidURI's message repeats the whole URL, query string
    # included, and would otherwise survive as __context__.
    raise ConfigError(f"invalid WebSocket URL {where!r}: expected ws:// or wss://")


def _map_network_error(
    exc: BaseException, where: str, options: TransportOptions, *, secure: bool = False
) -> Exception | None:
    """DNS/TCP/TLS failures and the timeout; ``None`` for anything else (re-raised as is)."""
    # Some errors (a reset connection) have an empty message: name the error instead.
    detail = str(exc) or type(exc).__name__
    # A server without TLS answers a TLS ClientHello with an HTTP error and hangs up: the
    # client sees a reset or an SSL error with nothing that says why.
    hint = (
        " (a server without TLS needs ws://, not wss://)"
        if secure and isinstance(exc, ssl.SSLError | ConnectionResetError | EOFError)
        else ""
    )
    # TimeoutError first: it is also an OSError.
    if isinstance(exc, TimeoutError):
        return ConnectError(f"timed out after {options.connect_timeout:g}s connecting to {where}")
    if isinstance(exc, ssl.SSLError):
        return ConnectError(f"TLS handshake with {where} failed: {detail}{hint}")
    if isinstance(exc, OSError):  # DNS, refused, reset, unreachable; lost during the upgrade
        return ConnectError(f"could not connect to {where}: {detail}{hint}")
    return None


def _map_handshake_error(exc: InvalidHandshake, where: str, secrets: list[str]) -> ConnectError:
    """A refused or malformed HTTP upgrade; the message carries the status and body excerpt."""
    if isinstance(exc, InvalidStatus):
        response = exc.response
        status = response.status_code
        message = f"WebSocket upgrade to {where} refused: HTTP {status} {response.reason_phrase}"
        excerpt = _body_excerpt(response, secrets)
        if excerpt:
            message += f": {excerpt}"
        if status in (401, 403):
            return AuthenticationError(message, status=status)
        return ConnectError(message, status=status)
    detail = _scrub(f"{type(exc).__name__}: {exc}", secrets)
    return ConnectError(f"WebSocket upgrade to {where} failed: {detail}")


def _body_excerpt(response: Response, secrets: list[str]) -> str:
    # The service explains a refused upgrade in a JSON body; a short excerpt is the useful part.
    text = bytes(response.body).decode("utf-8", errors="replace")
    text = " ".join(text.split())
    if len(text) > _BODY_EXCERPT_CHARS:
        text = text[:_BODY_EXCERPT_CHARS] + "..."
    return _scrub(text, secrets)


def _secrets_of(url: str, headers: Mapping[str, str]) -> list[str]:
    """Values that must never be echoed back: header values, their credential part (after
    ``Bearer ``/``Token ``), query values and user info."""
    found: list[str] = []
    for value in headers.values():
        found.append(value)
        _scheme, _, credential = value.partition(" ")
        if credential:
            found.append(credential)
    try:
        parts = urlsplit(url)
        found.extend(value for _, value in parse_qsl(parts.query))
        found.extend(item for item in (parts.username, parts.password) if item)
        found.append(parts.query)
    except ValueError:
        pass
    # Longest first so a value is replaced whole before any of its substrings.
    return sorted({s for s in found if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<redacted>")
    return text


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    # Built once: loading the system trust store costs milliseconds on every reconnect otherwise.
    return ssl.create_default_context()


class _NoDebugAdapter(logging.LoggerAdapter[logging.Logger]):
    """Logger for the websockets core with DEBUG forced off.

    At DEBUG the core logs every handshake header (our API key or bearer token) and every frame
    (a cost on the hot path), so it must stay off whatever the application's logging config is.
    """

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_QUIET_WS_LOGGER = _NoDebugAdapter(logging.getLogger("websockets.client"), {})


if TYPE_CHECKING:

    def _conforms(transport: WebSocketTransport) -> Transport:
        return transport  # mypy proves WebSocketTransport satisfies Transport

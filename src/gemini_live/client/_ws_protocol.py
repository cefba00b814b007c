"""The asyncio glue that drives websockets' sans-I/O client core.

Why not websockets' own asyncio client: every ``send()`` there is a coroutine that takes a lock
and may switch tasks, and every received message goes through a queue and a reader task before
the application sees it. For a Live session that sends a 20 ms audio chunk 50 times a second and
receives audio frames at a similar rate, that overhead dominates. Here:

* sending is synchronous: the frame is built and handed to the asyncio transport immediately,
  and backpressure is reported through ``pause_writing``/``resume_writing`` and ``drain()``;
* receiving is a callback: the kernel writes into the connection's own buffer
  (``asyncio.BufferedProtocol``, see :mod:`gemini_live.client._ws_reader`) and each complete
  message goes straight to the sink, with no queue and no task;
* keepalive uses ``loop.call_later`` timers, not tasks.

The core (``websockets.client.ClientProtocol``) owns the handshake, masking of control frames,
answering pings, close handshakes, fragmented messages and every error, so the RFC 6455 details
are not re-invented. The one thing done here is the common case of reading: a complete,
unfragmented, unmasked text or binary frame within ``max_frame_size`` is cut out of the buffer
directly (about 2 us instead of 10 through the core's generator-based parser and ``Frame``
objects; the service sends dozens a second). Pings and pongs are handed to the core frame by
frame; any other frame (close, fragment, reserved bits, bad opcode, masked, too big) and
everything after it goes to the core, which then handles the rest of the connection exactly as
before. The core is only ever given whole frames, so its parser stays at a frame boundary.
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from websockets.frames import BINARY, CONT, EXTERNAL_CLOSE_CODES, PONG, TEXT, Frame
from websockets.protocol import CONNECTING, OPEN

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - the C extension ships in every websockets wheel
    from websockets.utils import apply_mask

from gemini_live.client._ws_reader import ReadBuffer
from gemini_live.client.transport_types import ClosedBy, CloseInfo, TransportClosed

if TYPE_CHECKING:
    from websockets.client import ClientProtocol
    from websockets.http11 import Request

    from gemini_live.client.transport_types import FrameSink, TransportOptions

__all__ = ["CloseInfo", "ClosedBy", "TransportClosed", "WebSocketTransport"]

log = logging.getLogger("gemini_live.client")

AnyLoop = asyncio.AbstractEventLoop

# Header layouts of a masked, final TEXT frame for the three payload-length encodings.
_HEAD_7 = struct.Struct("!BB4s").pack
_HEAD_16 = struct.Struct("!BBH4s").pack
_HEAD_64 = struct.Struct("!BBQ4s").pack
_FIN_TEXT = 0x81
_MASKED = 0x80
_urandom = os.urandom
# Frame masks come from os.urandom (RFC 6455 5.3: a strong source of entropy), fetched for 128
# frames at a time per connection instead of one system call per frame.
_MASK_POOL = 512

# A close reason must fit a control frame (125 bytes) together with the 2-byte code.
_MAX_REASON_BYTES = 123


def _not_connected(data: bytes) -> None:
    raise RuntimeError("the WebSocket is not connected yet")


class WebSocketTransport(asyncio.BufferedProtocol):
    """One client WebSocket connection; created by ``open_websocket``.

    The asyncio ``BufferedProtocol`` callbacks (``connection_made``, ``buffer_updated``...) are
    called by the event loop only. Everything the sink receives is delivered from event-loop
    callbacks, never from inside a method of this class called by the application, so a sink may
    call back into the transport (``send``, ``close``) without re-entrancy surprises.
    """

    __slots__ = (
        "_buffer", "_close_timer", "_closed", "_drain_waiters", "_fast_receive", "_fast_send",
        "_flush_scheduled", "_fragments", "_fragments_text", "_heard_since_ping", "_live_sink",
        "_loop", "_loss_reported", "_mask_pool", "_mask_position", "_max_size", "_opening",
        "_options", "_paused", "_pending", "_ping_payload", "_ping_timer", "_pong_timer",
        "_request", "_response_read", "_sink", "_tcp_lost", "_transport", "_write", "_ws",
        "opened",
    )  # fmt: skip

    def __init__(
        self, ws: ClientProtocol, request: Request, options: TransportOptions, loop: AnyLoop
    ) -> None:
        self._ws = ws
        self._request: Request | None = request
        self._options = options
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._write: Callable[[bytes], None] = _not_connected
        # Awaited by open_websocket: resolved on a successful upgrade, else the core's error.
        self.opened: asyncio.Future[None] = loop.create_future()
        self._opening = True
        self._fast_send = False
        self._mask_pool = b""
        self._mask_position = _MASK_POOL
        # Receiving: frames are cut out of _buffer here while _fast_receive holds; once false,
        # every byte goes to the core (see the module docstring).
        self._buffer = ReadBuffer()
        self._fast_receive = False
        self._response_read = False  # the core has the whole HTTP response head
        self._max_size = options.max_frame_size
        self._tcp_lost: asyncio.Future[None] = loop.create_future()
        self._closed: CloseInfo | None = None
        self._close_timer: asyncio.TimerHandle | None = None
        # Sink handling: frames are buffered in _pending until set_sink()'s flush has run; from
        # then on _live_sink is called directly from data_received.
        self._sink: FrameSink | None = None
        self._live_sink: FrameSink | None = None
        self._pending: list[str | bytes] = []
        self._flush_scheduled = False
        self._loss_reported = False
        self._fragments: list[bytes] | None = None
        self._fragments_text = False
        self._paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._ping_timer: asyncio.TimerHandle | None = None
        self._pong_timer: asyncio.TimerHandle | None = None
        self._ping_payload: bytes | None = None
        self._heard_since_ping = False

    def __repr__(self) -> str:
        uri = self._ws.uri
        scheme = "wss" if uri.secure else "ws"
        state = "open" if self._closed is None else f"closed {self._closed.code}"
        return f"<WebSocketTransport {scheme}://{uri.host}:{uri.port}{uri.path} {state}>"

    # -- application API (see transport.Transport for the contract) ----------------------------

    def set_sink(self, sink: FrameSink) -> None:
        self._sink = sink
        if self._live_sink is not None:
            self._live_sink = sink
        elif not self._flush_scheduled:
            # Deliver the backlog from the loop, not from inside this call; until the flush runs,
            # new frames keep going to the backlog so the order is preserved.
            self._flush_scheduled = True
            self._loop.call_soon(self._flush_pending)

    def send(self, frame: str) -> None:
        if self._closed is not None:
            raise TransportClosed(self._closed)
        payload = frame.encode()
        if self._fast_send:
            # Hot path: build the masked frame here instead of going through the core's Frame
            # object, BytesIO and extension loop (about 2.5x cheaper per message). Valid only
            # without extensions; the core keeps no state about outgoing data frames.
            n = len(payload)
            position = self._mask_position
            if position >= _MASK_POOL:
                self._mask_pool = _urandom(_MASK_POOL)
                position = 0
            self._mask_position = position + 4
            mask = self._mask_pool[position : position + 4]
            if n < 126:
                head = _HEAD_7(_FIN_TEXT, _MASKED | n, mask)
            elif n < 65536:
                head = _HEAD_16(_FIN_TEXT, _MASKED | 126, n, mask)
            else:
                head = _HEAD_64(_FIN_TEXT, _MASKED | 127, n, mask)
            self._write(head + apply_mask(payload, mask))
        else:
            self._ws.send_text(payload)
            self._flush()

    async def drain(self) -> None:
        while True:
            if self._closed is not None:
                raise TransportClosed(self._closed)
            if not self._paused:
                return
            # One future per waiter: cancelling one caller must not cancel the others.
            waiter = self._loop.create_future()
            self._drain_waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._drain_waiters:
                    self._drain_waiters.remove(waiter)

    @property
    def write_buffer_size(self) -> int:
        transport = self._transport
        if transport is None or self._tcp_lost.done():
            return 0
        return transport.get_write_buffer_size()

    @property
    def closed(self) -> CloseInfo | None:
        return self._closed

    async def close(self, code: int = 1000, reason: str = "") -> CloseInfo:
        """Close handshake, bounded by ``close_timeout``. Idempotent; safe to cancel (the close
        then completes in the background) and to call concurrently."""
        if self._closed is None:
            if not (code in EXTERNAL_CLOSE_CODES or 3000 <= code <= 4999):
                raise ValueError(
                    f"close code must be 1000-1003, 1007-1014 or 3000-4999, not {code}"
                )
            reason = _fit_reason(reason)
            if self._ws.state is OPEN:
                self._ws.send_close(code, reason)
                self._flush()
            self._finalize(CloseInfo(code, reason, "client"))
        await asyncio.shield(self._tcp_lost)
        info = self._closed
        assert info is not None
        return info

    def abort(self) -> None:
        if self._closed is None:
            self._finalize(CloseInfo(1006, "", "client"))
        if not self.opened.done():
            self.opened.cancel()
        if self._transport is not None and not self._tcp_lost.done():
            self._transport.abort()

    # -- asyncio.Protocol callbacks ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = tr = cast("asyncio.Transport", transport)
        self._write = tr.write
        tr.set_write_buffer_limits(high=self._options.write_limit_high)
        assert self._request is not None
        self._ws.send_request(self._request)
        self._flush()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer.free_space()

    def buffer_updated(self, nbytes: int) -> None:
        buffer = self._buffer
        buffer.end += nbytes
        if self._fast_receive:
            self._scan_frames()
        elif self._opening and not self._response_read:
            self._read_upgrade()
        else:
            self._feed_core(buffer.take())

    def _scan_frames(self) -> None:
        """Deliver the complete frames at the start of the buffer (see the module docstring)."""
        buffer = self._buffer
        data = buffer.data
        position = buffer.start
        end = buffer.end
        max_size = self._max_size
        heard = False  # any frame proves the peer alive (see _on_frames)
        for_core = False
        buffer.need = 0
        while end - position >= 2:
            first = data[position]
            length = data[position + 1]  # with the mask bit set it is > 127: not for us
            if length < 126:
                header = 2
            elif length == 126:
                if end - position < 4:
                    break
                length = (data[position + 2] << 8) | data[position + 3]
                header = 4
            elif length == 127:
                if end - position < 10:
                    break
                length = int.from_bytes(data[position + 2 : position + 10], "big")
                header = 10
            else:
                for_core = True  # a masked frame: the core fails the connection (1002)
                break
            if first in (0x81, 0x82):  # FIN + text or binary, no reserved bits
                if max_size is not None and length > max_size:
                    for_core = True  # the core fails it with 1009
                    break
                stop = position + header + length
                if stop > end:
                    buffer.need = header + length
                    break
                heard = True
                self._deliver(buffer.view[position + header : stop], first == _FIN_TEXT)
                position = stop
            elif first in (0x89, 0x8A) and header == 2:  # FIN + ping or pong
                stop = position + 2 + length
                if stop > end:
                    break
                heard = True
                self._feed_core(bytes(buffer.view[position:stop]))
                position = stop
            else:
                for_core = True
                break
            if self._closed is not None:
                # Closed meanwhile (a sink failure, the sink closing): drop the rest, as the
                # core path does.
                buffer.consumed(end)
                return
        if heard:
            self._heard_since_ping = True
        buffer.consumed(position)
        if for_core:
            self._fast_receive = False
            self._feed_core(buffer.take())

    def _read_upgrade(self) -> None:
        """During the upgrade: give the core the HTTP response and nothing after it, so that
        its frame parser starts at the first frame, which is then read here."""
        buffer = self._buffer
        cut = buffer.data.find(b"\r\n\r\n", buffer.start, buffer.end)
        if cut < 0:
            if buffer.end - buffer.start > 64 * 1024:
                # No end of headers in sight: the core judges it (and reads the whole
                # connection from here, as this side no longer knows where frames start).
                self._response_read = True
                self._feed_core(buffer.take())
            return
        response = bytes(buffer.view[buffer.start : cut + 4])
        buffer.consumed(cut + 4)
        self._response_read = True
        self._feed_core(response)
        # Opened by exactly the response: the core's parser is at the first frame.
        self._fast_receive = not self._opening and not self._ws.extensions
        if self._fast_receive:
            if buffer.end > buffer.start:
                self._scan_frames()
        elif buffer.end > buffer.start:
            # A refusal (its body follows) or a connection with extensions: the core reads on.
            self._feed_core(buffer.take())

    def _feed_core(self, data: bytes) -> None:
        ws = self._ws
        ws.receive_data(data)
        # Flush first: the core may have queued a pong or the echo of a close frame.
        writes = ws.data_to_send()
        if writes:
            self._write_all(writes)
        events = ws.events_received()
        if self._opening:
            if not self._check_opened():
                return
            events = [event for event in events if isinstance(event, Frame)]
        if events and self._closed is None:
            self._on_frames(cast("list[Frame]", events))
        if self._closed is None and ws.state is not OPEN:
            self._on_core_closed()

    def eof_received(self) -> bool | None:
        if self._buffer.end > self._buffer.start:
            # A partial frame or response: the core sees the same truncated stream as before.
            self._ws.receive_data(self._buffer.take())
        self._ws.receive_eof()
        self._flush()
        if self._opening:
            self._check_opened()
        elif self._closed is None:
            self._on_core_closed()
        return None  # let asyncio close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        if not self._tcp_lost.done():
            self._tcp_lost.set_result(None)
        if self._opening and not self.opened.done():
            lost = ConnectionError("connection lost during the WebSocket upgrade")
            lost.__cause__ = exc
            self.opened.set_exception(lost)
        if self._closed is None:
            self._finalize(CloseInfo(1006, "", "network"))
        elif exc is not None:
            log.debug("TCP connection lost after close: %r", exc)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake_drainers()

    # -- receiving -----------------------------------------------------------------------------

    def _check_opened(self) -> bool:
        """Settle ``opened`` once the core has judged the upgrade response; True if open."""
        ws = self._ws
        if ws.handshake_exc is not None:
            if not self.opened.done():
                self.opened.set_exception(ws.handshake_exc)
            return False
        if ws.state is CONNECTING:
            return False
        self._opening = False
        self._fast_send = not ws.extensions
        self._request = None  # it holds the credentials: do not keep them for the whole session
        if self._options.ping_interval is not None:
            self._ping_timer = self._loop.call_later(self._options.ping_interval, self._on_ping)
        if not self.opened.done():
            self.opened.set_result(None)
        return True

    def _on_frames(self, frames: list[Frame]) -> None:
        # Any frame proves the peer is alive: the service's pongs have been measured at 8-30 s
        # while it keeps streaming, so a late pong alone must not kill us.
        self._heard_since_ping = True
        for frame in frames:
            opcode = frame.opcode
            if opcode is TEXT or opcode is BINARY:
                if frame.fin:
                    self._deliver(frame.data, opcode is TEXT)
                else:
                    self._fragments = [bytes(frame.data)]
                    self._fragments_text = opcode is TEXT
            elif opcode is CONT:
                # The core has checked the continuation is legal and within max_size.
                fragments = self._fragments
                assert fragments is not None
                fragments.append(bytes(frame.data))
                if frame.fin:
                    self._fragments = None
                    self._deliver(b"".join(fragments), self._fragments_text)
            elif opcode is PONG and frame.data == self._ping_payload:
                self._on_pong()
            # PING is answered by the core; CLOSE is handled by the caller from the core's state.
            if self._closed is not None:
                return  # a sink failure closed us: drop the rest of the batch

    def _deliver(self, data: bytes | bytearray | memoryview, text: bool) -> None:
        message: str | bytes
        if text:
            try:
                message = str(data, "utf-8")
            except UnicodeDecodeError:
                # Handed on as bytes: the decoder reports undecodable bytes as a
                # ProtocolViolation event, exactly as for a binary frame, and the session goes
                # on (one bad frame is not worth the session).
                message = bytes(data)
        else:
            message = bytes(data)
        sink = self._live_sink
        if sink is None:
            self._pending.append(message)
            return
        try:
            sink.frame_received(message)
        except Exception:
            log.exception("FrameSink.frame_received raised; failing the connection with 1011")
            self._fail(1011, "internal error")

    def _flush_pending(self) -> None:
        sink = self._sink
        assert sink is not None
        pending, self._pending = self._pending, []
        for message in pending:
            try:
                sink.frame_received(message)
            except Exception:
                log.exception("FrameSink.frame_received raised; failing the connection with 1011")
                self._fail(1011, "internal error")
                break
        self._live_sink = self._sink
        if self._closed is not None:
            self._report_loss()

    def _on_core_closed(self) -> None:
        """The core left OPEN by itself: a close frame arrived, it failed, or EOF was read."""
        ws = self._ws
        received, sent = ws.close_rcvd, ws.close_sent
        if received is not None and ws.close_rcvd_then_sent is not False:
            info = CloseInfo(received.code, received.reason, "server")
        elif sent is not None:
            # The core failed the connection: frame over max_size (1009), bad UTF-8 (1007),
            # protocol violation (1002).
            log.warning("closing the WebSocket: %d %s", sent.code, sent.reason)
            info = CloseInfo(sent.code, sent.reason, "client")
        else:
            info = CloseInfo(1006, "", "network")
        self._finalize(info)

    # -- keepalive -----------------------------------------------------------------------------

    def _on_ping(self) -> None:
        options = self._options
        assert options.ping_interval is not None
        self._ping_timer = self._loop.call_later(options.ping_interval, self._on_ping)
        # One ping in flight at a time: the timeout measures the oldest unanswered one.
        if self._ping_payload is not None or self._ws.state is not OPEN:
            return
        self._ping_payload = payload = _urandom(4)
        self._heard_since_ping = False
        self._ws.send_ping(payload)
        self._flush()
        if options.ping_timeout is not None:
            self._pong_timer = self._loop.call_later(options.ping_timeout, self._on_pong_timeout)

    def _on_pong(self) -> None:
        self._ping_payload = None
        if self._pong_timer is not None:
            self._pong_timer.cancel()
            self._pong_timer = None

    def _on_pong_timeout(self) -> None:
        self._pong_timer = None
        if self._heard_since_ping:
            # Frames kept coming: the connection is alive, only the pong is late. Forget this
            # ping; the next interval sends a new one and measures again.
            self._ping_payload = None
            return
        log.warning("no pong within %gs; closing the connection", self._options.ping_timeout)
        self._fail(1011, "keepalive ping timeout")

    # -- closing -------------------------------------------------------------------------------

    def _fail(self, code: int, reason: str) -> None:
        """Close from this side because of a local decision; the outcome is final at once."""
        if self._closed is not None:
            return
        if self._ws.state is OPEN:
            self._ws.fail(code, reason)  # sends the close frame and stops parsing input
            self._flush()
        self._finalize(CloseInfo(code, reason, "client"))

    def _finalize(self, info: CloseInfo) -> None:
        """Record the outcome once; from here on nothing more is sent or delivered.

        The outcome is known as soon as one side has sent a close frame (or the TCP connection
        is gone), so it is reported right away; the TCP teardown that follows is bounded by
        ``close_timeout`` and does not delay the sink.
        """
        self._closed = info
        self._fragments = None
        for timer in (self._ping_timer, self._pong_timer):
            if timer is not None:
                timer.cancel()
        self._ping_timer = self._pong_timer = None
        self._wake_drainers()
        if not self._tcp_lost.done() and self._transport is not None and self._close_timer is None:
            self._close_timer = self._loop.call_later(
                self._options.close_timeout, self._on_close_timeout
            )
        if self._live_sink is not None:
            self._loop.call_soon(self._report_loss)

    def _report_loss(self) -> None:
        if self._loss_reported or self._closed is None or self._sink is None:
            return
        self._loss_reported = True
        try:
            self._sink.connection_lost(self._closed)
        except Exception:
            log.exception("FrameSink.connection_lost raised")

    def _on_close_timeout(self) -> None:
        # As a client we wait for the server to close TCP first (RFC 6455 7.1.1), but not forever.
        self._close_timer = None
        if self._transport is not None and not self._tcp_lost.done():
            log.debug("peer did not close the TCP connection in time; aborting")
            self._transport.abort()

    # -- plumbing ------------------------------------------------------------------------------

    def _flush(self) -> None:
        writes = self._ws.data_to_send()
        if writes:
            self._write_all(writes)

    def _write_all(self, writes: list[bytes]) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        for data in writes:
            if data:
                transport.write(data)
            elif transport.can_write_eof():
                # The core's end-of-stream marker. TLS cannot half-close; the close timer or the
                # peer ends that connection instead.
                transport.write_eof()

    def _wake_drainers(self) -> None:
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._drain_waiters.clear()


def _fit_reason(reason: str) -> str:
    """Truncate ``reason`` on a character boundary so the close frame stays a control frame."""
    encoded = reason.encode()
    if len(encoded) <= _MAX_REASON_BYTES:
        return reason
    return encoded[:_MAX_REASON_BYTES].decode(errors="ignore")

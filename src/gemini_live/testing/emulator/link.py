"""One emulated connection's transport side: sending, recording, counting, and firing faults."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import Event, State

from . import frames
from .faults import Fault, FaultPlan, Moment
from .recorder import Recorder
from .wire import dumps

__all__ = ["EmulatorConnection", "Link", "LinkClosed"]

logger = logging.getLogger("gemini_live.testing")

_PONG_OPCODE = 0x0A
_DATA_OPCODES = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


class LinkClosed(Exception):
    """The connection was closed or aborted by the emulator; stop working on it."""


class EmulatorConnection(ServerConnection):
    """A ``ServerConnection`` that can answer pings late (the ``slow_pongs`` fault) and carries
    what the handshake found (``route``, ``credential``)."""

    pong_delay: float = 0.0
    route: Any = None
    credential: str = ""
    # Set once the emulator closes the connection: nobody consumes messages any more.
    discard_messages: bool = False

    def process_event(self, event: Event) -> None:
        if self.discard_messages and isinstance(event, Frame) and event.opcode in _DATA_OPCODES:
            # Queuing them would fill websockets' receive queue and pause reading (max_queue),
            # leaving the client's answering close frame unread until the close timeout.
            return
        super().process_event(event)

    def send_data(self) -> None:
        if self.pong_delay <= 0.0:
            super().send_data()
            return
        for data in self.protocol.data_to_send():
            if data and (data[0] & 0x0F) == _PONG_OPCODE:
                # Each entry is one serialised frame; pongs are the ones with opcode 0xA.
                self.loop.call_later(self.pong_delay, self._late_write, data)
            elif data:
                self.transport.write(data)
            elif self.transport.can_write_eof():
                try:
                    self.transport.write_eof()
                except Exception:  # pragma: no cover - mirrors websockets' own tolerance
                    pass
            else:  # pragma: no cover - TLS transports cannot half-close
                self.transport.close()

    def _late_write(self, data: bytes) -> None:
        if self.protocol.state is State.OPEN and not self.transport.is_closing():
            self.transport.write(data)


class Link:
    """Serialises frames to one client, records them, counts them and fires due faults.

    Frames injected by faults bypass counting (so faults cannot trigger each other).
    """

    def __init__(
        self,
        ws: ServerConnection,
        conn_id: int,
        faults: tuple[Fault, ...],
        plan: FaultPlan,
        recorder: Recorder | None,
        on_frame_out: Callable[[], None],
        on_close: Callable[[int], None],
    ) -> None:
        self.ws = ws
        self.conn_id = conn_id
        self.faults = faults
        self._plan = plan
        self._recorder = recorder
        self._on_frame_out = on_frame_out
        self._on_close = on_close
        self._fired: set[int] = set()
        self._lock = asyncio.Lock()
        self.frames_sent = 0
        self.closed = False
        self._stall_handle: asyncio.TimerHandle | None = None
        self.silenced = False  # the silence fault fired: the model says nothing more
        self.wake_on_input = False  # ... until real-time input arrives
        self._close_task: asyncio.Task[None] | None = None

    def has(self, action: str) -> Fault | None:
        """The first fault with ``action`` (a mode fault such as ``unresumable``), marked fired."""
        for i, fault in enumerate(self.faults):
            if fault.action == action:
                if i not in self._fired:
                    self._fired.add(i)
                    self._plan.record(self.conn_id, fault)
                return fault
        return None

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame; raises :class:`LinkClosed` once the emulator closed the link."""
        await self.send_raw(dumps(frame), counted=True)

    async def send_raw(self, data: str | bytes, *, counted: bool = False) -> None:
        """Send ``data`` as one text (str) or binary (bytes) frame."""
        if self.closed:
            raise LinkClosed
        protocol = self.ws.protocol
        if protocol.close_rcvd is not None:
            # The client closed: websockets would hold this send until the TCP connection is
            # gone (up to the close timeout, 2 s) and then fail it; fail it now.
            raise ConnectionClosed(
                protocol.close_rcvd, protocol.close_sent, protocol.close_rcvd_then_sent
            )
        async with self._lock:
            await self.ws.send(data)
        if self._recorder is not None:
            self._recorder.frame(self.conn_id, "s2c", data)
        if counted:
            self.frames_sent += 1
            self._on_frame_out()
            await self._fire(lambda f: f.after_server_frames == self.frames_sent)

    async def moment(self, name: Moment) -> None:
        """Fire the faults due at ``name``."""
        await self._fire(lambda f: f.at == name)

    async def after_client_message(self, count: int) -> None:
        """Fire the faults due after the ``count``-th client message following setup."""
        await self._fire(lambda f: f.after_client_messages == count)

    async def _fire(self, due: Callable[[Fault], bool]) -> None:
        for i, fault in enumerate(self.faults):
            if i in self._fired or not fault.triggered or not due(fault):
                continue
            self._fired.add(i)
            self._plan.record(self.conn_id, fault, _detail(fault))
            logger.info("connection %d: injecting fault %s", self.conn_id, fault.name)
            await self._apply(fault)

    async def _apply(self, fault: Fault) -> None:
        if fault.action == "close":
            await self.close(fault.code, fault.reason)
        elif fault.action == "abort":
            self.abort()
        elif fault.action == "send" and fault.payload is not None:
            await self.send_raw(fault.payload)
        elif fault.action == "go_away":
            await self.send_raw(dumps(frames.go_away(fault.seconds or 0.0)))
        elif fault.action == "stall":
            self.stall(fault.seconds)
        elif fault.action in ("silence", "silence_until_input"):
            self.silenced = True
            self.wake_on_input = fault.action == "silence_until_input"

    def stall(self, seconds: float | None) -> None:
        """Stop reading from the socket for ``seconds`` (None: for good)."""
        transport = self.ws.transport
        transport.pause_reading()
        if seconds is not None:
            loop = asyncio.get_running_loop()
            self._stall_handle = loop.call_later(seconds, self._unstall)

    def _unstall(self) -> None:
        if not self.ws.transport.is_closing():
            self.ws.transport.resume_reading()

    async def close(self, code: int, reason: str) -> None:
        """Close with ``code``/``reason`` (idempotent); later sends raise :class:`LinkClosed`."""
        if self.closed:
            return
        self.closed = True
        self._on_close(code)
        if self._recorder is not None:
            self._recorder.event(self.conn_id, "close", code=code, reason=reason, by="server")
        # websockets stops reading the socket while more than max_queue (16) messages wait to
        # be consumed, and from here on nobody consumes them: after a burst from the client,
        # the client's answering close frame (and the end of TCP) would sit unread until the
        # close timeout (2 s). Drop what arrives from now on and read on, so the close
        # handshake completes as soon as the client answers. (A stall fault ends here too.)
        if isinstance(self.ws, EmulatorConnection):
            self.ws.discard_messages = True
        transport = self.ws.transport
        if not transport.is_closing():
            transport.resume_reading()
        # Don't wait for the client's close frame here: a stalled or dead client would block us.
        self._close_task = asyncio.get_running_loop().create_task(self.ws.close(code, reason))
        await asyncio.sleep(0)
        raise LinkClosed

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        if self.closed:
            raise LinkClosed
        self.closed = True
        if self._recorder is not None:
            self._recorder.event(self.conn_id, "abort", by="server")
        self.ws.transport.abort()
        raise LinkClosed

    def cancel_timers(self) -> None:
        """Cancel pending stall timers."""
        if self._stall_handle is not None:
            self._stall_handle.cancel()


def _detail(fault: Fault) -> str:
    if fault.action == "close":
        return f"{fault.code} {fault.reason}"
    if fault.seconds is not None:
        return f"{fault.seconds}s"
    return ""

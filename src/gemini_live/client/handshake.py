"""Open one connection and complete the ``setup`` handshake, with every wait bounded.

A :class:`Connection` is one WebSocket plus what arrived on it. The session swaps connections
when it reconnects; frames from an old connection are never confused with a new one's because
each connection has its own sink. During the handshake a connection decodes what arrives (to
see ``setupComplete``) and keeps it; once attached, it hands raw frames to the session's driver.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from gemini_live.client.endpoints import Endpoint
from gemini_live.client.transport import (
    CloseInfo,
    Transport,
    TransportClosed,
    TransportOptions,
    open_websocket,
)
from gemini_live.errors import SetupRejected, SetupTimeout
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import Event, SetupComplete

__all__ = ["Connection", "FrameHandler", "LossHandler", "establish"]

log = logging.getLogger("gemini_live.client")


FrameHandler = Callable[["Connection", str | bytes], None]
LossHandler = Callable[["Connection", CloseInfo], None]


class Connection:
    """A transport plus its setup state. Acts as the transport's frame sink."""

    def __init__(self, transport: Transport, number: int) -> None:
        self.transport = transport
        self.number = number
        self.setup_complete: SetupComplete | None = None
        self.lost: CloseInfo | None = None
        self._early: list[Event] = []
        self._on_frame: FrameHandler | None = None
        self._on_lost: LossHandler | None = None
        self._setup_waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.frames_received = 0

    # -- FrameSink -----------------------------------------------------------------------------

    def frame_received(self, data: str | bytes) -> None:
        """One frame from the transport."""
        self.frames_received += 1
        on_frame = self._on_frame
        if on_frame is not None:
            on_frame(self, data)
            return
        events = decode_events(data)
        # Still in the handshake: keep everything, in order, for the session to publish.
        for event in events:
            if self.setup_complete is None and type(event) is SetupComplete:
                self.setup_complete = event
                if not self._setup_waiter.done():
                    self._setup_waiter.set_result(None)
            self._early.append(event)

    def connection_lost(self, info: CloseInfo) -> None:
        """The transport ended."""
        self.lost = info
        if not self._setup_waiter.done():
            self._setup_waiter.set_result(None)
        if self._on_lost is not None:
            self._on_lost(self, info)

    # -- session side --------------------------------------------------------------------------

    def attach(self, on_frame: FrameHandler, on_lost: LossHandler) -> list[Event]:
        """Route future raw frames to ``on_frame`` and the loss to ``on_lost``; return the
        events that arrived during the handshake (``SetupComplete`` first).

        If the connection was lost in the meantime, ``on_lost`` is called right away.
        """
        early, self._early = self._early, []
        self._on_frame = on_frame
        self._on_lost = on_lost
        if self.lost is not None:
            on_lost(self, self.lost)
        return early

    async def wait_setup(self) -> None:
        """Wait until ``setupComplete`` arrived or the connection ended (unbounded)."""
        await self._setup_waiter


async def establish(
    endpoint: Endpoint,
    setup_frame: str,
    *,
    number: int,
    transport_options: TransportOptions,
    setup_timeout: float,
) -> Connection:
    """Open a WebSocket to ``endpoint``, send ``setup_frame`` and wait for ``setupComplete``.

    Raises ``ConnectError``/``AuthenticationError`` (from the transport), ``SetupRejected`` when
    the service closes before ``setupComplete`` (with its code and reason), or ``SetupTimeout``.
    Safe to cancel: the half-open connection is aborted.
    """
    transport = await open_websocket(endpoint.url, endpoint.headers, transport_options)
    connection = Connection(transport, number)
    transport.set_sink(connection)
    try:
        try:
            transport.send(setup_frame)
        except TransportClosed as exc:
            raise SetupRejected(
                "the connection closed before setup could be sent",
                code=exc.info.code,
                reason=exc.info.reason,
            ) from None
        log.debug("> setup sent on connection %d", number)
        try:
            async with asyncio.timeout(setup_timeout):
                await connection.wait_setup()
        except TimeoutError:
            transport.abort()
            raise SetupTimeout(
                f"no setupComplete within {setup_timeout:g}s", code=None, reason=""
            ) from None
        if connection.setup_complete is None:
            info = connection.lost
            assert info is not None
            raise SetupRejected(
                "the service closed the connection during setup", code=info.code, reason=info.reason
            )
    except BaseException:
        if connection.lost is None:
            transport.abort()
        raise
    return connection

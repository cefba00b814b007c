"""Open one connection and complete the ``setup`` handshake, with every wait bounded.

A :class:`Connection` is one WebSocket plus what arrived on it. The session swaps connections
when it reconnects; frames from an old connection are never confused with a new one's because
each connection has its own sink.
"""

from __future__ import annotations

import asyncio
import logging

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

__all__ = ["Connection", "ConnectionHandler", "establish"]

log = logging.getLogger("gemini_live.client")


class ConnectionHandler:
    """What a connection reports to once it is live (implemented by the session)."""

    def on_events(self, connection: Connection, events: list[Event]) -> None:
        raise NotImplementedError

    def on_lost(self, connection: Connection, info: CloseInfo) -> None:
        raise NotImplementedError


class Connection:
    """A transport plus its setup state. Acts as the transport's frame sink."""

    def __init__(self, transport: Transport, number: int) -> None:
        self.transport = transport
        self.number = number
        self.setup_complete: SetupComplete | None = None
        self.lost: CloseInfo | None = None
        self._early: list[Event] = []
        self._handler: ConnectionHandler | None = None
        self._setup_waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.frames_received = 0

    # -- FrameSink -----------------------------------------------------------------------------

    def frame_received(self, data: str | bytes) -> None:
        self.frames_received += 1
        events = decode_events(data)
        handler = self._handler
        if handler is not None:
            handler.on_events(self, events)
            return
        # Still in the handshake: keep everything, in order, for the session to publish.
        for event in events:
            if self.setup_complete is None and type(event) is SetupComplete:
                self.setup_complete = event
                if not self._setup_waiter.done():
                    self._setup_waiter.set_result(None)
            self._early.append(event)

    def connection_lost(self, info: CloseInfo) -> None:
        self.lost = info
        if not self._setup_waiter.done():
            self._setup_waiter.set_result(None)
        if self._handler is not None:
            self._handler.on_lost(self, info)

    # -- session side --------------------------------------------------------------------------

    def attach(self, handler: ConnectionHandler) -> list[Event]:
        """Route future frames to ``handler``; return what arrived before (setupComplete first).

        If the connection was lost in the meantime, ``handler.on_lost`` is called right away.
        """
        early, self._early = self._early, []
        self._handler = handler
        if self.lost is not None:
            handler.on_lost(self, self.lost)
        return early


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
                await connection._setup_waiter
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

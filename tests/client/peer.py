"""``Peer``: the scripted raw peer of :mod:`tests.client.rawpeer`, with a websockets-like view.

One peer implementation serves every client test (a plain asyncio-streams WebSocket server
that can misbehave on purpose: never answer setup, send garbage, stall, ignore a close); this
module only adds the convenience API the session tests read best: ``peer.send(frame)`` and
``peer.ws`` for the newest connection, ``peer.stall``, ``peer.wait_for_messages(n)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.client.rawpeer import RawPeer

__all__ = ["Peer", "PeerSocket"]


@dataclass(frozen=True)
class _Abort:
    peer: RawPeer
    number: int

    def abort(self) -> None:
        self.peer.abort(self.number)


@dataclass(frozen=True)
class PeerSocket:
    """The peer's side of one connection (the subset of websockets' API the tests use)."""

    peer: RawPeer
    number: int

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close handshake from the peer's side; returns once the TCP connection is gone."""
        await self.peer.close(self.number, code, reason)
        await self.peer.wait_for("eof", self.number, timeout=5)

    async def wait_closed(self) -> None:
        await self.peer.wait_for("eof", self.number, timeout=5)

    @property
    def transport(self) -> _Abort:
        return _Abort(self.peer, self.number)

    @property
    def close_code(self) -> int | None:
        """The code of the close frame the client sent on this connection."""
        return self.peer.close_codes.get(self.number)


class _Stall:
    """``set()``: the peer stops reading (its socket buffers fill up); ``clear()``: reads again."""

    def __init__(self, peer: RawPeer) -> None:
        self._peer = peer

    def set(self) -> None:
        self._peer.reading = False

    def clear(self) -> None:
        self._peer.reading = True

    def is_set(self) -> bool:
        return not self._peer.reading


class Peer(RawPeer):
    """``Peer(setup_reply=..., after_setup=[...])``; see :class:`RawPeer` for the behaviours."""

    @property
    def ws(self) -> PeerSocket:
        return PeerSocket(self, self.connections)

    @property
    def stall(self) -> _Stall:
        return _Stall(self)

    @property
    def sockets(self) -> list[PeerSocket]:
        return [PeerSocket(self, n) for n in range(1, self.connections + 1)]

    async def send(self, frame: dict[str, Any] | str) -> None:  # type: ignore[override]
        """Send one text frame (a dict is JSON-encoded) on the newest connection."""
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.send_raw(self.connections, 0x1, text.encode())

    async def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` messages after the (first) setup have arrived; return them."""
        await self.wait_messages_total(count + 1, timeout)
        return self.received[1:]

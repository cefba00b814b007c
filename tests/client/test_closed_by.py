"""``closed_by`` has one type everywhere: ``gemini_live.ClosedBy``, and only its three values.

``Disconnected``, ``SessionBroken`` and the transport's ``CloseInfo`` all carry it; the session
must report each kind of ending with the right one (checked against a real scripted peer).
"""

from __future__ import annotations

import asyncio
import typing

import pytest

import gemini_live
from gemini_live import ClosedBy, Disconnected, SessionBroken
from gemini_live.client.transport_types import CloseInfo
from gemini_live.protocol import events as ev
from gemini_live.protocol.retry import Failure

from .rawpeer import RawPeer, connect, drain_events, read_until

VALUES = {"client", "server", "network"}


def test_closed_by_is_one_literal_shared_by_events_errors_and_transport() -> None:
    assert set(typing.get_args(ClosedBy)) == VALUES
    assert gemini_live.ClosedBy is ClosedBy
    for owner in (ev.Disconnected, CloseInfo, Failure):
        hints = typing.get_type_hints(owner)
        assert hints["closed_by"] == ClosedBy, owner
    init = typing.get_type_hints(SessionBroken.__init__)
    assert init["closed_by"] == ClosedBy


def _ended(events: list[ev.Event]) -> Disconnected:
    (last,) = [e for e in events if isinstance(e, Disconnected)][-1:]
    assert last.closed_by in VALUES
    return last


async def test_a_dropped_connection_is_closed_by_the_network() -> None:
    async with RawPeer() as peer, connect(peer.base_url) as session:
        events = session.events()
        peer.abort(1)
        lost = _ended(await read_until(events, Disconnected))
        assert (lost.code, lost.closed_by, lost.will_reconnect) == (1006, "network", True)


async def test_a_fatal_close_frame_is_closed_by_the_server() -> None:
    async with RawPeer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await peer.close(1, 1008, "policy violation")
        seen: list[ev.Event] = []
        with pytest.raises(SessionBroken) as info:
            async with asyncio.timeout(5):
                async for event in events:
                    seen.append(event)
        assert info.value.closed_by == "server"
        lost = _ended(seen)
        assert (lost.code, lost.closed_by, lost.will_reconnect) == (1008, "server", False)


async def test_disconnect_is_closed_by_the_client() -> None:
    async with RawPeer() as peer:
        session = await connect(peer.base_url)
        events = session.events()
        await session.disconnect()
        lost = _ended(await drain_events(events))
        assert (lost.code, lost.closed_by, lost.will_reconnect) == (1000, "client", False)

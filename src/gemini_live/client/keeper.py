"""Keeping a session's connection: open, pump, reconnect, rotate on ``goAway``.

The asyncio half of the session's lifecycle; every decision comes from
:class:`~gemini_live.protocol.live.LiveProtocol` (see its module docstring for the reconnection,
replay and ``goAway`` rules). This module only waits, sleeps, opens and closes sockets:

* the old socket is always gone before a new one resumes (the service answers a resume while
  the old socket is open with 1011): a lost connection whose TCP teardown is still pending is
  dropped before the next attempt;
* after a resume the protocol's replay plan is written first, then the frames queued meanwhile;
* after ``disconnect()`` nothing reconnects or rotates: the connection belongs to the close;
* ``Session.reconnect()`` is a rotation the application asked for: the socket is dropped (not
  closed gracefully: the peer may be stalled) and the loss handled like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from gemini_live.client.driver import SessionDriver
from gemini_live.client.handshake import Connection
from gemini_live.client.transport import TransportClosed
from gemini_live.errors import ConnectError, SessionBroken, SetupRejected
from gemini_live.protocol import events as ev
from gemini_live.protocol.live import Decision, Park, Stop, failure_of

__all__ = ["open_session"]

log = logging.getLogger("gemini_live.client")


async def open_session(driver: SessionDriver) -> None:
    """Open the first connection and start the supervisor. Raises what ``establish`` raises."""
    protocol = driver.protocol
    protocol.connect_requested()
    driver.flush_events()
    try:
        connection = await driver.establish()
    except BaseException:
        protocol.open_failed()
        driver.flush_events()
        raise
    driver.install(connection)
    driver.live = connection.lost is None
    driver.supervisor = driver.loop.create_task(_supervise(driver), name="gemini-live-session")


async def _supervise(driver: SessionDriver) -> None:
    try:
        async with asyncio.TaskGroup() as group:
            pump = group.create_task(_pump(driver), name="gemini-live-pump")
            limits = group.create_task(_watch_limits(driver), name="gemini-live-limits")
            await _keep(driver)
            pump.cancel()
            limits.cancel()
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # a bug in our own tasks: never swallow it
        cause = _unwrap(exc)
        log.error("session supervisor failed: %r", cause, exc_info=cause)
        error = SessionBroken(
            f"internal error: {cause!r}", code=None, reason=repr(cause), closed_by="client"
        )
        error.__cause__ = exc
        # end() also drops the connection, which may still be open.
        driver.end(error, ev.Disconnected(None, repr(cause), "client"))


def _unwrap(exc: BaseException) -> BaseException:
    """The one real error inside the TaskGroup's exception group (for a readable reason)."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


async def _pump(driver: SessionDriver) -> None:
    """Write queued frames in order whenever the connection can take them."""
    outbox = driver.outbox
    protocol = driver.protocol
    loop = driver.loop
    while True:
        await driver.pump_wakeup.wait()
        driver.pump_wakeup.clear()
        stale: dict[str, int] = {}
        while outbox and driver.live:
            connection = driver.connection
            assert connection is not None
            transport = connection.transport
            if transport.write_buffer_size > driver.high_water:
                try:
                    await transport.drain()
                except TransportClosed:  # the keeper handles the loss
                    break
                continue
            item = outbox.popleft()
            if protocol.is_stale(item.kind, item.accepted_at, loop.time()):
                stale[item.kind] = stale.get(item.kind, 0) + 1
                continue
            try:
                driver.write(connection, item.kind, item.frame, item.accepted_at)
            except TransportClosed:  # it goes out on the next connection
                outbox.appendleft(item)
                break
        for kind, count in stale.items():  # "audio" or "video"
            protocol.stale_dropped(kind, count)
        if stale:
            driver.flush_events()
        if not outbox:
            driver.flushed.set()


async def _watch_limits(driver: SessionDriver) -> None:
    """Run the protocol's session-limit check on its own schedule."""
    protocol = driver.protocol
    loop = driver.loop
    while True:
        next_check = protocol.check_limits(loop.time())
        driver.flush_events()
        if next_check is None:
            return
        await asyncio.sleep(max(0.0, next_check - loop.time()))


async def _keep(driver: SessionDriver) -> None:
    """Wait for a loss or a rotation request; reconnect or end the session."""
    protocol = driver.protocol
    loop = driver.loop
    while True:
        timeout = None
        if protocol.rotation_deadline is not None:
            timeout = max(0.0, protocol.rotation_deadline - loop.time())
        # A loss sets ``attention`` too: one event to wait on, no helper task per wait.
        if timeout is None:
            await driver.attention.wait()
        else:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await driver.attention.wait()
        driver.attention.clear()
        protocol.needs_attention = False
        if protocol.closing:
            # disconnect() is flushing and closing this connection: a loss or a rotation now
            # must not open a new one (nor announce a reconnect).
            await driver.closed_event.wait()
            return
        protocol.timer_fired(loop.time())
        if not driver.lost_event.is_set() and not protocol.wants_rotation:
            continue
        connection = driver.connection
        assert connection is not None
        driver.live = False
        if connection.lost is None:
            if protocol.drop_for_rotation:
                # Session.reconnect(): the peer may be stalled, so no close handshake to wait
                # for; _drop_old waits (bounded) for the TCP teardown before the resume.
                connection.transport.abort()
            else:
                # goAway rotation: close the old socket first, then resume on a new one.
                with contextlib.suppress(Exception):
                    await connection.transport.close(1000, "rotating connection after goAway")
            decision = protocol.rotation_started(loop.time())
        else:
            info = connection.lost
            decision = protocol.connection_lost(info.code, info.reason, info.closed_by, loop.time())
        if not await _reconnect(driver, decision):
            return


async def _reconnect(driver: SessionDriver, decision: Decision) -> bool:
    """Carry out ``decision`` until a new connection works (True) or the session ended."""
    protocol = driver.protocol
    loop = driver.loop
    while True:
        driver.flush_events()
        if isinstance(decision, Park):
            await driver.closed_event.wait()
            return False
        if isinstance(decision, Stop):
            driver.end(decision.error, decision.event)
            return False
        await asyncio.sleep(decision.delay)
        if protocol.closing:
            await driver.closed_event.wait()
            return False
        await _drop_old(driver)
        try:
            connection = await driver.establish()
        except (ConnectError, SetupRejected) as exc:
            decision = protocol.attempt_failed(failure_of(exc), loop.time())
            continue
        if protocol.closing:
            # disconnect() came while this connection was being set up: it must not survive.
            connection.transport.abort()
            await driver.closed_event.wait()
            return False
        break
    _replay(driver, connection)
    return True


async def _drop_old(driver: SessionDriver) -> None:
    """Make sure the previous connection's socket is gone before a new one resumes.

    A lost connection may still be waiting (up to ``close_timeout``) for the peer to finish the
    TCP teardown, e.g. after a keepalive timeout against a stalled peer; the service refuses a
    resume while the old socket is open (1011), so drop it now.
    """
    old = driver.connection
    if old is None:
        return
    old.transport.abort()
    with contextlib.suppress(Exception):
        await old.transport.close()  # returns once the TCP connection is really gone


def _replay(driver: SessionDriver, connection: Connection) -> None:
    protocol = driver.protocol
    loop = driver.loop
    driver.install(connection)
    # Before the replay plan settles the lost session's tool calls: a fresh session must not
    # get answers, still queued, to calls it never issued.
    queued_dropped = driver.outbox.discard(protocol.lost_session_answer)
    replayed = 0
    for record in protocol.replay_plan(loop.time(), queued_dropped):
        try:
            connection.transport.send(record.frame)
        except TransportClosed:  # the new connection died already; the keeper sees the loss
            break
        protocol.replayed(record)
        replayed += 1
    protocol.resumed(replayed, loop.time())
    driver.live = connection.lost is None
    driver.pump_wakeup.set()
    driver.flush_events()
    driver.reconnect_finished()

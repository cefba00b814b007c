"""Ending a session: the one place that turns a session into "closed" or "broken".

Split from :mod:`gemini_live.client.keeper` (which decides *when* a session ends) to keep each
file about one thing. ``end`` is idempotent and synchronous: it drops any open socket, fails the
outbox, announces frames that were accepted but never written, publishes the final
``Disconnected`` event, ends every consumer and wakes every waiter.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from gemini_live.errors import LiveError, SessionBroken, SessionClosed
from gemini_live.protocol import events as ev
from gemini_live.protocol.phases import Trigger
from gemini_live.protocol.retry import Failure

if TYPE_CHECKING:
    from gemini_live.client.session import Session

__all__ = ["close_gracefully", "end", "end_broken", "wait_stopped"]


def end_broken(session: Session, failure: Failure) -> None:
    error = SessionBroken(
        "the connection ended",
        code=failure.code,
        reason=failure.reason,
        closed_by=failure.closed_by,
    )
    end(session, error, ev.Disconnected(failure.code, failure.reason, failure.closed_by))


def end(session: Session, error: LiveError, event: ev.Disconnected) -> None:
    if session._ended is not None:
        return
    session._ended = error
    session._live = False
    connection = session._connection
    if connection is not None and connection.transport.closed is None:
        # Never leave a socket behind: an internal error can end the session while the
        # connection is still open.
        connection.transport.abort()
    session._outbox.fail(error)
    # Accepted frames that never reached the wire: say so (nothing is dropped silently).
    unsent = len(session._outbox.drain_all())
    session._apply(Trigger.CLOSED)
    if unsent:
        session._dropped_unsent += unsent
        session._hub.publish(
            ev.InputDropped("unsent", unsent, "the session ended before they could be written")
        )
    session._hub.publish(event)
    session._hub.close(None if isinstance(error, SessionClosed) else error)
    for _wanted, future in session._phase_waiters:
        if not future.done():
            future.set_exception(error)
    session._closed_event.set()


async def close_gracefully(session: Session) -> None:
    """Flush (bounded), close with 1000 (bounded), stop the supervisor, end the session.

    The session ends even if the caller is cancelled half-way (the ``finally``): otherwise it
    would stay "closing" for ever, and every later ``disconnect()`` would wait for ever.
    """
    options = session._options
    info = None
    try:
        if session._outbox and session._live:
            session._flushed.clear()
            session._pump_wakeup.set()
            # A connection lost during the flush cannot flush any more: stop waiting then.
            await _wait_any((session._flushed, session._lost_event), options.flush_timeout)
        session._live = False
        connection = session._connection
        if connection is not None and connection.lost is None:
            with contextlib.suppress(Exception):
                info = await connection.transport.close(1000, "")
    finally:
        session._live = False
        supervisor = session._supervisor
        if supervisor is not None and supervisor is not asyncio.current_task():
            supervisor.cancel()
        code = info.code if info is not None else 1000
        end(session, SessionClosed("disconnect() was called"), ev.Disconnected(code, "", "client"))
    await wait_stopped(session)


async def wait_stopped(session: Session) -> None:
    """Wait (bounded by ``close_timeout``) until the session's supervisor task has finished."""
    supervisor = session._supervisor
    if supervisor is None or supervisor.done() or supervisor is asyncio.current_task():
        return
    await asyncio.wait({supervisor}, timeout=session._options.transport.close_timeout)


async def _wait_any(events: tuple[asyncio.Event, ...], timeout: float) -> None:
    """Return when one of ``events`` is set or after ``timeout`` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()

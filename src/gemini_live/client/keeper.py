"""Keeping a session's connection: open, pump, reconnect, rotate on ``goAway``, close.

This module is the session's lifecycle; it works on the session's internals on purpose (it is
the other half of :class:`~gemini_live.client.session.Session`, split out to keep each file
about one thing).

Reconnection rules (pure decisions live in ``gemini_live.protocol.retry``):

* On a loss that :func:`~gemini_live.protocol.retry.classify` calls retryable or routine, with
  session resumption on and ``SessionOptions.reconnect`` set, the session reconnects after the
  policy's delay, sending the newest resumable handle in ``setup``. Anything else ends the
  session with ``SessionBroken`` (code, reason and who closed).
* The old socket is always closed before a new one resumes (the service answers a resume
  while the old socket is open with 1011): a lost connection whose TCP teardown is still
  pending is dropped before the next attempt.
* Replay: every frame written is kept by the resumption tracker until the service confirms it.
  After a resume, unconfirmed frames are written again first, in their original order, then
  the frames queued meanwhile. Real-time audio/video older than ``max_audio_age`` is dropped
  instead (counted, and announced with ``InputDropped``).
* A refused handle (setup rejected with 1007/1008 while resuming) starts a fresh session when
  ``on_resume_failure="fresh"`` (announced with ``Resumed(fresh_session=True)``; unconfirmed
  input and pending tool calls of the old session are dropped and announced), or ends the
  session when ``"fail"``. Until the service sends a handle, the one the application gave in
  ``LiveConfig`` is used; with none at all the new connection is a fresh session that gets
  every unconfirmed message replayed, and the old session's pending tool calls are cancelled
  (``ToolCallCancellation``): the new session never issued them.
* ``goAway``: the session rotates to a new connection at once if idle, else when the turn is
  over and a resumable ``sessionResumptionUpdate`` covers it (the service sends one after
  ``turnComplete``; rotating earlier would lose the turn's ``turnComplete`` and resume from a
  handle that predates the turn, so the model would answer it twice), and at the latest
  ``go_away_margin`` seconds before ``timeLeft`` runs out, by its own timer. Without
  resumption or reconnection there is nothing to rotate to: the connection is used until the
  service ends it.
* After ``disconnect()`` nothing reconnects or rotates: the connection belongs to the close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import orjson

from gemini_live.client.ending import close_gracefully, end, end_broken, wait_stopped
from gemini_live.client.handshake import Connection, establish
from gemini_live.client.transport import TransportClosed
from gemini_live.errors import (
    AuthenticationError,
    ConnectError,
    SessionBroken,
    SetupRejected,
    SetupTimeout,
)
from gemini_live.protocol import events as ev
from gemini_live.protocol.phases import Phase, Trigger
from gemini_live.protocol.resumption import is_stale_media
from gemini_live.protocol.retry import Failure, FailureKind, Verdict, classify

if TYPE_CHECKING:
    from gemini_live.client.session import Session

__all__ = ["Keeper", "close_gracefully", "open_session", "wait_stopped"]

log = logging.getLogger("gemini_live.client")


class Keeper:
    """The go-away bookkeeping of one session (timers are the supervisor's)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rotate = asyncio.Event()
        self.rescheduled = asyncio.Event()  # the deadline changed: re-arm the timer
        self.go_away_deadline: float | None = None
        self.go_away_seen = False

    def go_away(self, time_left: float) -> None:
        self.go_away_seen = True
        session = self.session
        if session._tracker is None or not session._options.reconnect:
            # Closing early could only end the session sooner: keep the connection until the
            # service closes it (the application sees the GoAway event).
            return
        loop = asyncio.get_running_loop()
        margin = session._options.go_away_margin
        self.go_away_deadline = loop.time() + max(0.0, time_left - margin)
        self.rescheduled.set()
        if session.phase in _IDLE:
            self.rotate.set()

    def resumable_update(self) -> None:
        """A resumable handle arrived: after goAway, rotate now if no turn is in progress."""
        if self.go_away_deadline is not None and self.session.phase in _IDLE:
            self.rotate.set()


_IDLE = (Phase.ACTIVE, Phase.USER_SPEAKING)


async def open_session(session: Session) -> None:
    """Open the first connection and start the supervisor. Raises what ``establish`` raises."""
    session._apply(Trigger.CONNECT)
    try:
        connection = await _establish(session, handle=session._config_handle())
    except BaseException:
        session._apply(Trigger.CLOSED)
        raise
    session._keeper = Keeper(session)
    _install(session, connection)
    session._live = connection.lost is None
    session._options.retry_policy.connected(asyncio.get_running_loop().time())
    session._supervisor = asyncio.get_running_loop().create_task(
        _supervise(session), name="gemini-live-session"
    )


async def _establish(session: Session, handle: str | None) -> Connection:
    session._connections += 1
    if session._tracker is not None:
        session._tracker.new_connection()
    endpoint = await session._endpoint_provider()
    return await establish(
        endpoint,
        session.setup_frame(handle),
        number=session._connections,
        transport_options=session._options.transport,
        setup_timeout=session._options.setup_timeout,
    )


def _install(session: Session, connection: Connection) -> None:
    old = session._connection
    if old is not None:
        session._frames_before_current += old.frames_received
    session._connection = connection
    session._lost_event.clear()
    session._apply(Trigger.SETUP_SENT)
    early = connection.attach(session)
    for event in early:
        if isinstance(event, ev.SetupComplete) and event.session_id:
            session._session_id = event.session_id
    session.on_events(connection, early)


async def _supervise(session: Session) -> None:
    try:
        async with asyncio.TaskGroup() as group:
            pump = group.create_task(_pump(session), name="gemini-live-pump")
            limits = group.create_task(_watch_limits(session), name="gemini-live-limits")
            await _keep(session)
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
        end(session, error, ev.Disconnected(None, repr(cause), "client"))


def _unwrap(exc: BaseException) -> BaseException:
    """The one real error inside the TaskGroup's exception group (for a readable reason)."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


async def _pump(session: Session) -> None:
    """Write queued frames in order whenever the connection can take them."""
    outbox = session._outbox
    max_age = session._options.max_audio_age
    loop = asyncio.get_running_loop()
    while True:
        await session._pump_wakeup.wait()
        session._pump_wakeup.clear()
        stale: dict[str, int] = {}
        while outbox and session._live:
            connection = session._connection
            assert connection is not None
            transport = connection.transport
            if transport.write_buffer_size > session._high_water:
                try:
                    await transport.drain()
                except TransportClosed:
                    break
                continue
            item = outbox.popleft()
            if is_stale_media(item.kind, item.accepted_at, loop.time(), max_age):
                stale[item.kind] = stale.get(item.kind, 0) + 1
                continue
            try:
                session._write(connection, item.kind, item.frame, item.accepted_at)
            except TransportClosed:
                outbox.appendleft(item)
                break
        for kind, count in stale.items():  # "audio" or "video"
            session._dropped_stale += count
            session._hub.publish(ev.InputDropped(kind, count, "stale: queued too long"))
        if not outbox:
            session._flushed.set()


async def _watch_limits(session: Session) -> None:
    """Warn before the service's session-duration limits when compression is off (§10.1)."""
    if session._config.context_window_compression is not None:
        return
    options = session._options
    loop = asyncio.get_running_loop()
    started = loop.time()
    warned: set[str] = set()
    while True:
        kind, limit = (
            ("audio+video", options.video_session_limit)
            if session._sent_video
            else ("audio", options.audio_session_limit)
        )
        warn_at = started + max(0.0, limit - options.session_limit_warning)
        now = loop.time()
        if now >= warn_at and kind not in warned:
            warned.add(kind)
            left = max(0.0, started + limit - now)
            session._hub.publish(
                ev.SessionWarning(
                    f"the {kind} session limit ({limit:g}s without context window compression) "
                    f"ends this session in about {left:.0f}s; set "
                    "LiveConfig(context_window_compression=ContextWindowCompression()) to lift it"
                )
            )
        # Re-check at least every second: sending video shortens the limit.
        await asyncio.sleep(min(1.0, max(0.01, warn_at - now)) if kind not in warned else 1.0)


def _failure_from_loss(connection: Connection) -> Failure:
    info = connection.lost
    assert info is not None
    if info.closed_by == "client" and "keepalive" in info.reason:
        return Failure(FailureKind.KEEPALIVE_TIMEOUT, info.code, info.reason, info.closed_by)
    return Failure(FailureKind.CLOSED, info.code, info.reason, info.closed_by)


def _failure_from_error(error: BaseException) -> Failure:
    if isinstance(error, SetupTimeout):
        return Failure(FailureKind.SETUP_TIMEOUT, None, str(error), "client")
    if isinstance(error, SetupRejected):
        return Failure(FailureKind.SETUP_REJECTED, error.code, error.reason, "server")
    if isinstance(error, AuthenticationError):
        return Failure(FailureKind.AUTH_ERROR, error.status, str(error), "server")
    return Failure(FailureKind.CONNECT_ERROR, getattr(error, "status", None), str(error), "network")


async def _keep(session: Session) -> None:
    """Wait for a loss or a rotation request; reconnect or end the session."""
    keeper: Keeper = session._keeper
    loop = asyncio.get_running_loop()
    while True:
        lost = asyncio.ensure_future(session._lost_event.wait())
        rotate = asyncio.ensure_future(keeper.rotate.wait())
        rescheduled = asyncio.ensure_future(keeper.rescheduled.wait())
        timeout = None
        if keeper.go_away_deadline is not None:
            timeout = max(0.0, keeper.go_away_deadline - loop.time())
        try:
            await asyncio.wait(
                {lost, rotate, rescheduled}, timeout=timeout, return_when="FIRST_COMPLETED"
            )
        finally:
            lost.cancel()
            rotate.cancel()
            rescheduled.cancel()
        if session._closing:
            # disconnect() is flushing and closing this connection: a loss or a rotation now
            # must not open a new one (nor announce a reconnect).
            await _park(session)
            return
        if keeper.rescheduled.is_set():
            # A goAway arrived: wait again, now with its deadline as our own timer.
            keeper.rescheduled.clear()
            if not (session._lost_event.is_set() or keeper.rotate.is_set()):
                continue
        connection = session._connection
        assert connection is not None
        if connection.lost is None:
            # goAway rotation: close the old socket first, then resume on a new one.
            session._live = False
            with contextlib.suppress(Exception):
                await connection.transport.close(1000, "rotating connection after goAway")
            failure = Failure(FailureKind.CLOSED, 1000, "goAway rotation", "client")
            verdict = Verdict.ROTATE
        else:
            session._live = False
            failure = _failure_from_loss(connection)
            verdict = classify(failure, after_go_away=keeper.go_away_seen)
        keeper.rotate.clear()
        keeper.go_away_deadline = None
        keeper.go_away_seen = False
        if not await _reconnect(session, failure, verdict):
            return


async def _park(session: Session) -> None:
    """Wait for disconnect() to end the session (it cancels us anyway)."""
    await session._closed_event.wait()


async def _reconnect(session: Session, failure: Failure, verdict: Verdict) -> bool:
    """Reconnect until it works (True) or the session has to end (False, already ended)."""
    options = session._options
    tracker = session._tracker
    loop = asyncio.get_running_loop()
    if session._closing:  # disconnect() came while the old socket was being closed
        await _park(session)
        return False
    if verdict is Verdict.FATAL or not options.reconnect or tracker is None:
        end_broken(session, failure)
        return False
    # Ask the policy first: announcing will_reconnect=True and then giving up would be a lie.
    delay = options.retry_policy.next_delay(failure, verdict, loop.time())
    if delay is None:
        end_broken(session, failure)
        return False
    session._hub.publish(
        ev.Disconnected(failure.code, failure.reason, failure.closed_by, will_reconnect=True)
    )
    session._apply(Trigger.CONNECTION_LOST)
    # The application's own handle (LiveConfig) counts until the service sends a newer one.
    handle = tracker.latest_handle or session._fallback_handle
    # Without any resumable handle yet, the new connection is a new service-side session; every
    # message so far is still unconfirmed, so replaying them rebuilds the same input history.
    fresh = handle is None
    forget = False  # True once the service refused our handle: its state is gone
    attempt = 0
    while True:
        attempt += 1
        session._hub.publish(ev.Reconnecting(attempt, delay, _describe(failure)))
        await asyncio.sleep(delay)
        if session._closing:
            await _park(session)
            return False
        await _drop_old(session)
        try:
            connection = await _establish(session, handle)
        except (ConnectError, SetupRejected) as exc:
            failure = _failure_from_error(exc)
            refused = (
                isinstance(exc, SetupRejected)
                and not isinstance(exc, SetupTimeout)
                and handle is not None
                and exc.code in (1007, 1008)
            )
            if refused and options.on_resume_failure == "fresh":
                log.warning(
                    "resumption handle refused (%s); starting a fresh session", failure.reason
                )
                handle, fresh, forget = None, True, True
                session._fallback_handle = None
                verdict = Verdict.ROTATE
            else:
                verdict = classify(failure)
                if verdict is Verdict.FATAL:
                    end_broken(session, failure)
                    return False
            next_delay = options.retry_policy.next_delay(failure, verdict, loop.time())
            if next_delay is None:
                end_broken(session, failure)
                return False
            delay = next_delay
            continue
        if session._closing:
            # disconnect() came while this connection was being set up: it must not survive.
            connection.transport.abort()
            await _park(session)
            return False
        break
    session._reconnects += 1
    replayed, dropped = _replay(session, connection, forget=forget, fresh=fresh)
    session._options.retry_policy.connected(loop.time())
    session._hub.publish(ev.Resumed(handle, replayed, dropped, fresh_session=fresh))
    return True


async def _drop_old(session: Session) -> None:
    """Make sure the previous connection's socket is gone before a new one resumes.

    A lost connection may still be waiting (up to ``close_timeout``) for the peer to finish the
    TCP teardown, e.g. after a keepalive timeout against a stalled peer; the service refuses a
    resume while the old socket is open (1011), so drop it now.
    """
    old = session._connection
    if old is None:
        return
    old.transport.abort()
    with contextlib.suppress(Exception):
        await old.transport.close()  # returns once the TCP connection is really gone


def _replay(
    session: Session, connection: Connection, *, forget: bool, fresh: bool
) -> tuple[int, int]:
    tracker = session._tracker
    assert tracker is not None
    loop = asyncio.get_running_loop()
    _install(session, connection)
    replayed = dropped = 0
    if fresh and session._pending_calls:
        # A fresh service-side session (no handle yet, or the handle was refused) never issued
        # the old session's calls: tell the application they died, and drop late responses to
        # them instead of sending them (the service rejects an unknown call id).
        ids = tuple(sorted(session._pending_calls))
        session._pending_calls.clear()
        session._cancelled_calls.update(ids)
        session._hub.publish(ev.ToolCallCancellation(ids))
    if fresh and not forget and session._issued_calls:
        issued = session._issued_calls
        stale_answers = tracker.discard(
            lambda r: r.kind == "tool_response" and _answers_any(r.frame, issued)
        )
        if stale_answers:
            session._hub.publish(
                ev.InputDropped(
                    "tool_response", stale_answers, "it answers a call of the lost session"
                )
            )
    if fresh:
        session._issued_calls = set()
    if forget:
        dropped = tracker.forget_all()
        if dropped:
            session._hub.publish(ev.InputDropped("unconfirmed", dropped, "fresh session"))
    else:
        plan = tracker.plan_replay(loop.time(), session._options.max_audio_age)
        dropped = plan.dropped_stale_audio
        if dropped:
            session._dropped_stale += dropped
            session._hub.publish(
                ev.InputDropped(
                    "audio", dropped, "stale: real-time audio/video older than max_audio_age"
                )
            )
        for record in plan.records:
            try:
                connection.transport.send(record.frame)
            except TransportClosed:
                break  # the new connection died already; the keeper will see the loss
            tracker.record_replayed(record)
            replayed += 1
    session._replayed += replayed
    session._live = connection.lost is None
    session._pump_wakeup.set()
    return replayed, dropped


def _answers_any(frame: str, call_ids: set[str]) -> bool:
    """Whether an encoded toolResponse frame answers one of ``call_ids`` (rare path: replay)."""
    body = orjson.loads(frame).get("toolResponse", {})
    return any(r.get("id") in call_ids for r in body.get("functionResponses", ()))


def _describe(failure: Failure) -> str:
    if failure.code is not None:
        return f"{failure.kind.value} code={failure.code} reason={failure.reason!r}"
    return f"{failure.kind.value}: {failure.reason}"

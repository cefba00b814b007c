"""The tool runner: reads ``ToolCall`` events and answers every call exactly once.

Built only on the public session API: its own ``events()`` subscription (so it never slows other
consumers or the audio path) and a :class:`~gemini_live.SessionWriter` for the answers.

Per call, exactly one of these happens:

* the function returns -> ``{"output": value}`` (async generators: ``willContinue`` partial
  results, then the final one);
* it raises, or returns something that is not JSON -> ``{"error": {"type", "message"}}``;
* it runs past its deadline -> it is cancelled and ``{"error": {"type": "Timeout", ...}}``;
* the name is unknown or the arguments do not match the declaration -> an error response saying
  which, and the function never runs;
* a ``toolCallCancellation`` names it, the session reconnects *without* resumption (the call
  belonged to a session that no longer exists), or it resumes from a checkpoint
  (``sessionResumptionUpdate``) older than the call (the restored session never issued it) ->
  the task is cancelled and nothing is sent (a result waiting to go out is withdrawn);
* ``serve()`` is left while it runs -> it is cancelled and answered with a ``Cancelled`` error
  (``answer_on_exit=False`` to send nothing), so the model never waits forever;
* its id was already seen in this session -> it is not run again (the first call answers it).

Answers go out as soon as each call is done; answers that are ready while the previous message
is being written share the next message. While the connection is lost (``Disconnected`` with
``will_reconnect``) answers wait in the runner until ``Resumed`` says how the session came back:
then they go out, or are withdrawn if the service no longer knows their calls.

Tasks: one supervisor task, whose TaskGroup owns the reader, the sender and every call; sync
functions run in a bounded thread pool (a thread cannot be interrupted: a cancelled or timed-out
sync function finishes in the background, its result discarded).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from gemini_live.errors import SessionBroken
from gemini_live.protocol.config import Platform
from gemini_live.protocol.events import (
    Disconnected,
    Event,
    FunctionCall,
    Resumed,
    ResumptionUpdate,
    ToolCall,
    ToolCallCancellation,
)
from gemini_live.protocol.types import FunctionResponse
from gemini_live.tools.function import ToolError, ToolFunction, ToolResult
from gemini_live.tools.observe import (
    CancelReason,
    ToolCallCancelled,
    ToolCallFailed,
    ToolCallFinished,
    ToolCallRejected,
    ToolCallStarted,
    ToolCallTimedOut,
    ToolEvent,
    ToolStatistics,
)
from gemini_live.tools.payloads import error_payload, exception_payload, output_payload
from gemini_live.tools.sending import AnswerQueue, ResponseWriter
from gemini_live.tools.validate import problems

__all__ = ["ToolRunner"]

log = logging.getLogger("gemini_live.tools")

_State = Literal["running", "answered", "cancelled"]
_MISSING: Any = object()
_MAX_CHECKPOINTS = 64
_MAX_SEEN = 100_000
# After shutdown_timeout, how long the cancelled supervisor gets to unwind before it is left.
_GRACE = 0.1


@dataclass(slots=True, eq=False)
class _Call:
    key: str  # the call id, or a local one for calls without id (Vertex)
    id: str | None
    name: str
    tool: ToolFunction | None
    started: float
    seq: int  # arrival order, compared with resumption checkpoints
    state: _State = "running"
    task: asyncio.Task[None] | None = None
    partials: int = 0
    reason: CancelReason | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    begun: bool = False  # _execute has started (a task cancelled before that never runs it)
    expired: bool = False  # its deadline passed and _expire cancelled its task


@dataclass(slots=True)
class _Counters:
    calls: int = 0
    succeeded: int = 0
    failed: int = 0
    timed_out: int = 0
    cancelled: int = 0
    rejected: int = 0
    duplicates: int = 0
    busy_seconds: float = 0.0
    max_seconds: float = 0.0


class ToolRunner:
    """Runs the calls of one session. Create it with :meth:`Toolbox.serve`; use it as an
    ``async with`` block (or call :meth:`start` and :meth:`aclose`)."""

    def __init__(
        self,
        tools: Callable[[str], ToolFunction | None],
        events: AsyncIterable[Event],
        writer: ResponseWriter,
        *,
        platform: Platform | None,
        default_deadline: float | None,
        max_concurrent: int,
        max_threads: int,
        expose_error_messages: bool,
        on_event: Callable[[ToolEvent], None] | None,
        shutdown_timeout: float,
        answer_on_exit: bool,
        on_execution_started: Callable[[], None] | None = None,
    ) -> None:
        if max_concurrent < 1 or max_threads < 1:
            raise ValueError("max_concurrent and max_threads must be >= 1")
        if not shutdown_timeout > 0:
            raise ValueError(f"shutdown_timeout must be > 0; got {shutdown_timeout!r}")
        self._lookup = tools
        self._events = events
        self._vertex = platform is Platform.VERTEX
        self._default_deadline = default_deadline
        self._limit = asyncio.Semaphore(max_concurrent)
        self._max_threads = max_threads
        self._executor: ThreadPoolExecutor | None = None
        self._expose = expose_error_messages
        self._on_event = on_event
        self._shutdown_timeout = shutdown_timeout
        self._answer_on_exit = answer_on_exit
        self._on_execution_started = on_execution_started
        self._calls: dict[str, _Call] = {}
        # Call id -> the order in which it arrived (relative to resumption checkpoints).
        self._seen: dict[str, int] = {}
        self._seq = 0
        self._checkpoints: dict[str, int] = {}  # resumption handle -> order when it arrived
        self._local_ids = itertools.count(1)
        # Between a lost connection and Resumed, answers wait there (paused): whether they are
        # still valid depends on how the session comes back (fresh, or from an older checkpoint).
        self._answers: AnswerQueue[_Call] = AnswerQueue(writer)
        self._stop = asyncio.Event()
        self._stream_ended = asyncio.Event()
        self._closing = False
        self._tg: asyncio.TaskGroup | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._n = _Counters()
        self._call_tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> ToolRunner:
        """Start reading events and running calls. Not safe to call twice."""
        if self._supervisor is not None:
            raise RuntimeError("this ToolRunner was already started")
        started = asyncio.get_running_loop().create_future()
        self._supervisor = asyncio.create_task(self._run(started), name="gemini-live-tools")
        self._supervisor.add_done_callback(self._supervisor_done)
        await started
        return self

    def _supervisor_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None and not self._closing:
            # A bug in the runner itself: say so at once (calls are no longer answered); the
            # error is raised again by aclose().
            log.error("tool runner stopped", exc_info=task.exception())

    async def __aenter__(self) -> ToolRunner:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def wait(self) -> None:
        """Wait until the event stream ends (the session closed). Safe to cancel."""
        await self._stream_ended.wait()

    @property
    def error(self) -> BaseException | None:
        """Why the event stream ended, if it ended with an error (e.g. ``SessionBroken``)."""
        return self._error

    async def aclose(self) -> None:
        """Stop: cancel running calls, send what is ready, wait for everything, bounded by
        ``shutdown_timeout`` (plus 0.1 s; a function that ignores cancellation is then left
        running and logged). Safe to call more than once; safe to cancel (the runner's tasks are
        then cancelled without waiting)."""
        if self._supervisor is None or self._closing:
            if self._supervisor is not None:
                await asyncio.wait({self._supervisor}, timeout=self._shutdown_timeout)
            return
        self._closing = True
        deadline = asyncio.get_running_loop().time() + self._shutdown_timeout
        try:
            if self._reader is not None:
                self._reader.cancel()
            self._answers.paused = False  # what is ready goes to the session, which queues it
            # After the stream ended, the calls were already cancelled as "session_ended".
            self._cancel_all("shutdown", answer=self._answer_on_exit)
            if self._call_tasks:
                await asyncio.wait(set(self._call_tasks), timeout=self._left(deadline))
            self._stop.set()
            self._answers.wakeup.set()
            await asyncio.wait({self._supervisor}, timeout=self._left(deadline))
            if not self._supervisor.done():
                log.warning(
                    "tool runner: tasks still running after %.1fs; cancelling",
                    self._shutdown_timeout,
                )
                self._supervisor.cancel()
                await asyncio.wait({self._supervisor}, timeout=_GRACE)
        finally:
            if not self._supervisor.done():
                self._supervisor.cancel()
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
            close = getattr(self._events, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception:  # the stream's own close failing must not hide our result
                    log.debug("tool runner: closing the event stream failed", exc_info=True)
        if self._supervisor.done() and not self._supervisor.cancelled():
            failure = self._supervisor.exception()
            if failure is not None:
                raise failure

    @staticmethod
    def _left(deadline: float) -> float:
        return max(0.0, deadline - asyncio.get_running_loop().time())

    async def _run(self, started: asyncio.Future[None]) -> None:
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                self._reader = tg.create_task(self._read(), name="gemini-live-tools-reader")
                tg.create_task(self._answers.run(self._stop), name="gemini-live-tools-sender")
                started.set_result(None)
                await self._stop.wait()
        finally:
            if not started.done():
                started.set_result(None)

    # ------------------------------------------------------------------ statistics / events

    def statistics(self) -> ToolStatistics:
        """Counters since the runner started (a snapshot)."""
        answers = self._answers
        return ToolStatistics(
            **asdict(self._n),
            running=len(self._calls),
            responses_sent=answers.responses_sent,
            partial_responses_sent=answers.partial_responses_sent,
            messages_sent=answers.messages_sent,
            send_failures=answers.send_failures,
            withdrawn=answers.withdrawn,
        )

    def _emit(self, event: ToolEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            log.exception("tool runner: on_event callback failed for %s", type(event).__name__)

    def _finished(self, call: _Call) -> float:
        duration = time.perf_counter() - call.started
        n = self._n
        n.busy_seconds += duration
        if duration > n.max_seconds:
            n.max_seconds = duration
        return duration

    # ------------------------------------------------------------------ reading

    async def _read(self) -> None:
        try:
            async for event in self._events:
                if isinstance(event, ToolCall):
                    self._on_calls(event.calls)
                elif isinstance(event, ToolCallCancellation):
                    self._cancel(event.ids, "service")
                elif isinstance(event, ResumptionUpdate):
                    if event.resumable and event.handle:
                        self._checkpoint(event.handle)
                elif isinstance(event, Resumed):
                    if event.fresh_session:
                        self._on_fresh_session()
                    elif event.handle_used is not None:
                        self._on_resumed(event.handle_used)
                    self._answers.resume()
                elif isinstance(event, Disconnected) and event.will_reconnect:
                    self._answers.paused = True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # SessionBroken, SubscriberOverflow: no more calls can come
            self._error = exc
            # A broken session is reported to the application by the session itself; anything
            # else (e.g. SubscriberOverflow) means calls silently stop being answered: warn.
            level = logging.INFO if isinstance(exc, SessionBroken) else logging.WARNING
            log.log(level, "tool runner: the event stream ended with %s", type(exc).__name__)
        finally:
            self._stream_ended.set()
        if not self._closing:
            # The session is over: nothing can be answered any more.
            self._cancel_all("session_ended", answer=False)

    def _checkpoint(self, handle: str) -> None:
        self._seq += 1
        self._checkpoints[handle] = self._seq
        if len(self._checkpoints) > _MAX_CHECKPOINTS:
            del self._checkpoints[next(iter(self._checkpoints))]

    def _on_resumed(self, handle: str) -> None:
        # The service restored the session as it was when it sent ``handle``: calls it issued
        # after that are unknown to it now (a replayed request may ask for them again, with
        # new ids), so they are cancelled like a fresh session's and their ids forgotten.
        cutoff = self._checkpoints.get(handle)
        if cutoff is None:
            return  # a handle from elsewhere (LiveConfig): nothing known to roll back
        for call in list(self._calls.values()):
            if call.seq > cutoff:
                self._cancel_call(call, "rolled_back", answer=False)
        self._answers.drop(lambda call: call.seq > cutoff)
        self._seen = {k: v for k, v in self._seen.items() if v <= cutoff}

    def _on_fresh_session(self) -> None:
        # The service-side session those calls belonged to is gone; its ids may be reused.
        self._cancel_all("fresh_session", answer=False)
        self._answers.drop(lambda call: True)
        self._seen.clear()

    def _on_calls(self, calls: tuple[FunctionCall, ...]) -> None:
        now = time.perf_counter()
        ran = False
        self._seq += 1
        seq = self._seq
        for fc in calls:
            self._n.calls += 1
            if not fc.name or (fc.id is not None and not fc.id):
                # Nothing can answer a call without a name (or with an empty id): the response
                # would be refused before it is sent. Count it and keep serving the others.
                self._n.rejected += 1
                log.warning("tool runner: ignoring a function call without a name or id")
                continue
            call_id = fc.id
            if call_id is None:
                key = f"local-{next(self._local_ids)}"
            elif call_id in self._seen:
                self._n.duplicates += 1
                self._n.rejected += 1
                self._emit(ToolCallRejected(call_id, fc.name, "duplicate_id", "already received"))
                continue
            else:
                key = call_id
                self._seen[call_id] = seq
                if len(self._seen) > _MAX_SEEN:  # a very long session: forget the oldest ids
                    for old in list(itertools.islice(self._seen, _MAX_SEEN // 2)):
                        del self._seen[old]
            tool = self._lookup(fc.name)
            args = fc.args
            # The arguments as they are; converted below for a function that takes typed values.
            call = _Call(key, call_id, fc.name, tool, now, seq, kwargs=args)
            if tool is None:
                self._reject(
                    call,
                    "unknown_function",
                    "UnknownFunction",
                    f"there is no function named {fc.name!r}",
                )
                continue
            found = problems(args, tool.parameters, closed=tool.closed)
            if found:
                self._reject(call, "invalid_arguments", "InvalidArguments", "; ".join(found))
                continue
            if tool.kind != "remote" and tool.converters is not None:
                try:
                    call.kwargs = self._convert(tool, args)
                except Exception as exc:  # a dataclass/pydantic constructor refused the values
                    self._reject(
                        call,
                        "invalid_arguments",
                        "InvalidArguments",
                        f"{type(exc).__name__}: {exc}",
                    )
                    continue
            self._calls[key] = call
            assert self._tg is not None
            # The task removes itself from _call_tasks when _execute ends (no done callback: one
            # loop callback less per call); _cancel_call covers a task cancelled before it ran.
            task = self._tg.create_task(self._execute(call), name="gemini-live-tool")
            call.task = task
            self._call_tasks.add(task)
            if self._on_event is not None:
                self._emit(ToolCallStarted(call_id, fc.name, args))
            ran = True
        if ran and self._on_execution_started is not None:
            try:
                self._on_execution_started()
            except Exception:  # a closed session's bookkeeping is not the runner's concern
                log.debug("tool runner: on_execution_started failed", exc_info=True)

    @staticmethod
    def _convert(tool: ToolFunction, args: dict[str, Any]) -> dict[str, Any]:
        converters = tool.converters
        if converters is None:
            return args
        return {k: converters[k](v) if k in converters else v for k, v in args.items()}

    def _reject(self, call: _Call, reason: Any, error_type: str, detail: str) -> None:
        self._n.rejected += 1
        self._emit(ToolCallRejected(call.id, call.name, reason, detail))
        self._queue(call, error_payload(error_type, detail))

    # ------------------------------------------------------------------ cancelling

    def _cancel(self, ids: tuple[str, ...], reason: CancelReason) -> None:
        for call_id in ids:
            call = self._calls.get(call_id)
            if call is None:
                self._withdraw(call_id)  # already done: its answer must not go out now
                continue
            self._cancel_call(call, reason, answer=False)

    def _cancel_all(self, reason: CancelReason, *, answer: bool) -> None:
        for call in list(self._calls.values()):
            self._cancel_call(call, reason, answer=answer)

    def _cancel_call(self, call: _Call, reason: CancelReason, *, answer: bool) -> None:
        self._calls.pop(call.key, None)
        self._withdraw(call.key)  # partial results not yet sent
        if answer:
            message = f"{call.name} was stopped before it finished"
            self._queue(call, error_payload("Cancelled", message))
        call.state = "cancelled"
        call.reason = reason
        if call.task is not None:
            call.task.cancel()
            if not call.begun:
                # Cancelled before its first step, the task never runs _execute (whose finally
                # removes it from _call_tasks); the TaskGroup still owns and awaits it.
                self._call_tasks.discard(call.task)
        self._n.cancelled += 1
        self._emit(ToolCallCancelled(call.id, call.name, self._finished(call), reason))

    def _withdraw(self, key: str) -> None:
        self._answers.drop(lambda call: call.key == key)

    # ------------------------------------------------------------------ running

    async def _execute(self, call: _Call) -> None:
        call.begun = True
        task = call.task
        tool = call.tool
        assert tool is not None and task is not None
        deadline = tool.deadline if tool.deadline is not None else self._default_deadline
        try:
            # The deadline is one timer handle that cancels the task (_expire), rather than an
            # asyncio.timeout() scope: the same effect for less work on every call. As in
            # asyncio.timeout, the CancelledError becomes the timeout answer only if no other
            # cancellation (e.g. of the runner) is pending: uncancel() back to the count seen
            # on entry.
            cancelling = task.cancelling()
            timer = (
                None
                if deadline is None
                else asyncio.get_running_loop().call_later(deadline, self._expire, call)
            )
            limit = self._limit
            try:
                # acquire()/release() rather than ``async with``: two coroutines less per call.
                await limit.acquire()
                try:
                    value = await self._invocation(call, tool)
                finally:
                    limit.release()
            except asyncio.CancelledError:
                if call.state == "cancelled":
                    return  # we cancelled it and already accounted for it
                if not (call.expired and task.uncancel() <= cancelling):
                    raise
                assert deadline is not None
                self._n.timed_out += 1
                self._emit(ToolCallTimedOut(call.id, call.name, self._finished(call), deadline))
                self._answer(
                    call,
                    error_payload("Timeout", f"{call.name} did not finish within {deadline:g} s"),
                )
            except Exception as exc:
                if call.expired:
                    self._uncancel_expired(task)
                if call.state == "running":
                    self._fail(call, exc)
            else:
                if call.expired:
                    self._uncancel_expired(task)
                if call.state == "running":
                    self._succeed(call, tool, value)
            finally:
                if timer is not None:
                    timer.cancel()
            # Outside the deadline: writing the answer is not part of the call's time.
            if self._answers:
                await self._answers.flush()
        finally:
            self._call_tasks.discard(task)

    def _expire(self, call: _Call) -> None:
        """The call's deadline passed: cancel its task (``_execute`` answers ``Timeout``)."""
        if call.state == "running" and call.task is not None:
            call.expired = True
            call.task.cancel()

    @staticmethod
    def _uncancel_expired(task: asyncio.Task[None]) -> None:
        # The function swallowed the cancellation _expire requested and ended anyway: withdraw
        # that request (as asyncio.timeout does) so it does not linger on the task.
        task.uncancel()

    def _invocation(self, call: _Call, tool: ToolFunction) -> Awaitable[Any]:
        """What ``_execute`` awaits for the function's value (a plain method, not a coroutine:
        no extra frame for the common async function)."""
        kind = tool.kind
        if kind == "stream":
            return self._stream(call, tool)
        if kind == "sync":
            return self._in_thread(tool, call.kwargs)
        if kind == "remote":
            return tool.invoke(call.kwargs)  # type: ignore[no-any-return]
        return tool.invoke(**call.kwargs)  # type: ignore[no-any-return]

    async def _in_thread(self, tool: ToolFunction, kwargs: dict[str, Any]) -> Any:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self._max_threads, thread_name_prefix="gemini-live-tool"
            )
        context = contextvars.copy_context()
        job = functools.partial(context.run, tool.invoke, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    async def _stream(self, call: _Call, tool: ToolFunction) -> Any:
        """Send every item but the last as a partial result; return the last one."""
        stream: AsyncIterator[Any] = tool.invoke(**call.kwargs)
        held = _MISSING
        try:
            async for item in stream:
                if held is not _MISSING and not self._vertex and call.state == "running":
                    self._partial(call, tool, held)
                held = item
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()
        return None if held is _MISSING else held

    def _partial(self, call: _Call, tool: ToolFunction, item: Any) -> None:
        value, scheduling = (
            (item.output, item.scheduling) if isinstance(item, ToolResult) else (item, None)
        )
        try:
            payload = output_payload(value)
        except TypeError as exc:
            payload = error_payload(
                "InvalidResult", f"{call.name} produced a value that is not JSON ({exc})"
            )
        call.partials += 1
        self._queue(call, payload, scheduling=scheduling or "SILENT", will_continue=True, tool=tool)

    def _succeed(self, call: _Call, tool: ToolFunction, value: Any) -> None:
        scheduling = None
        if isinstance(value, ToolResult):
            value, scheduling = value.output, value.scheduling
        try:
            payload = output_payload(value)
        except TypeError as exc:
            message = f"{call.name} returned a value that is not JSON ({exc})"
            self._n.failed += 1
            self._emit(
                ToolCallFailed(call.id, call.name, self._finished(call), "InvalidResult", message)
            )
            self._answer(call, error_payload("InvalidResult", message), tool=tool)
            return
        self._n.succeeded += 1
        duration = self._finished(call)
        if self._on_event is not None:
            output = payload["output"]
            self._emit(ToolCallFinished(call.id, call.name, duration, call.partials, output))
        self._answer(call, payload, scheduling=scheduling, tool=tool)

    def _fail(self, call: _Call, exc: BaseException) -> None:
        payload = exception_payload(exc, expose_message=self._expose or isinstance(exc, ToolError))
        self._n.failed += 1
        error = payload["error"]
        self._emit(
            ToolCallFailed(
                call.id, call.name, self._finished(call), error["type"], error["message"]
            )
        )
        self._answer(call, payload, tool=call.tool)

    def _answer(
        self,
        call: _Call,
        payload: dict[str, Any],
        *,
        scheduling: str | None = None,
        tool: ToolFunction | None = None,
    ) -> None:
        self._calls.pop(call.key, None)
        self._queue(
            call,
            payload,
            scheduling=scheduling,
            will_continue=False if call.partials else None,
            tool=tool,
            inline=True,
        )

    # ------------------------------------------------------------------ sending

    def _queue(
        self,
        call: _Call,
        payload: dict[str, Any],
        *,
        scheduling: str | None = None,
        will_continue: bool | None = None,
        tool: ToolFunction | None = None,
        inline: bool = False,
    ) -> None:
        """Queue a response; ``inline``: the calling task flushes it itself (else the sender)."""
        if call.state != "running":
            return  # answered or cancelled already: never a second answer
        final = not will_continue
        if final:
            call.state = "answered"
        if self._vertex:
            scheduling, will_continue = None, None
        elif tool is not None and tool.behavior != "BLOCKING":
            scheduling = scheduling or tool.scheduling
        else:
            scheduling = None
        response = FunctionResponse(
            name=call.name,
            response=payload,
            id=call.id,
            scheduling=scheduling,
            will_continue=will_continue,
        )
        self._answers.put(call, response, final, inline=inline)

"""One browser tab ↔ one Live session: the relay behind the console's WebSocket.

The relay owns one :class:`~gemini_live.Session` (opened with the public ``connect()``), the
layers above it — a :class:`~gemini_live.conversation.Conversation` (turn records, latency
metrics, stall watchdog) and a :class:`~gemini_live.tools.Toolbox` runner (answers every call
exactly once) — and one TaskGroup with four tasks:

* uplink: page frames → validated → the conversation's writer (``send_audio`` / ``send_text`` /
  ``send_audio_stream_end``, or ``activityStart``/``activityEnd`` for push-to-talk).
  The session's send queue is bounded, so a browser that sends faster than the session can
  write is slowed down by TCP (we stop reading it); one that sends faster than real time for
  longer than :attr:`Limits.audio_burst` is a flood and is cut off with an error.
* downlink: session events → page. The subscription is bounded (:attr:`Limits.event_queue`)
  and every frame to the page waits at most :attr:`Limits.send_timeout`, so a stalled tab costs
  bounded memory and ends with an error instead of growing the server.
* notices: turn records (the relay's own latency measurement), stalls, lost context → page.
* tool outcomes: what the runner reports (call, result, error, cancellation) → page.

Whatever ends first (the tab closes, bad input, the session breaks, the server stops) ends the
whole relay: the other tasks are cancelled, the session is disconnected (bounded) and one log
line says how it went.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from gemini_live.audio.resample import resample_pcm16
from gemini_live.client.session import Session
from gemini_live.client.writer import SessionWriter
from gemini_live.conversation import ContextLost, Conversation, MetricsSnapshot, Stalled, TurnRecord
from gemini_live.errors import LiveError, SessionBroken, SubscriberOverflow
from gemini_live.protocol import events as ev
from gemini_live.tools import Toolbox, ToolCallRejected, ToolCallStarted, ToolEvent
from gemini_live.web.messages import (
    INPUT_RATE,
    OUTPUT_RATE,
    Allowance,
    AudioEnd,
    AudioStart,
    BadInput,
    Hello,
    Limits,
    TextInput,
    check_audio_frame,
    dumps,
    event_message,
    parse_text_frame,
)
from gemini_live.web.tools import tool_message

__all__ = ["Relay", "RelayReport"]

logger = logging.getLogger("gemini_live.web")

SessionOpener = Callable[[], Awaitable[Session]]
_TOO_SLOW = "Relay closed: this page could not keep up with the session."


@dataclass(frozen=True, slots=True)
class RelayReport:
    """How one relay went (the one log line, and what tests look at)."""

    number: int
    seconds: float
    ended: str
    audio_in_seconds: float
    audio_out_seconds: float
    turns: int
    tool_calls: int
    reconnects: int
    first_audio_p50: float | None = None

    def line(self) -> str:
        """The report as the one log line the console prints when a relay ends."""
        latency = (
            f", first audio p50 {self.first_audio_p50 * 1000:.0f} ms"
            if self.first_audio_p50 is not None
            else ""
        )
        return (
            f"web session {self.number} ended after {self.seconds:.1f} s ({self.ended}): "
            f"audio in {self.audio_in_seconds:.1f} s, out {self.audio_out_seconds:.1f} s, "
            f"{self.turns} turn(s), {self.tool_calls} tool call(s), "
            f"{self.reconnects} reconnect(s){latency}"
        )


class _End(Exception):
    """Raised by the task that finishes first, to stop its siblings; carries why."""

    def __init__(self, why: str, *, page_error: str | None = None, code: int = 1000) -> None:
        super().__init__(why)
        self.why = why
        self.page_error = page_error
        self.code = code


def _describe(exc: BaseException) -> str:
    # Library errors never carry credentials (see gemini_live.errors), so they can be shown.
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


class Relay:
    """Relay one page's WebSocket to one Live session. Create one per browser connection."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        open_session: SessionOpener,
        *,
        number: int,
        limits: Limits,
        tools: Toolbox,
        page_info: Mapping[str, Any],
    ) -> None:
        self._ws = ws
        self._open_session = open_session
        self.number = number
        self._limits = limits
        self._tools = tools
        self._page_info = dict(page_info)
        self._send_lock = asyncio.Lock()
        self._audio_in_bytes = 0
        self._audio_out_bytes = 0
        self._turns = 0
        self._tool_calls = 0
        self._reconnects = 0
        # Runner outcomes arrive by synchronous callback; a task forwards them in order. Calls
        # are few, so the bound is generous; beyond it an outcome is not shown (and counted).
        self._tool_events: asyncio.Queue[ToolEvent] = asyncio.Queue(maxsize=256)
        self._tool_events_dropped = 0
        self._metrics: MetricsSnapshot | None = None
        self._started = time.monotonic()
        self._ended_at: float | None = None
        self._end: _End | None = None

    # -- sending to the page ----------------------------------------------------------------

    async def _send(self, message: dict[str, Any] | bytes) -> None:
        """One frame to the page; a page that does not take it in time is given up on."""
        if self._ws.closed:
            raise _End("browser closed")
        try:
            async with asyncio.timeout(self._limits.send_timeout):
                async with self._send_lock:
                    if isinstance(message, bytes):
                        await self._ws.send_bytes(message)
                    else:
                        await self._ws.send_str(dumps(message))
        except TimeoutError:
            raise _End("browser too slow", page_error=_TOO_SLOW, code=1011) from None
        except ConnectionError:
            raise _End("browser closed") from None

    async def _state(self, state: str, **extra: Any) -> None:
        await self._send({"type": "state", "state": state, **extra})

    # -- the whole life of one relay ---------------------------------------------------------

    async def run(self) -> None:
        """Serve the page until one side ends; never raises for anything the page or the
        session does. Safe to cancel (the session is still disconnected, bounded).
        Afterwards :meth:`report` says how it went."""
        self._started = time.monotonic()
        opened: list[Session] = []
        try:
            end = await self._serve(opened)
        except Exception:
            # A bug here must cost one tab, never the server: log it, tell the page, clean up.
            logger.exception("web session %d: relay failed", self.number)
            failed = "The relay failed (see the server log)."
            end = _End("relay failed", page_error=failed, code=1011)
        except asyncio.CancelledError:
            end = _End("server stopping", page_error="The server is shutting down.", code=1001)
            self._end = end
            try:
                await self._finish(opened, end)
            finally:
                self._ended_at = time.monotonic()
            raise
        self._end = end
        try:
            await self._finish(opened, end)
        finally:
            self._ended_at = time.monotonic()

    def report(self) -> RelayReport:
        """What happened so far (final once :meth:`run` returned)."""
        end = self._ended_at if self._ended_at is not None else time.monotonic()
        return RelayReport(
            number=self.number,
            seconds=end - self._started,
            ended=self._end.why if self._end is not None else "running",
            audio_in_seconds=self._audio_in_bytes / (2 * INPUT_RATE),
            audio_out_seconds=self._audio_out_bytes / (2 * OUTPUT_RATE),
            turns=self._turns,
            tool_calls=self._tool_calls,
            reconnects=self._reconnects,
            first_audio_p50=_p50(self._metrics, "first_audio"),
        )

    async def _serve(self, opened: list[Session]) -> _End:
        try:
            await self._hello()
            await self._state("connecting")
            try:
                session = await self._open_session()
            except (LiveError, OSError) as exc:
                raise _End(
                    "could not open the Live session",
                    page_error=f"Could not open the Live session. {_describe(exc)}",
                    code=1011,
                ) from None
        except _End as end:
            return end
        opened.append(session)
        # Every subscriber (ours, the conversation's, the runner's) is taken before the first
        # await after connecting, so that no event is missed.
        events = session.events(max_queue=self._limits.event_queue)
        ended: list[_End] = []
        convo = Conversation(session)
        try:
            async with (
                convo,
                self._tools.serve(session, writer=convo.writer(), on_event=self._tool_event),
                asyncio.TaskGroup() as tasks,
            ):
                notices = convo.events()
                await self._send({"type": "ready", **self._page_info})
                await self._state("connected")
                tasks.create_task(self._uplink(session, convo.writer()))
                tasks.create_task(self._downlink(events))
                tasks.create_task(self._notices(notices))
                tasks.create_task(self._tool_outcomes())
        except* _End as group:
            ended.append(_first_end(group))
        finally:
            self._metrics = convo.metrics()
        # The tasks only end by raising _End; the fallback keeps the type honest.
        return ended[0] if ended else _End("browser closed")

    async def _finish(self, opened: list[Session], end: _End) -> None:
        # Each step is bounded: disconnect() is, and so are the writes to the page.
        for session in opened:
            await session.disconnect()
        if self._ws.closed:
            return
        if end.page_error is not None:
            try:
                async with asyncio.timeout(1.0):
                    await self._ws.send_str(dumps({"type": "error", "message": end.page_error}))
            except (TimeoutError, ConnectionError):
                pass
        try:
            async with asyncio.timeout(2.0):
                # A close reason is at most 123 bytes.
                reason = end.why.encode()[:120].decode("utf-8", "ignore").encode()
                await self._ws.close(code=end.code, message=reason)
        except TimeoutError:
            pass

    # -- page → session -----------------------------------------------------------------------

    async def _hello(self) -> None:
        try:
            async with asyncio.timeout(self._limits.hello_timeout):
                message = await self._ws.receive()
        except TimeoutError:
            raise _End(
                "no hello", page_error="The page did not introduce itself in time.", code=1008
            ) from None
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            raise _End("browser closed")
        try:
            if message.type is not WSMsgType.TEXT:
                raise BadInput("the first message must be a JSON hello")
            first = parse_text_frame(message.data, self._limits)
            if not isinstance(first, Hello):
                raise BadInput("the first message must be a hello")
        except BadInput as exc:
            raise _bad(exc) from None

    async def _uplink(self, session: Session, writer: SessionWriter) -> None:
        limits = self._limits
        clock = time.monotonic
        audio = Allowance(limits.audio_burst, limits.audio_rate, clock())
        control = Allowance(limits.control_burst, limits.control_rate, clock())
        automatic = session.config.automatic_activity_detection_enabled
        try:
            async for message in self._ws:
                if message.type is WSMsgType.BINARY:
                    data = check_audio_frame(message.data, limits)
                    if not audio.take(len(data) / (2 * INPUT_RATE), clock()):
                        raise BadInput(
                            "microphone audio is arriving faster than real time (flood)", 1008
                        )
                    self._audio_in_bytes += len(data)
                    await writer.send_audio(data)
                elif message.type is WSMsgType.TEXT:
                    if not control.take(1.0, clock()):
                        raise BadInput("too many messages per second (flood)", 1008)
                    parsed = parse_text_frame(message.data, limits)
                    if isinstance(parsed, TextInput):
                        await writer.send_text(parsed.text)
                    elif isinstance(parsed, AudioStart):
                        if not automatic:  # push-to-talk: the talk button is the activity
                            await writer.signal_activity_start()
                    elif isinstance(parsed, AudioEnd):
                        if automatic:
                            await writer.send_audio_stream_end()
                        else:
                            await writer.signal_activity_end()
                    else:
                        raise BadInput("hello was already received")
                elif message.type is WSMsgType.ERROR:
                    # aiohttp reports frames it refuses (over max_msg_size, broken framing).
                    raise BadInput(f"unreadable frame: {message.data}", 1009)
        except BadInput as exc:
            raise _bad(exc) from None
        except LiveError as exc:
            raise _session_ended(exc) from None
        raise _End("browser closed")

    # -- session → page -----------------------------------------------------------------------

    async def _downlink(self, events: AsyncIterator[ev.Event]) -> None:
        try:
            async for event in events:
                await self._forward(event)
        except (SessionBroken, SubscriberOverflow) as exc:
            raise _session_ended(exc) from None
        raise _End("session closed", page_error="The Live session ended.", code=1011)

    async def _forward(self, event: ev.Event) -> None:
        match event:
            case ev.AudioChunk(data=data, sample_rate=rate):
                pcm = data if rate == OUTPUT_RATE else resample_pcm16(data, rate, OUTPUT_RATE)
                self._audio_out_bytes += len(pcm)
                await self._send(pcm)
            case ev.Disconnected(will_reconnect=True):
                await self._state("reconnecting")
            case ev.Reconnecting(attempt=attempt, delay=delay):
                await self._state("reconnecting", attempt=attempt, delay=round(delay, 3))
            case ev.Resumed(fresh_session=fresh, replayed_count=replayed):
                self._reconnects += 1
                await self._state("resumed", fresh=fresh, replayed=replayed)
            case ev.TurnComplete():
                self._turns += 1
                await self._send({"type": "turn_complete"})
            case _:
                message = event_message(event)
                if message is not None:
                    await self._send(message)

    # -- the layers above the session → page ---------------------------------------------------

    async def _notices(self, notices: AsyncIterator[Any]) -> None:
        async for notice in notices:
            match notice:
                case TurnRecord(index=index, latency=latency, interrupted=interrupted):
                    first = latency.first_audio
                    await self._send(
                        {
                            "type": "turn_record",
                            "index": index,
                            "firstAudioMs": None if first is None else round(first * 1000),
                            "inputEnd": latency.input_end_kind,
                            "interrupted": interrupted is not None,
                        }
                    )
                case Stalled(waited=waited, waiting_for=waiting_for):
                    text = (
                        f"No answer from the model for {waited:.0f} s (waiting for {waiting_for})"
                    )
                    await self._send({"type": "notice", "text": text})
                case ContextLost():
                    text = "The service seems to have lost the conversation after reconnecting."
                    await self._send({"type": "notice", "text": text})
        # The conversation follows the session: it ends when the session does (downlink says).
        await asyncio.Event().wait()

    def _tool_event(self, event: ToolEvent) -> None:
        if isinstance(event, ToolCallStarted | ToolCallRejected):
            self._tool_calls += 1
        try:
            self._tool_events.put_nowait(event)
        except asyncio.QueueFull:
            self._tool_events_dropped += 1

    async def _tool_outcomes(self) -> None:
        while True:
            event = await self._tool_events.get()
            for message in tool_message(event):
                await self._send(message)


def _bad(exc: BadInput) -> _End:
    return _End(f"bad input: {exc}", page_error=f"Relay closed: {exc}.", code=exc.close_code)


def _session_ended(exc: BaseException) -> _End:
    if isinstance(exc, SubscriberOverflow):
        return _End("browser too slow", page_error=_TOO_SLOW, code=1011)
    return _End(
        f"session ended: {_describe(exc)}",
        page_error=f"The Live session ended. {_describe(exc)}",
        code=1011,
    )


def _p50(metrics: MetricsSnapshot | None, name: str) -> float | None:
    summary = metrics.latency.get(name) if metrics is not None else None
    return summary.p50 if summary is not None else None


def _first_end(group: BaseExceptionGroup[_End]) -> _End:
    ends: list[_End] = []
    pending: list[BaseException] = [group]
    while pending:
        item = pending.pop(0)
        if isinstance(item, BaseExceptionGroup):
            pending.extend(item.exceptions)
        elif isinstance(item, _End):
            ends.append(item)
    return ends[0]

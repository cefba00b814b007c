"""One emulated connection: setup, resumption, the read loop, dispatch and lifetimes.

Resumption choices (the service leaves them open):

* ``lastConsumedClientMessageIndex`` (only with ``transparent``, Vertex paths): per connection,
  ``setup`` is index 0 and the first message after it is 1; the value N means messages 1..N of
  this connection are in the handle's state.
* Updates go out after every completed (or interrupted) turn and after every
  ``resumption_update_every`` client messages; they say ``{"resumable": false}`` (no handle) while
  the model is generating, a turn is held for BLOCKING calls, calls are pending, answers are
  queued or the user is speaking.
* An unknown or expired handle closes the connection with ``handle_reject_code`` (1008
  ``Requested entity was not found.`` by default). A different model on resume closes 1007.
  Resuming while the session's previous socket is still open closes the new one 1011
  ``Internal error occurred.`` (reported behaviour; ``reject_concurrent_resume=False`` allows it).
* On resume, ``systemInstruction`` and ``tools`` present in the new ``setup`` replace the restored
  ones; absent ones keep the restored values.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from . import frames
from .engine import Job, TurnEngine
from .faults import Fault
from .inputs import InputTracker
from .link import EmulatorConnection, Link, LinkClosed
from .messages import (
    ActivitySignal,
    AudioChunk,
    AudioStreamEnd,
    ClientContent,
    ContextUpdate,
    ParsedMessage,
    TextInput,
    ToolResponse,
    VideoFrame,
    parse_client_message,
)
from .model import speech_text
from .resumption import HandleError
from .runtime import Route, Runtime
from .scenario import Rule, Scenario, play
from .setup_config import SessionConfig, parse_setup
from .state import ConsumedMessage, ConversationState, EmulatedSession, Turn
from .wire import INVALID_ARGUMENT, Reject, normalize, parse_frame

__all__ = ["Connection"]

logger = logging.getLogger("gemini_live.testing")

FIRST_NOT_SETUP = f"{INVALID_ARGUMENT} The first message must be a setup message."
BAD_KEY = "API key not valid. Please pass a valid API key."


def _peer(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = f"[{address[0]}]" if ":" in str(address[0]) else str(address[0])
        return f"{host}:{address[1]}"
    return str(address)


class Connection:
    """Serves one WebSocket connection until it ends."""

    def __init__(
        self,
        runtime: Runtime,
        ws: ServerConnection,
        conn_id: int,
        route: Route,
        credential: str,
        faults: tuple[Fault, ...],
        scenario: Scenario | None,
    ) -> None:
        self.rt = runtime
        self.options = runtime.options
        self.ws = ws
        self.conn_id = conn_id
        self.route = route
        self._credential = credential
        self.scenario = scenario
        self.link = Link(
            ws, conn_id, faults, runtime.faults, runtime.recorder, self._frame_out, self._closed
        )
        self.session: EmulatedSession | None = None
        self.config: SessionConfig | None = None
        self.engine: TurnEngine | None = None
        self.inputs: InputTracker | None = None
        self.index = 0  # messages received after setup
        self.applied = 0  # messages whose effects are fully in the state
        self._dispatching = False
        self._update_due = False
        self._tasks: list[asyncio.Task[None]] = []
        self._speech_start = 0.0

    def _frame_out(self) -> None:
        self.rt.stats.frames_out += 1

    def _closed(self, code: int) -> None:
        self.rt.stats.closes[code] += 1

    # -- top level -----------------------------------------------------------------------
    async def run(self) -> None:
        """Serve until the connection ends (never raises for connection-level outcomes)."""
        # Who connected and where, never how: the credential is not logged.
        logger.info(
            "connection %d: client %s connected (%s %s %s)",
            self.conn_id,
            _peer(self.ws.remote_address),
            self.route.platform,
            self.route.version,
            self.route.method,
        )
        fault = self.link.has("slow_pongs")
        if fault is not None and isinstance(self.ws, EmulatorConnection):
            self.ws.pong_delay = fault.seconds or 0.0
        self._start_task(self._lifetime())
        try:
            await self._serve()
        except Reject as reject:
            logger.info("connection %d: closing %d %s", self.conn_id, reject.code, reject.reason)
            with suppress(LinkClosed):
                await self.link.close(reject.code, reject.reason)
        except (LinkClosed, ConnectionClosed):
            pass
        finally:
            await self._cleanup()

    async def _cleanup(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if self.engine is not None:
            await self.engine.stop()
        self.link.cancel_timers()
        with suppress(asyncio.TimeoutError):
            async with asyncio.timeout(1.0):
                await self.ws.wait_closed()
        logger.info("connection %d: closed (code %s)", self.conn_id, self.ws.close_code or "none")
        if not self.link.closed and self.rt.recorder is not None:
            self.rt.recorder.event(
                self.conn_id,
                "close",
                code=self.ws.close_code,
                reason=self.ws.close_reason or "",
                by="client",
            )
        if self.session is not None:
            self.session.detach(self.ws, self.options.clock())

    def _start_task(self, coro: Any) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(self._guard(coro)))

    async def _guard(self, coro: Any) -> None:
        with suppress(LinkClosed, ConnectionClosed):
            await coro

    async def _close(self, code: int, reason: str) -> None:
        await self.link.close(code, reason)

    async def _recv(self) -> dict[str, Any]:
        data = await self.ws.recv()
        self.rt.stats.frames_in += 1
        if self.rt.recorder is not None:
            self.rt.recorder.frame(self.conn_id, "c2s", data)
        return parse_frame(data)

    # -- setup ---------------------------------------------------------------------------
    async def _serve(self) -> None:
        message = normalize(await self._recv())
        if list(message) != ["setup"]:
            raise Reject(1007, FIRST_NOT_SETUP)
        if self.options.api_keys is not None and self._credential not in self.options.api_keys:
            raise Reject(1007, BAD_KEY)
        rule = self.scenario.match(message) if self.scenario else None
        config = self._parse_setup(message["setup"], rule)
        await self._open_session(config, message["setup"])
        logger.info(
            "connection %d: setup for %s (%s)",
            self.conn_id,
            config.model,
            "resuming a session" if config.handle else "new session",
        )
        await self.link.moment("setup")
        delay = self.link.has("delay_setup")
        if delay is not None:
            await asyncio.sleep(delay.seconds or 0.0)
        if self.link.has("no_setup_complete") is not None:
            await self.ws.wait_closed()
            return
        if rule is not None:
            await self._play(rule)
        else:
            session_id = self._session.id if self.options.session_ids else None
            await self.link.send(frames.setup_complete(session_id))
        self.rt.stats.setups_completed += 1
        await self.link.moment("setup_complete")
        self._start_task(self._session_limit())
        self._engine.start()
        await self._read_loop()

    @property
    def _session(self) -> EmulatedSession:
        assert self.session is not None
        return self.session

    @property
    def _config(self) -> SessionConfig:
        assert self.config is not None
        return self.config

    @property
    def _engine(self) -> TurnEngine:
        assert self.engine is not None
        return self.engine

    def _parse_setup(self, setup: Any, rule: Rule | None) -> SessionConfig:
        try:
            return parse_setup(
                setup,
                self.route.platform,
                self.options.models,
                strict_names=self.options.strict_model_names,
            )
        except Reject:
            if rule is None or self.scenario is None or self.scenario.validate:
                raise
            return SessionConfig(model="unvalidated", platform=self.route.platform)

    async def _open_session(self, config: SessionConfig, raw_setup: dict[str, Any]) -> None:
        if config.handle:
            refuse = self.link.has("refuse_resumption")
            if refuse is not None:
                raise Reject(refuse.code, refuse.reason)
            try:
                record = self.rt.handles.resolve(config.handle)
            except HandleError:
                raise Reject(
                    self.options.handle_reject_code, self.options.handle_reject_reason
                ) from None
            session = record.session
            if session.model != config.model:
                raise Reject(1007, f"{INVALID_ARGUMENT} The model cannot change on resumption.")
            old = session.open_socket
            if (
                self.options.reject_concurrent_resume
                and old is not None
                and old.state is State.OPEN
            ):
                raise Reject(1011, "Internal error occurred.")
            session.state = record.snapshot.snapshot()
            if self.link.has("forget_context") is not None:
                restored = session.state
                session.state = ConversationState(
                    system_instruction=restored.system_instruction, tools=restored.tools
                )
            session.resumed_from.append(config.handle)
            self.rt.stats.resumptions += 1
            if "systemInstruction" in raw_setup or "system_instruction" in raw_setup:
                session.state.system_instruction = config.system_instruction
            if "tools" in raw_setup:
                session.state.tools = config.tools
        else:
            session = self.rt.new_session(config.model, config.platform)
            session.state.system_instruction = config.system_instruction
            session.state.tools = config.tools
            session.state.seeding = config.history_in_client_content
        session.attach(self.ws)
        session.consume(ConsumedMessage(session.connections, 0, "setup", None, raw_setup))
        self.session = session
        self.config = config
        self.inputs = InputTracker(config)
        self.engine = TurnEngine(
            session, config, self.options, self.link, self._turn_ended, self.rt.stats
        )

    async def _play(self, rule: Rule) -> None:
        await play(rule, self.link.send, lambda data: self.link.send_raw(data, counted=True))
        if rule.then_close is not None:
            await self._close(*rule.then_close)
        if rule.then_abort:
            self.link.abort()

    # -- read loop -----------------------------------------------------------------------
    async def _read_loop(self) -> None:
        try:
            await self._read_and_answer()
        except ConnectionClosed:
            if self.link.closed:  # the emulator ended the connection: it stops reading too
                raise
        # The client closed while frames it had sent were still queued here (an answer to one
        # of them, e.g. a resumption update, could not be sent): like a server that reads its
        # input to the end, record them all as consumed, answering nothing.
        await self._drain()

    async def _drain(self) -> None:
        while True:
            self._consume(await self._recv())

    def _consume(self, raw: dict[str, Any]) -> ParsedMessage:
        config = self._config
        session = self._session
        parsed = parse_client_message(raw, config.platform, config.automatic_activity_detection)
        self.index += 1
        session.consume(
            ConsumedMessage(
                session.connections, self.index, parsed.kind, parsed.field, parsed.payload
            )
        )
        return parsed

    async def _read_and_answer(self) -> None:
        while True:
            parsed = self._consume(await self._recv())
            # Real-time input wakes a model silenced until input; text that did so is only
            # its prompt to go on, not a turn of its own.
            woke = parsed.kind == "realtimeInput" and parsed.field in ("audio", "text")
            woke = woke and self._engine.wake() and parsed.field == "text"
            rule = self.scenario.match({parsed.kind: parsed.payload}) if self.scenario else None
            self._dispatching = True
            try:
                if woke:
                    pass
                elif rule is not None:
                    await self._play(rule)
                else:
                    await self._dispatch(parsed)
            finally:
                self._dispatching = False
            self.applied = self.index
            every = self.options.resumption_update_every
            if self._update_due or (every and self.index % every == 0):
                self._update_due = False
                await self._resumption_update()
            await self.link.after_client_message(self.index)

    async def _dispatch(self, parsed: ParsedMessage) -> None:
        body = parsed.body
        engine = self._engine
        inputs = self.inputs
        assert inputs is not None
        state = self._session.state
        if isinstance(body, AudioChunk):
            for event in inputs.audio(body):
                await self._vad_event(event.kind, event.offset)
            if inputs.speaking:
                await self.link.moment("mid_audio")
        elif isinstance(body, TextInput):
            if not inputs.text(body.text):
                await self._user_turn(body.text, 0.0)
        elif isinstance(body, ClientContent):
            await self._client_content(body)
        elif isinstance(body, ToolResponse):
            await engine.submit_results(body.results)
        elif isinstance(body, ActivitySignal):
            if body.start:
                await self._maybe_interrupt()
                inputs.activity_start()
            else:
                speech = inputs.activity_end()
                if speech is not None:
                    await self._user_turn(speech.text, speech.audio_seconds)
        elif isinstance(body, AudioStreamEnd):
            for event in inputs.stream_end():
                await self._vad_event(event.kind, event.offset)
        elif isinstance(body, VideoFrame):
            state.video_frames += 1
            if not self._session.used_video:
                self._session.used_video = True
                self._start_task(self._session_limit())
        elif isinstance(body, ContextUpdate):
            if body.system_instruction is not None:
                state.system_instruction = body.system_instruction
            if body.tools is not None:
                state.tools = body.tools

    async def _maybe_interrupt(self) -> None:
        if self._engine.busy and self._config.interrupts:
            await self._engine.interrupt()

    async def _vad_event(self, kind: str, offset: float) -> None:
        config = self._config
        signal = config.explicit_vad_signal or self.options.voice_activity
        if kind == "start":
            if signal:
                await self.link.send(frames.voice_activity("ACTIVITY_START", offset))
            self._speech_start = offset
            await self._maybe_interrupt()
            return
        if signal:
            await self.link.send(frames.voice_activity("ACTIVITY_END", offset))
        duration = max(0.0, offset - self._speech_start)
        await self._user_turn(speech_text(duration), duration)

    async def _user_turn(self, text: str, audio_seconds: float) -> None:
        await self._maybe_interrupt()
        state = self._session.state
        earlier = tuple(state.user_texts())
        state.turns.append(Turn("user", text, audio_seconds=audio_seconds))
        if self._config.input_transcription:
            await self.link.send(frames.input_transcription(text))
        self.rt.stats.turns += 1
        self._engine.enqueue(Job(user_text=text, earlier=earlier))

    async def _client_content(self, body: ClientContent) -> None:
        await self._engine.interrupt()
        state = self._session.state
        system = [t.text for t in body.turns if t.role == "system"]
        if system:
            state.system_instruction = "\n".join(system)
        for content in body.turns:
            if content.role != "system":
                state.turns.append(Turn(content.role, content.text))
        if state.seeding:
            state.seeding = not body.turn_complete
            return
        if body.turn_complete:
            pending = 0
            for turn in reversed(state.turns):
                if turn.role != "user":
                    break
                pending += 1
            texts = state.user_texts()
            earlier = tuple(texts[: len(texts) - pending])
            self.rt.stats.turns += 1
            self._engine.enqueue(Job(user_text=state.pending_user_text(), earlier=earlier))

    # -- resumption and lifetimes --------------------------------------------------------
    async def _turn_ended(self) -> None:
        if self._dispatching:
            self._update_due = True
            return
        await self._resumption_update()

    async def _resumption_update(self) -> None:
        config = self._config
        if not config.resumption:
            return
        inputs = self.inputs
        resumable = (
            self._engine.resumable
            and not (inputs is not None and inputs.speaking)
            and self.link.has("unresumable") is None
        )
        if resumable:
            handle = self.rt.handles.issue(self._session, self._session.state, self.applied)
            index = self.applied if config.transparent else None
            frame = frames.resumption_update(handle, resumable=True, last_consumed_index=index)
        else:
            frame = frames.resumption_update(None, resumable=False)
        await self.link.send(frame)

    async def _lifetime(self) -> None:
        lifetime = self.options.connection_lifetime
        if lifetime is None:
            return
        before = self.options.go_away_before
        if before is not None and 0 <= before < lifetime:
            await asyncio.sleep(lifetime - before)
            await self.link.send(frames.go_away(before))
            await asyncio.sleep(before)
        else:
            await asyncio.sleep(lifetime)
        await self._close(self.options.lifetime_close_code, self.options.lifetime_close_reason)

    async def _session_limit(self) -> None:
        session = self._session
        if self._config.compression:
            return
        limit = (
            self.options.video_session_limit
            if session.used_video
            else self.options.audio_session_limit
        )
        if limit is None:
            return
        elapsed = asyncio.get_running_loop().time() - session.started_at
        await asyncio.sleep(max(0.0, limit - elapsed))
        await self._close(
            self.options.session_limit_close_code, self.options.session_limit_close_reason
        )

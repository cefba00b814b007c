"""The turn engine: produces model turns one at a time, with interruption and tool calls.

Frame order of a turn (see :mod:`.model` for the words):

* normal: ``modelTurn`` chunks (text words, or 40 ms audio chunks with ``outputTranscription``
  words sent just before the audio chunk where each word starts) -> ``generationComplete`` ->
  ``turnComplete`` carrying ``usageMetadata`` (per-turn counts).
* BLOCKING call: ``toolCall`` and then nothing until every call is answered (``turnComplete``
  held), then the result words -> ``generationComplete`` -> ``turnComplete``.
* NON_BLOCKING call: ``toolCall`` -> filler words -> ``generationComplete`` -> ``turnComplete``;
  each result later gets its own turn (WHEN_IDLE: queued after current output; INTERRUPT: the
  current generation is interrupted and the result is answered first; SILENT: history only).
* with ``combined_events``: each audio chunk carries the transcription words that start in it, and
  the last content chunk carries ``generationComplete`` (3.x may put several fields in one event).
* interrupted: ``toolCallCancellation`` (if calls were pending) -> ``interrupted`` ->
  ``turnComplete`` (with usage); no ``generationComplete``. Only what was already sent stays in
  the history (as an ``interrupted`` model turn).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed

from gemini_live.audio.synth import UNIT_SECONDS, synth_samples, synthesize

from . import frames
from . import model as rules
from .link import Link, LinkClosed
from .messages import FunctionResult
from .options import EmulatorOptions
from .runtime import EmulatorStats
from .setup_config import SessionConfig
from .state import EmulatedSession, Turn
from .wire import INVALID_ARGUMENT, Reject

__all__ = ["Job", "TurnEngine"]

logger = logging.getLogger("gemini_live.testing")

OUTPUT_RATE = 24000
CHUNK_SAMPLES = OUTPUT_RATE * 40 // 1000
_NON_BLOCKING_BY_DEFAULT = ("gemini-3.8-live", "gemini-3.8-live-extended-thinking")


@dataclass(frozen=True, slots=True)
class Job:
    """Something the model must answer: a user input, or function results."""

    user_text: str = ""
    earlier: tuple[str, ...] = ()
    results: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    continuation: bool = False

    @property
    def is_results(self) -> bool:
        return bool(self.results)


@dataclass(slots=True)
class PendingCall:
    id: str
    name: str
    blocking: bool
    results: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)


class TurnEngine:
    """Runs the model's turns for one connection of a session (one worker task)."""

    def __init__(
        self,
        session: EmulatedSession,
        config: SessionConfig,
        options: EmulatorOptions,
        link: Link,
        on_turn_end: Callable[[], Awaitable[None]],
        stats: EmulatorStats | None = None,
    ) -> None:
        self.session = session
        self.stats = stats or EmulatorStats()
        self.config = config
        self.options = options
        self.link = link
        self._on_turn_end = on_turn_end
        self._jobs: deque[Job] = deque()
        self._wake = asyncio.Event()
        self._done = asyncio.Event()
        self._done.set()
        self._generating = False
        self._stop = False
        self._sent: list[str] = []
        self._recorded = False
        self._model_turn: Turn | None = None
        self._gen_sent = False
        self._chunks_this_turn = 0
        self._audio_this_turn = False
        self.pending: dict[str, PendingCall] = {}
        self._held: list[str] | None = None
        self._held_results: dict[str, tuple[str, Mapping[str, Any]]] = {}
        self.cancelled: set[str] = set()
        self._worker: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self._hush = asyncio.Event()  # releases a job held by the silence fault

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker task."""
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the worker (safe to call more than once)."""
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
            self._worker = None

    @property
    def busy(self) -> bool:
        """Generating, holding a turn for BLOCKING calls, or with answers queued."""
        return self._generating or self._held is not None or bool(self._jobs)

    @property
    def resumable(self) -> bool:
        """Whether the state may be captured in a handle now."""
        return not self.busy and not self.pending

    def enqueue(self, job: Job, *, front: bool = False) -> None:
        """Schedule ``job`` (``front``: before anything already queued)."""
        if front:
            self._jobs.appendleft(job)
        else:
            self._jobs.append(job)
        self._wake.set()

    # -- worker --------------------------------------------------------------------------
    def _next_job(self) -> Job | None:
        if self._stop:
            return None
        if self._held is not None:
            for job in self._jobs:
                if job.continuation:
                    self._jobs.remove(job)
                    return job
            return None
        return self._jobs.popleft() if self._jobs else None

    async def _run(self) -> None:
        try:
            while True:
                job = self._next_job()
                if job is None:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                self._generating = True
                self._done.clear()
                try:
                    finished = await self._run_job(job)
                finally:
                    self._generating = False
                    self._done.set()
                if finished:
                    await self._on_turn_end()
        except (LinkClosed, ConnectionClosed):
            return
        except Exception as exc:
            self.error = exc
            logger.exception("emulator turn engine failed")
            try:
                await self.link.close(1011, "Internal error occurred.")
            except (LinkClosed, ConnectionClosed):
                pass

    async def _run_job(self, job: Job) -> bool:
        """Produce one turn; False when the turn is held or was interrupted."""
        state = self.session.state
        if job.continuation:
            self._held = None
            self._held_results = {}
        else:
            self._sent = []
            self._recorded = False
            self._model_turn = None
            self._chunks_this_turn = 0
            self._audio_this_turn = False
        if not await self._quiet():
            return False
        if self.options.reply_delay and not await self._pause(self.options.reply_delay):
            return False
        instruction = state.system_instruction
        if job.is_results:
            text = rules.result_text(job.results, instruction=instruction)
        else:
            reply = rules.respond(
                job.user_text,
                instruction=instruction,
                tools=state.tools,
                earlier_user_texts=job.earlier,
            )
            if reply.calls:
                names = await self._call(reply.calls)
                if self._held is not None:
                    return False
                text = rules.filler_text(names, instruction=instruction)
            else:
                text = reply.text
        if not await self._speak(text):
            return False
        return await self._finish(text)

    async def _call(self, calls: tuple[rules.PlannedCall, ...]) -> list[str]:
        state = self.session.state
        wire_calls: list[dict[str, Any]] = []
        blocking: list[str] = []
        for call in calls:
            call_id = self.session.new_call_id()
            decl = state.tools.find(call.name)
            behavior = (decl.behavior if decl else None) or self._default_behavior()
            self.pending[call_id] = PendingCall(call_id, call.name, behavior == "BLOCKING")
            if behavior == "BLOCKING":
                blocking.append(call_id)
            wire_calls.append({"id": call_id, "name": call.name, "args": call.args})
            state.turns.append(
                Turn("function_call", f"{call.name} {rules.compact_json(call.args)}")
            )
        self.stats.tool_calls += len(wire_calls)
        await self.link.send(frames.tool_call(wire_calls))
        await self.link.moment("tool_call")
        if blocking:
            self._held = blocking
            self._held_results = {}
        return [c.name for c in calls]

    def _default_behavior(self) -> str:
        if self.options.default_tool_behavior is not None:
            return self.options.default_tool_behavior
        return "NON_BLOCKING" if self.session.model in _NON_BLOCKING_BY_DEFAULT else "BLOCKING"

    async def _pause(self, seconds: float) -> bool:
        await asyncio.sleep(seconds)
        return not self._stop

    async def _quiet(self) -> bool:
        """Under the silence fault, hold the job and produce nothing until an interruption
        releases it (False: drop the job). The job counts as generating meanwhile, so no
        resumable handle covers its input and a resume replays it."""
        if not self.link.silenced:
            return True
        self._hush.clear()
        await self._hush.wait()
        return not self.link.silenced

    def wake(self) -> bool:
        """End a ``silence`` fault that waits for input; True if a held job now continues."""
        if not (self.link.silenced and self.link.wake_on_input):
            return False
        self.link.silenced = self.link.wake_on_input = False
        held = self._generating and not self._hush.is_set()
        self._hush.set()
        return held

    async def _content_sent(self, audio: bool) -> None:
        self._chunks_this_turn += 1
        if self._chunks_this_turn == 1:
            await self.link.moment("mid_turn")
        if audio and not self._audio_this_turn:
            self._audio_this_turn = True
            await self.link.moment("mid_reply_audio")

    async def _speak(self, text: str) -> bool:
        """Stream ``text``; False if interrupted."""
        self._gen_sent = False
        combined = self.options.combined_events
        if self.config.modality == "TEXT":
            pieces = re.findall(r"\s*\S+", text)
            for i, piece in enumerate(pieces):
                if i and not await self._pause(self.options.text_pace):
                    return False
                if self._stop or not await self._quiet():
                    return False
                frame = frames.model_text(piece)
                if combined and i == len(pieces) - 1:
                    frame["serverContent"]["generationComplete"] = True
                    self._gen_sent = True
                await self.link.send(frame)
                self._sent.append(piece)
                await self._content_sent(audio=False)
            return not self._stop
        pcm = synthesize(text, OUTPUT_RATE)
        words = text.split()
        unit = round(OUTPUT_RATE * UNIT_SECONDS)
        starts: list[int] = []
        offset = 0
        for word in words:
            starts.append(offset)
            offset += unit * (len(word) + 1)
        next_word = 0
        step = CHUNK_SAMPLES * 2
        for i, start in enumerate(range(0, len(pcm), step)):
            if i and not await self._pause(self.options.audio_pace):
                return False
            if self._stop or not await self._quiet():
                return False
            chunk_end = start // 2 + CHUNK_SAMPLES
            riding = ""
            while next_word < len(words) and starts[next_word] < chunk_end:
                piece = (" " if next_word else "") + words[next_word]
                if self.config.output_transcription and combined:
                    riding += piece
                elif self.config.output_transcription:
                    await self.link.send(frames.output_transcription(piece))
                self._sent.append(piece)
                next_word += 1
            frame = frames.model_audio(pcm[start : start + step])
            if riding:
                frame["serverContent"]["outputTranscription"] = {"text": riding}
            if combined and start + step >= len(pcm):
                frame["serverContent"]["generationComplete"] = True
                self._gen_sent = True
            await self.link.send(frame)
            await self._content_sent(audio=True)
        return not self._stop

    def _usage(self, reply: str) -> dict[str, Any]:
        state = self.session.state
        prompt_text = rules.text_tokens(state.system_instruction)
        audio_seconds = 0.0
        for turn in state.turns:
            if turn is self._model_turn:
                continue  # the reply being measured is output, not prompt
            if turn.audio_seconds:
                audio_seconds += turn.audio_seconds
            else:
                prompt_text += rules.text_tokens(turn.text)
        prompt = {
            "TEXT": prompt_text,
            "AUDIO": rules.audio_tokens(audio_seconds),
            "VIDEO": state.video_frames * rules.VIDEO_TOKENS_PER_FRAME,
        }
        if self.config.modality == "TEXT":
            response = {"TEXT": rules.text_tokens(reply)}
        else:
            seconds = synth_samples(reply, OUTPUT_RATE) / OUTPUT_RATE
            response = {"AUDIO": rules.audio_tokens(seconds)}
        return frames.usage_metadata(prompt, response, vertex=self.config.platform == "vertex")

    def _record_model(self, text: str, *, interrupted: bool) -> None:
        if not self._recorded and text:
            self._model_turn = Turn("model", text, interrupted=interrupted)
            self.session.state.turns.append(self._model_turn)
        self._recorded = True

    async def _finish(self, text: str) -> bool:
        if not await self._quiet():
            return False
        if not self._gen_sent:
            await self.link.send(frames.generation_complete())
        self._record_model(text, interrupted=False)
        if self.options.turn_complete_delay and not await self._pause(
            self.options.turn_complete_delay
        ):
            return False
        status = "IDLE" if self.options.interaction_status else None
        await self.link.send(
            frames.turn_complete(usage=self._usage(text), interaction_status=status)
        )
        await self.link.moment("turn_complete")
        return True

    # -- control from the reader ---------------------------------------------------------
    async def interrupt(self, *, cancel_calls: bool = True) -> bool:
        """Cut the current turn off (if any): cancellation, ``interrupted``, ``turnComplete``.

        Returns False when nothing was being generated or held. Not safe to call concurrently.
        """
        if not (self._generating or self._held is not None):
            return False
        if self.link.silenced:
            # A silenced model ignores the barge-in too: release the held job, say nothing.
            self._hush.set()
            await self._done.wait()
            return False
        self._stop = True
        self.stats.interruptions += 1
        try:
            await self._done.wait()
            self._jobs = deque(j for j in self._jobs if not j.continuation)
            ids = list(self.pending) if cancel_calls else list(self._held or ())
            for call_id in ids:
                self.pending.pop(call_id, None)
                self.cancelled.add(call_id)
            self._held = None
            self._held_results = {}
            if ids:
                await self.link.send(frames.tool_call_cancellation(ids))
            await self.link.send(frames.interrupted())
            partial = "".join(self._sent)
            self._record_model(partial, interrupted=True)
            await self.link.send(frames.turn_complete(usage=self._usage(partial)))
            await self.link.moment("turn_complete")
        finally:
            self._stop = False
            self._wake.set()
        await self._on_turn_end()
        return True

    def _match(self, result: FunctionResult) -> PendingCall | None:
        if result.id is not None:
            return self.pending.get(result.id)
        for call in self.pending.values():
            if call.name == result.name:
                return call
        return None

    async def submit_results(self, results: tuple[FunctionResult, ...]) -> None:
        """Handle a ``toolResponse``."""
        state = self.session.state
        for result in results:
            call = self._match(result)
            if call is None:
                if result.id in self.cancelled:
                    logger.info("ignoring a late response for cancelled call %s", result.id)
                    continue
                if self.options.unknown_tool_response == "close":
                    raise Reject(1007, f"{INVALID_ARGUMENT} No pending function call {result.id}.")
                logger.warning("ignoring a response for unknown call %s", result.id)
                continue
            response = result.response
            state.turns.append(
                Turn("function_response", f"{call.name} {rules.compact_json(response)}")
            )
            if call.blocking:
                self.pending.pop(call.id, None)
                self._held_results[call.id] = (call.name, response)
                if self._held is not None and all(i in self._held_results for i in self._held):
                    ordered = tuple(self._held_results[i] for i in self._held)
                    self.enqueue(Job(results=ordered, continuation=True), front=True)
                continue
            if not result.will_continue:
                self.pending.pop(call.id, None)
            scheduling = result.scheduling or "WHEN_IDLE"
            if scheduling == "SILENT":
                continue
            job = Job(results=((call.name, response),))
            if scheduling == "INTERRUPT":
                if self._generating:
                    await self.interrupt(cancel_calls=False)
                self.enqueue(job, front=True)
            else:
                self.enqueue(job)

"""``gemini-live demo``: one short, real Live session that shows the main features.

Four turns: a text question answered with audio (plus its transcript), a tool call answered by
a local Python function, a long answer interrupted by new client content, and the answer after
the interruption. Each turn prints a live transcript and its latency (first output, complete).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import gemini_live
from gemini_live import (
    AudioChunk,
    AudioTranscriptionConfig,
    Disconnected,
    GenerationConfig,
    Interrupted,
    LiveConfig,
    OutputTranscription,
    Reconnecting,
    Resumed,
    TextDelta,
    ToolCall,
    TurnComplete,
)
from gemini_live.cli.target import open_target
from gemini_live.client.fanout import Subscription
from gemini_live.client.writer import SessionWriter
from gemini_live.conversation import Conversation
from gemini_live.conversation.transcript import latency_table
from gemini_live.errors import LiveError
from gemini_live.tools import Toolbox, ToolCallFinished, ToolCallStarted, ToolEvent

__all__ = [
    "SAMPLE_TOOLS",
    "TurnResult",
    "connection_state",
    "get_weather",
    "print_tool_calls",
    "run_demo",
    "run_turn",
]

TURN_TIMEOUT = 60.0


SAMPLE_TOOLS = Toolbox()


# BLOCKING: the answer waits for the result, so it is spoken in this turn.
@SAMPLE_TOOLS.function(behavior="BLOCKING")
def get_weather(city: str) -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
    """
    table = {"paris": 18, "london": 14, "tokyo": 22}
    return {"city": city, "temp_c": table.get(city.lower(), 20), "sky": "clear"}


WEATHER_TOOL = SAMPLE_TOOLS.declarations()[0]


def print_tool_calls() -> Callable[[ToolEvent], None]:
    """An ``on_event`` for ``SAMPLE_TOOLS.serve``: prints each call with its result."""
    args: dict[str | None, dict[str, Any]] = {}

    def show(event: ToolEvent) -> None:
        if isinstance(event, ToolCallStarted):
            args[event.call_id] = event.args
        elif isinstance(event, ToolCallFinished):
            called = json.dumps(args.pop(event.call_id, {}))
            print(f"\n    [tool] {event.name}({called}) -> {json.dumps(event.output)}")

    return show


@dataclass
class TurnResult:
    """What one turn of the demo produced, and how long it took."""

    transcript: str = ""
    audio_bytes: int = 0
    tool_calls: list[str] = field(default_factory=list)
    interrupted: bool = False
    first_output_s: float | None = None
    total_s: float = 0.0


async def run_turn(
    session: SessionWriter,
    events: Subscription,
    send: Callable[[], Awaitable[None]],
    *,
    on_first_audio: Callable[[], Awaitable[None]] | None = None,
    echo: bool = True,
    started: float | None = None,
) -> TurnResult:
    """Send, then read events until the turn completes (tool calls are answered by the
    ``SAMPLE_TOOLS`` runner; see :func:`print_tool_calls`).

    Latency is measured from ``started`` (a ``time.perf_counter()`` value), default: now.
    """
    result = TurnResult()
    started = time.perf_counter() if started is None else started
    try:
        await send()
        async with asyncio.timeout(TURN_TIMEOUT):
            async for event in events:
                is_output = isinstance(event, AudioChunk | TextDelta | OutputTranscription)
                if is_output and result.first_output_s is None:
                    result.first_output_s = time.perf_counter() - started
                match event:
                    case AudioChunk(data=data):
                        first = result.audio_bytes == 0
                        result.audio_bytes += len(data)
                        if first and on_first_audio is not None:
                            callback, on_first_audio = on_first_audio, None
                            await callback()
                    case TextDelta(text=text) | OutputTranscription(text=text):
                        result.transcript += text
                        if echo:
                            print(text, end="", flush=True)
                    case ToolCall(calls=calls):
                        for call in calls:
                            result.tool_calls.append(f"{call.name}({json.dumps(call.args)})")
                    case Interrupted():
                        result.interrupted = True
                        if echo:
                            print(" [interrupted]", end="", flush=True)
                    case Disconnected(will_reconnect=True) | Reconnecting() | Resumed():
                        if echo:
                            print(f"[{connection_state(event)}] ", end="", flush=True)
                    case TurnComplete():
                        break
    except (LiveError, TimeoutError):
        if echo:
            print(flush=True)  # end the partial answer line before the error is reported
        raise
    result.total_s = time.perf_counter() - started
    return result


def connection_state(event: Disconnected | Reconnecting | Resumed) -> str:
    """A short, human description of a reconnection event (for the live transcript)."""
    match event:
        case Disconnected(code=code, reason=reason, closed_by=by):
            detail = f"code {code}" + (f" {reason!r}" if reason else "") if code else "no code"
            return f"connection lost ({detail}, closed by the {by}); reconnecting"
        case Reconnecting(attempt=attempt, delay=delay):
            return f"reconnecting: attempt {attempt} in {delay:.2f} s"
        case Resumed(fresh_session=True):
            return "connected again: a new session (the old one could not be resumed)"
        case Resumed(replayed_count=replayed):
            return f"reconnected: session resumed, {replayed} messages replayed"
    return type(event).__name__  # pragma: no cover - the match above is exhaustive


def _report(result: TurnResult) -> None:
    first = f"{result.first_output_s * 1000:.0f} ms" if result.first_output_s is not None else "-"
    seconds = result.audio_bytes / (24_000 * 2)
    print(
        f"\n    latency: first output {first}, turn complete {result.total_s * 1000:.0f} ms; "
        f"audio {seconds:.2f} s ({result.audio_bytes} bytes)"
    )


async def run_demo(args: argparse.Namespace) -> int:
    """The ``demo`` command: four turns against the chosen target; returns the exit status."""
    config = LiveConfig(
        generation_config=GenerationConfig(response_modalities=("AUDIO",)),
        system_instruction="You are a concise, friendly voice assistant.",
        tools=SAMPLE_TOOLS.declarations(),
        output_audio_transcription=AudioTranscriptionConfig(),
    )
    async with open_target(args) as target:
        print(f"Connecting to {target.label} with model {args.model} ...")
        async with (
            gemini_live.connect(args.model, config=config, **target.connect_kwargs) as s,
            Conversation(s, stall=None) as convo,
            SAMPLE_TOOLS.serve(s, writer=convo.writer(), on_event=print_tool_calls()),
        ):
            events = s.events()
            w = convo.writer()  # sends through the session; the conversation sees the input
            print(f"Session open (phase {s.phase.value}).\n")

            hello = "Hello! Who are you?"
            print(f"1) user: {hello}\n   model: ", end="")
            greeting = await run_turn(w, events, lambda: w.send_text(hello))
            _report(greeting)

            # The emulator's model only calls tools when asked with its "call NAME {json}" rule;
            # a --base-url endpoint is recognised as an emulator by its documented echo reply.
            emulated = target.emulated or greeting.transcript.strip() == f"Echo: {hello}"
            ask = (
                'call get_weather {"city": "Paris"}'
                if emulated
                else "What is the weather in Paris? Use the get_weather tool."
            )
            print(f"\n2) user: {ask}\n   model: ", end="")
            weather = await run_turn(w, events, lambda: w.send_text(ask))
            _report(weather)
            if not weather.tool_calls:
                print("    (the model answered without calling get_weather)")

            story = "Tell me a long story about the sea."

            barged_at = 0.0

            async def barge_in() -> None:
                nonlocal barged_at
                barged_at = time.perf_counter()
                print(" [user barges in]", end="", flush=True)
                await w.send_client_content(
                    [{"role": "user", "parts": [{"text": "Stop. Just say OK."}]}], True
                )

            print(f"\n3) user: {story}\n   model: ", end="")
            turn = await run_turn(w, events, lambda: w.send_text(story), on_first_audio=barge_in)
            _report(turn)
            if barged_at:
                # The barge-in was sent, so it gets an answer even if the story ended first.
                how = "barging in" if turn.interrupted else "after the answer"
                print(f"\n4) user ({how}): Stop. Just say OK.\n   model: ", end="")
                _report(await run_turn(w, events, _nothing, started=barged_at))

            stats = s.statistics()
            print(
                f"\nDone: {stats.messages_sent} messages sent, {stats.frames_received} frames "
                f"received, {stats.events_published} events, {stats.reconnects} reconnects."
            )
    # The conversation layer's view (complete once it has closed): per-turn latencies measured
    # from the end of the user's input, and the transcript as turn records.
    print("\nPer-turn latency (ms from the end of the user's input):")
    print(latency_table(convo.records))
    print("\nTranscript:")
    for line in convo.transcript():
        print(f"  {line}")
    return 0


async def _nothing() -> None:
    return None

"""What ``demo``, ``chat`` and ``talk`` share: the sample tool, and one turn read to its end.

Kept apart from :mod:`gemini_live.cli.demo` so that ``chat`` and ``talk`` do not import the
conversation layer, which the demo uses and they need only with ``--transcript``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gemini_live import (
    AudioChunk,
    Disconnected,
    Interrupted,
    OutputTranscription,
    Reconnecting,
    Resumed,
    TextDelta,
    ToolCall,
    TurnComplete,
)
from gemini_live.errors import LiveError
from gemini_live.tools import Toolbox, ToolCallFinished, ToolCallStarted, ToolEvent

if TYPE_CHECKING:
    from gemini_live.client.fanout import Subscription
    from gemini_live.client.writer import SessionWriter

__all__ = [
    "SAMPLE_TOOLS",
    "TURN_TIMEOUT",
    "TurnResult",
    "connection_state",
    "get_weather",
    "print_tool_calls",
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

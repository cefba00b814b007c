"""Tool-runner dispatch overhead: from a ``ToolCall`` event to its response frame written.

Run ``python benchmarks/bench_tools.py [calls]``. A trivial async function (``ping() -> "pong"``)
is served by :class:`gemini_live.tools.Toolbox`; events come from an in-memory stream (one
consumer queue, like ``session.events()``), and the writer does what the session's
``send_tool_response`` does to produce the frame (coerce and validate the responses, encode the
``toolResponse`` JSON) and notes the time. Printed, per call:

  (a) one call at a time: median and p99 latency from pushing the event to the frame being
      encoded, and client CPU (``time.process_time``) per call;
  (b) 100 calls in one ``ToolCall`` event: client CPU per call;
  (c) the floor: a hand-written loop (read event, await the function, build the response, same
      writer) doing (a) without validation, deadlines, cancellation or bookkeeping.

Target: (a) CPU <= 50 us per call. The socket write itself is not included (it is the same for
any client); nothing else runs on the loop, so latency is CPU plus task switches.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from gemini_live import FunctionCall, FunctionResponse, Platform, ToolCall
from gemini_live.protocol import encode as codec
from gemini_live.protocol.events import Event
from gemini_live.protocol.messages import ToolResponse, validate_function_responses
from gemini_live.protocol.types import coerce_function_responses
from gemini_live.tools import Toolbox

__all__ = ["main"]


class Stream:
    """An in-memory event stream with one queue (what a subscription is to its consumer)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.queue.get()


class FrameWriter:
    """Encodes each toolResponse frame like the session does, and records when."""

    def __init__(self) -> None:
        self.written = 0
        self.last_ns = 0
        self.frames = 0
        self.changed = asyncio.Event()

    async def send_tool_response(self, responses: Any) -> None:
        checked = coerce_function_responses(responses)
        validate_function_responses(checked, Platform.GOOGLE_AI)
        codec.encode(ToolResponse(checked))
        self.written += len(checked)
        self.frames += 1
        self.last_ns = time.perf_counter_ns()
        self.changed.set()

    async def wait_for(self, count: int) -> None:
        while self.written < count:
            self.changed.clear()
            await self.changed.wait()


async def ping() -> str:
    return "pong"


def one_call(key: str) -> ToolCall:
    return ToolCall((FunctionCall(name="ping", args={}, id=key),))


async def sequential(
    stream: Stream, writer: FrameWriter, calls: int, prefix: str
) -> tuple[list[float], float]:
    """One call at a time. Ids must be new: the runner answers a repeated id only once."""
    latencies: list[float] = []
    cpu0 = time.process_time()
    for i in range(calls):
        start = time.perf_counter_ns()
        stream.queue.put_nowait(one_call(f"{prefix}{i}"))
        await writer.wait_for(writer.written + 1)
        latencies.append((writer.last_ns - start) / 1000)
    return latencies, (time.process_time() - cpu0) / calls * 1e6


async def bench_runner(calls: int) -> tuple[list[float], float, float]:
    tools = Toolbox()
    tools.add(ping)
    stream, writer = Stream(), FrameWriter()
    async with tools.serve(events=stream, writer=writer, platform=Platform.GOOGLE_AI):
        await sequential(stream, writer, 200, "warm")
        latencies, cpu = await sequential(stream, writer, calls, "c")
        batches = max(1, calls // 100)
        cpu0 = time.process_time()
        for b in range(batches):
            base = writer.written
            stream.queue.put_nowait(
                ToolCall(
                    tuple(FunctionCall(name="ping", args={}, id=f"b{b}-{j}") for j in range(100))
                )
            )
            await writer.wait_for(base + 100)
        batch_cpu = (time.process_time() - cpu0) / (batches * 100) * 1e6
    return latencies, cpu, batch_cpu


async def bench_floor(calls: int) -> tuple[list[float], float]:
    stream, writer = Stream(), FrameWriter()

    async def loop() -> None:
        async for event in stream:
            if isinstance(event, ToolCall):
                for call in event.calls:
                    value = await ping()
                    response = FunctionResponse(
                        name=call.name, response={"output": value}, id=call.id
                    )
                    await writer.send_tool_response([response])

    task = asyncio.create_task(loop())
    try:
        await sequential(stream, writer, 200, "warm")
        return await sequential(stream, writer, calls, "c")
    finally:
        task.cancel()


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def run(calls: int) -> None:
    latencies, cpu, batch_cpu = await bench_runner(calls)
    floor_latencies, floor_cpu = await bench_floor(calls)
    print(f"tool dispatch, trivial async function, {calls} calls (ToolCall event -> frame encoded)")
    print(
        f"  (a) Toolbox runner, one at a time: median {statistics.median(latencies):6.1f} us, "
        f"p99 {p99(latencies):6.1f} us, CPU {cpu:6.1f} us/call (target <= 50)"
    )
    print(f"  (b) Toolbox runner, 100 per ToolCall:  CPU {batch_cpu:6.1f} us/call")
    print(
        f"  (c) hand-written loop, one at a time: median "
        f"{statistics.median(floor_latencies):6.1f} us, CPU {floor_cpu:6.1f} us/call"
    )


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    asyncio.run(run(calls))


if __name__ == "__main__":
    main()

"""Helpers for runner tests: a hand-fed event stream and a writer that records responses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from gemini_live import FunctionCall, FunctionResponse, RecordingWriter, ToolCall
from gemini_live.protocol.events import Event


class Feed:
    """An event stream a test pushes into; ``end()`` finishes it, ``fail(exc)`` breaks it."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Event | BaseException | None] = asyncio.Queue()
        self.closed = False

    def push(self, *events: Event) -> None:
        for event in events:
            self._queue.put_nowait(event)

    def calls(self, *calls: tuple[str | None, str, dict[str, Any]]) -> None:
        self.push(ToolCall(tuple(FunctionCall(name=n, args=a, id=i) for i, n, a in calls)))

    def end(self) -> None:
        self._queue.put_nowait(None)

    def fail(self, exc: BaseException) -> None:
        self._queue.put_nowait(exc)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        item = await self._queue.get()
        if item is None:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        return item

    async def aclose(self) -> None:
        self.closed = True


def responses(writer: RecordingWriter) -> list[FunctionResponse]:
    """Every FunctionResponse the writer was given, in order."""
    out: list[FunctionResponse] = []
    for call in writer.calls:
        if call.method == "send_tool_response":
            out.extend(call.args[0])
    return out


def by_id(writer: RecordingWriter) -> dict[str | None, list[FunctionResponse]]:
    out: dict[str | None, list[FunctionResponse]] = {}
    for response in responses(writer):
        out.setdefault(response.id, []).append(response)
    return out


async def wait_for(predicate: Any, limit: float = 2.0) -> None:
    """Poll ``predicate()`` until true (bounded); the runner works in other tasks."""
    async with asyncio.timeout(limit):
        while not predicate():  # noqa: ASYNC110 - state changes in other tasks, no event to wait on
            await asyncio.sleep(0.002)

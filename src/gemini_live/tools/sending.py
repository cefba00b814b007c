"""Answers on their way to the writer: in order, one write at a time, held while disconnected.

The runner puts each ``FunctionResponse`` here with the call it answers. Whoever flushes first
writes everything queued as one ``toolResponse`` message and keeps going until the queue is
empty, so answers that become ready while a message is being written share the next one. While
:attr:`AnswerQueue.paused` is set (the connection is lost and it is not known yet how the
session comes back), nothing is written; :meth:`drop` withdraws answers that must never go out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from gemini_live.errors import LiveError
from gemini_live.protocol.types import FunctionResponse

__all__ = ["AnswerQueue", "ResponseWriter"]

log = logging.getLogger("gemini_live.tools")

_K = TypeVar("_K")


class ResponseWriter(Protocol):
    """The part of :class:`~gemini_live.SessionWriter` the runner uses."""

    async def send_tool_response(self, responses: Any) -> None:
        """Write function responses (a sequence, each matched to its call by ``id``).

        The runner calls it from one task at a time. A :class:`~gemini_live.LiveError` (the
        session is closed or broken), ``TypeError`` or ``ValueError`` (a response refused) counts
        those responses as not sent; the runner goes on with the others.
        """
        ...


class AnswerQueue(Generic[_K]):
    """Responses waiting to be written, each with its owner (the call it answers)."""

    def __init__(self, writer: ResponseWriter) -> None:
        self._writer = writer
        self._items: list[tuple[_K, FunctionResponse, bool]] = []
        self._sending = False
        self.paused = False
        self.wakeup = asyncio.Event()
        self.responses_sent = 0
        self.partial_responses_sent = 0
        self.messages_sent = 0
        self.send_failures = 0
        self.withdrawn = 0

    def __bool__(self) -> bool:
        return bool(self._items)

    def put(self, owner: _K, response: FunctionResponse, final: bool, *, inline: bool) -> None:
        """Queue ``response``; ``inline``: the caller flushes it itself (else the sender task)."""
        self._items.append((owner, response, final))
        if not inline:
            self.wakeup.set()

    def drop(self, which: Callable[[_K], bool]) -> None:
        """Withdraw the queued (not yet written) responses whose owner ``which`` selects."""
        if not self._items:
            return
        kept = [item for item in self._items if not which(item[0])]
        self.withdrawn += len(self._items) - len(kept)
        self._items = kept

    def resume(self) -> None:
        """Write again (what waited goes out now, through the sender task)."""
        self.paused = False
        self.wakeup.set()

    async def flush(self) -> None:
        """Write everything queued, in order, one message per batch; one writer at a time.

        Not cancel-safe for the batch being written (it may or may not have been accepted).
        """
        if self._sending or self.paused:
            return  # the task writing now (or the sender, on resume) picks up what is queued
        self._sending = True
        try:
            while self._items and not self.paused:
                batch, self._items = self._items, []
                responses: list[FunctionResponse] = []
                finals = 0
                for _, response, final in batch:
                    responses.append(response)
                    finals += final
                try:
                    await self._writer.send_tool_response(responses)
                except (LiveError, TypeError, ValueError) as exc:
                    # Closed/broken session, or a response the writer refused: these answers
                    # are lost either way; count them and keep serving the others.
                    self.send_failures += len(responses)
                    log.warning("tool runner: %d response(s) not sent: %s", len(responses), exc)
                    continue
                self.responses_sent += finals
                self.partial_responses_sent += len(responses) - finals
                self.messages_sent += 1
        finally:
            self._sending = False

    async def run(self, stop: asyncio.Event) -> None:
        """The sender task: flush whenever woken, until ``stop`` is set and it is woken."""
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            await self.flush()
            if stop.is_set():
                return

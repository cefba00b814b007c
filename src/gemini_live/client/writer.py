"""The write side of a Live session, and writers that compose around it.

:class:`SessionWriter` is what a task needs to *send* into a session without owning it: hand it
to a microphone task, a video task and a tool runner, and they can all send concurrently while
another task reads events. :class:`~gemini_live.client.session.Session` implements it; so do the
wrappers below, which need nothing from the session but another ``SessionWriter``.

Semantics every implementation in this package follows (and wrappers preserve):

* Ordered: messages go out in the order the calls were accepted, across all tasks sharing the
  writer (FIFO), and each task's own sends keep their order.
* Concurrency-safe: any number of tasks may call any method at the same time.
* Backpressure: a call may wait while the bounded outbound queue is full.
* Validation first: bad input raises ``TypeError``/``ValueError`` before anything is queued.
* Cancellation: cancelling a call that is still waiting for queue space means the message was not
  accepted; once a call has returned (or was cancelled after acceptance) the message stays queued.
* After ``disconnect()`` every send raises :class:`~gemini_live.errors.SessionClosed`; after the
  connection broke beyond recovery it raises :class:`~gemini_live.errors.SessionBroken`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from gemini_live.client import inputs
from gemini_live.errors import SessionClosed
from gemini_live.protocol.types import Content, FunctionResponse, Tool

__all__ = ["RecordedCall", "RecordingWriter", "SessionWriter", "TeeWriter"]

ContentLike = Content | Mapping[str, Any]
FunctionResponseLike = FunctionResponse | Mapping[str, Any]
ToolLike = Tool | Mapping[str, Any]


@runtime_checkable
class SessionWriter(Protocol):
    """Write side of a Live session: send input without owning the whole session."""

    async def send_audio(self, data: bytes) -> None:
        """Send raw PCM16 little-endian mono audio at the session's input rate."""

    async def send_text(self, text: str) -> None:
        """Send user text as real-time input (``realtimeInput.text``)."""

    async def send_tool_response(self, responses: Sequence[FunctionResponseLike]) -> None:
        """Answer function calls (matched by ``id``)."""

    async def send_client_content(
        self, turns: Sequence[ContentLike], turn_complete: bool = True
    ) -> None:
        """Append turns to the conversation (``clientContent``); interrupts generation."""

    async def send_video(self, jpeg_data: bytes) -> None:
        """Send one JPEG video frame (at most about one per second)."""

    async def update_instruction(self, instruction: str) -> None:
        """Replace the system instruction for the rest of the session."""

    async def update_tools(self, tools: Sequence[ToolLike]) -> None:
        """Replace the declared tools for the rest of the session."""

    async def signal_activity_start(self) -> None:
        """Mark the start of user speech (manual activity detection only)."""

    async def signal_activity_end(self) -> None:
        """Mark the end of user speech (manual activity detection only)."""

    async def send_audio_stream_end(self) -> None:
        """Tell the service the audio stream paused (automatic activity detection only)."""

    async def disconnect(self) -> None:
        """Close the session gracefully. Idempotent."""


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One call made on a wrapping writer, with its validated (normalised) arguments."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


class _WrappingWriter:
    """Validate like a real session, observe the call, then forward it to ``inner`` (if any).

    Subclasses decide what observing means. Needs nothing from a session but the
    :class:`SessionWriter` interface, so wrappers stack.
    """

    def __init__(self, inner: SessionWriter | None) -> None:
        self._inner = inner
        self._closed = False

    async def _observe(self, call: RecordedCall) -> None:
        raise NotImplementedError

    async def _handle(self, call: RecordedCall) -> None:
        if self._closed and call.method != "disconnect":
            raise SessionClosed(f"{call.method}() after disconnect()")
        await self._observe(call)

    async def send_audio(self, data: bytes) -> None:
        """Validate, record and forward ``send_audio`` (see :class:`SessionWriter`)."""
        await self._handle(RecordedCall("send_audio", (inputs.check_audio(data),)))
        if self._inner is not None:
            await self._inner.send_audio(data)

    async def send_text(self, text: str) -> None:
        """Validate, record and forward ``send_text`` (see :class:`SessionWriter`)."""
        await self._handle(RecordedCall("send_text", (inputs.check_text(text),)))
        if self._inner is not None:
            await self._inner.send_text(text)

    async def send_tool_response(self, responses: Sequence[FunctionResponseLike]) -> None:
        """Validate, record and forward ``send_tool_response``."""
        checked = inputs.check_function_responses(responses)
        await self._handle(RecordedCall("send_tool_response", (checked,)))
        if self._inner is not None:
            await self._inner.send_tool_response(responses)

    async def send_client_content(
        self, turns: Sequence[ContentLike], turn_complete: bool = True
    ) -> None:
        """Validate, record and forward ``send_client_content``."""
        checked = inputs.check_turns(turns)
        flag = inputs.check_bool("turn_complete", turn_complete)
        await self._handle(RecordedCall("send_client_content", (checked,), {"turn_complete": flag}))
        if self._inner is not None:
            await self._inner.send_client_content(turns, turn_complete)

    async def send_video(self, jpeg_data: bytes) -> None:
        """Validate, record and forward ``send_video``."""
        await self._handle(RecordedCall("send_video", (inputs.check_jpeg(jpeg_data),)))
        if self._inner is not None:
            await self._inner.send_video(jpeg_data)

    async def update_instruction(self, instruction: str) -> None:
        """Validate, record and forward ``update_instruction``."""
        checked = inputs.check_instruction(instruction)
        await self._handle(RecordedCall("update_instruction", (checked,)))
        if self._inner is not None:
            await self._inner.update_instruction(instruction)

    async def update_tools(self, tools: Sequence[ToolLike]) -> None:
        """Validate, record and forward ``update_tools``."""
        await self._handle(RecordedCall("update_tools", (inputs.check_tools(tools),)))
        if self._inner is not None:
            await self._inner.update_tools(tools)

    async def signal_activity_start(self) -> None:
        """Record and forward ``signal_activity_start``."""
        await self._handle(RecordedCall("signal_activity_start"))
        if self._inner is not None:
            await self._inner.signal_activity_start()

    async def signal_activity_end(self) -> None:
        """Record and forward ``signal_activity_end``."""
        await self._handle(RecordedCall("signal_activity_end"))
        if self._inner is not None:
            await self._inner.signal_activity_end()

    async def send_audio_stream_end(self) -> None:
        """Record and forward ``send_audio_stream_end``."""
        await self._handle(RecordedCall("send_audio_stream_end"))
        if self._inner is not None:
            await self._inner.send_audio_stream_end()

    async def disconnect(self) -> None:
        """Record ``disconnect`` (once) and forward it; later sends raise ``SessionClosed``.

        Safe to call concurrently and to cancel (as every method here)."""
        if not self._closed:
            await self._handle(RecordedCall("disconnect"))
            self._closed = True
        if self._inner is not None:
            await self._inner.disconnect()


class RecordingWriter(_WrappingWriter):
    """A :class:`SessionWriter` that records every call, for applications' unit tests.

    Arguments are validated exactly as a real session validates them (so a test catches a bad
    call) and recorded in normalised form (library types) in :attr:`calls`. If ``inner`` is given
    the call is then forwarded to it. After ``disconnect()`` sends raise ``SessionClosed``, like a
    real session.
    """

    def __init__(self, inner: SessionWriter | None = None) -> None:
        super().__init__(inner)
        self.calls: list[RecordedCall] = []

    async def _observe(self, call: RecordedCall) -> None:
        self.calls.append(call)

    def methods(self) -> list[str]:
        """Names of the recorded calls, in order."""
        return [call.method for call in self.calls]


Listener = Callable[[RecordedCall], Awaitable[None] | None]


class TeeWriter(_WrappingWriter):
    """Forward every call to ``inner`` and also hand it to each listener first (e.g. a local
    level meter, a transcript log, a second sink). Listeners run in order after validation; a
    listener's exception propagates to the caller and the call is not forwarded, so a failing
    listener is never silent."""

    def __init__(self, inner: SessionWriter, *listeners: Listener) -> None:
        super().__init__(inner)
        self._listeners = listeners

    async def _observe(self, call: RecordedCall) -> None:
        for listener in self._listeners:
            result = listener(call)
            if result is not None:
                await result

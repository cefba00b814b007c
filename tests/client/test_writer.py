"""Writers compose: wrappers need nothing but the SessionWriter interface."""

from __future__ import annotations

import pytest

from gemini_live import (
    FunctionResponse,
    RecordedCall,
    RecordingWriter,
    SessionClosed,
    SessionWriter,
    TeeWriter,
)
from gemini_live.protocol.types import Content, Part

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 8


async def drive(writer: SessionWriter) -> None:
    await writer.send_audio(b"\x00\x01")
    await writer.send_text("hi")
    await writer.send_tool_response([{"id": "fc-1", "name": "f", "response": {"output": 1}}])
    await writer.send_client_content([{"role": "user", "parts": [{"text": "x"}]}], False)
    await writer.send_video(JPEG)
    await writer.update_instruction("be brief")
    await writer.update_tools([])
    await writer.signal_activity_start()
    await writer.signal_activity_end()
    await writer.send_audio_stream_end()
    await writer.disconnect()


async def test_recording_writer_records_normalised_calls() -> None:
    recorder = RecordingWriter()
    assert isinstance(recorder, SessionWriter)
    await drive(recorder)
    assert recorder.methods() == [
        "send_audio",
        "send_text",
        "send_tool_response",
        "send_client_content",
        "send_video",
        "update_instruction",
        "update_tools",
        "signal_activity_start",
        "signal_activity_end",
        "send_audio_stream_end",
        "disconnect",
    ]
    assert recorder.calls[2] == RecordedCall(
        "send_tool_response", ((FunctionResponse(name="f", response={"output": 1}, id="fc-1"),),)
    )
    assert recorder.calls[3].args == ((Content(parts=(Part(text="x"),), role="user"),),)
    assert recorder.calls[3].kwargs == {"turn_complete": False}
    with pytest.raises(SessionClosed):
        await recorder.send_text("after")
    await recorder.disconnect()  # idempotent
    assert recorder.methods().count("disconnect") == 1


async def test_recording_writer_validates_like_a_session() -> None:
    recorder = RecordingWriter()
    with pytest.raises(ValueError, match="even number"):
        await recorder.send_audio(b"\x00")
    with pytest.raises(ValueError, match="JPEG"):
        await recorder.send_video(b"GIF89a")
    with pytest.raises(TypeError):
        await recorder.send_client_content("not a list of turns")  # type: ignore[arg-type]
    assert recorder.calls == []


async def test_wrappers_stack_and_forward_in_order() -> None:
    inner = RecordingWriter()
    seen: list[str] = []

    async def async_listener(call: RecordedCall) -> None:
        seen.append("async:" + call.method)

    tee = TeeWriter(inner, lambda call: seen.append(call.method), async_listener)
    outer = RecordingWriter(tee)
    await drive(outer)
    assert inner.methods() == outer.methods()
    assert seen[:4] == ["send_audio", "async:send_audio", "send_text", "async:send_text"]
    with pytest.raises(SessionClosed):
        await outer.send_text("late")


async def test_failing_listener_is_never_silent() -> None:
    inner = RecordingWriter()

    def broken(call: RecordedCall) -> None:
        raise RuntimeError("listener failed")

    tee = TeeWriter(inner, broken)
    with pytest.raises(RuntimeError, match="listener failed"):
        await tee.send_text("x")
    assert inner.calls == []

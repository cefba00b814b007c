"""Validation of what applications pass to the send methods, done before anything is queued.

Shared by the session and the wrapping writers so that a ``RecordingWriter`` in a unit test
rejects exactly what a real session would. Every function returns the normalised value or raises
``TypeError`` (wrong kind of object) / ``ValueError`` (right kind, bad value) with a message that
names the method's argument and says what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gemini_live.protocol.types import (
    Content,
    FunctionResponse,
    Tool,
    coerce_contents,
    coerce_function_responses,
    coerce_tools,
)

__all__ = [
    "check_audio",
    "check_bool",
    "check_function_responses",
    "check_instruction",
    "check_jpeg",
    "check_text",
    "check_tools",
    "check_turns",
]

_JPEG_MAGIC = b"\xff\xd8\xff"


def _as_bytes(name: str, data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise TypeError(f"{name}: expected bytes, bytearray or memoryview; got {type(data).__name__}")


def check_audio(data: object) -> bytes:
    """Raw PCM16 little-endian mono: a non-empty, even number of bytes."""
    pcm = _as_bytes("send_audio(data)", data)
    if not pcm:
        raise ValueError("send_audio(data): empty audio chunk")
    if len(pcm) % 2:
        raise ValueError(
            f"send_audio(data): PCM16 needs an even number of bytes (2 per sample); got {len(pcm)}"
        )
    return pcm


def check_jpeg(data: object) -> bytes:
    """One JPEG image (starts with the JPEG SOI marker FF D8 FF)."""
    image = _as_bytes("send_video(jpeg_data)", data)
    if not image.startswith(_JPEG_MAGIC):
        head = image[:4].hex(" ") if image else "empty"
        raise ValueError(f"send_video(jpeg_data): not JPEG data (expected FF D8 FF, got {head})")
    return image


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"send_text(text): expected str, got {type(text).__name__}")
    if not text:
        raise ValueError("send_text(text): empty text")
    return text


def check_instruction(instruction: object) -> str:
    if not isinstance(instruction, str):
        raise TypeError(
            f"update_instruction(instruction): expected str, got {type(instruction).__name__}"
        )
    if not instruction.strip():
        raise ValueError("update_instruction(instruction): empty instruction")
    return instruction


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected bool, got {type(value).__name__}")
    return value


def check_turns(turns: Sequence[Content | Mapping[str, Any]]) -> tuple[Content, ...]:
    return coerce_contents(turns)


def check_function_responses(
    responses: Sequence[FunctionResponse | Mapping[str, Any]],
) -> tuple[FunctionResponse, ...]:
    checked = coerce_function_responses(responses)
    if not checked:
        raise ValueError("send_tool_response(responses): at least one response is required")
    return checked


def check_tools(tools: Sequence[Tool | Mapping[str, Any]]) -> tuple[Tool, ...]:
    return coerce_tools(tools)

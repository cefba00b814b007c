"""Builders for the server frames the emulator sends (camelCase, standard base64, int64 strings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .wire import b64encode, format_duration, format_int64

__all__ = [
    "OUTPUT_AUDIO_MIME",
    "generation_complete",
    "go_away",
    "input_transcription",
    "interrupted",
    "model_audio",
    "model_text",
    "output_transcription",
    "resumption_update",
    "setup_complete",
    "tool_call",
    "tool_call_cancellation",
    "turn_complete",
    "usage_metadata",
    "voice_activity",
]

OUTPUT_AUDIO_MIME = "audio/pcm;rate=24000"

Frame = dict[str, Any]


def setup_complete(session_id: str | None) -> Frame:
    """``{"setupComplete": {}}``, with ``sessionId`` when given."""
    body: dict[str, Any] = {}
    if session_id:
        body["sessionId"] = session_id
    return {"setupComplete": body}


def model_text(text: str) -> Frame:
    """One ``modelTurn`` text part."""
    return {"serverContent": {"modelTurn": {"parts": [{"text": text}]}}}


def model_audio(pcm: bytes, mime_type: str = OUTPUT_AUDIO_MIME) -> Frame:
    """One ``modelTurn`` inline-audio part."""
    blob = {"mimeType": mime_type, "data": b64encode(pcm)}
    return {"serverContent": {"modelTurn": {"parts": [{"inlineData": blob}]}}}


def output_transcription(text: str) -> Frame:
    """A piece of the transcript of the model's audio."""
    return {"serverContent": {"outputTranscription": {"text": text}}}


def input_transcription(text: str, *, finished: bool = True) -> Frame:
    """The transcript of the user's input."""
    return {"serverContent": {"inputTranscription": {"text": text, "finished": finished}}}


def generation_complete() -> Frame:
    """The model has produced its last output for this generation."""
    return {"serverContent": {"generationComplete": True}}


def interrupted() -> Frame:
    """The generation in progress was cut off."""
    return {"serverContent": {"interrupted": True}}


def turn_complete(
    *, usage: Mapping[str, Any] | None = None, interaction_status: str | None = None
) -> Frame:
    """``turnComplete``, optionally with ``interactionStatus`` and a riding ``usageMetadata``."""
    content: dict[str, Any] = {"turnComplete": True}
    if interaction_status:
        content["interactionStatus"] = interaction_status
    frame: Frame = {"serverContent": content}
    if usage is not None:
        frame["usageMetadata"] = dict(usage)
    return frame


def tool_call(calls: Sequence[Mapping[str, Any]]) -> Frame:
    """``toolCall`` with ``functionCalls`` (each ``{id, name, args}``)."""
    return {"toolCall": {"functionCalls": [dict(c) for c in calls]}}


def tool_call_cancellation(ids: Sequence[str]) -> Frame:
    """``toolCallCancellation`` listing the ids of calls that should not have run."""
    return {"toolCallCancellation": {"ids": list(ids)}}


def go_away(time_left: float) -> Frame:
    """``goAway`` with ``timeLeft`` as a Duration string."""
    return {"goAway": {"timeLeft": format_duration(time_left)}}


def resumption_update(
    handle: str | None, *, resumable: bool, last_consumed_index: int | None = None
) -> Frame:
    """``sessionResumptionUpdate``; without a handle it reads ``{"resumable": false}``."""
    body: dict[str, Any] = {}
    if handle:
        body["newHandle"] = handle
    body["resumable"] = resumable
    if last_consumed_index is not None:
        body["lastConsumedClientMessageIndex"] = format_int64(last_consumed_index)
    return {"sessionResumptionUpdate": body}


def usage_metadata(
    prompt: Mapping[str, int], response: Mapping[str, int], *, vertex: bool
) -> dict[str, Any]:
    """A ``usageMetadata`` body with per-modality details, spelled per platform.

    Vertex spells the output side ``candidatesTokenCount``/``candidatesTokensDetails``; the Gemini
    Developer API ``responseTokenCount``/``responseTokensDetails``.
    """
    prompt_total = sum(prompt.values())
    response_total = sum(response.values())
    out_name = "candidates" if vertex else "response"
    body: dict[str, Any] = {
        "promptTokenCount": prompt_total,
        f"{out_name}TokenCount": response_total,
        "totalTokenCount": prompt_total + response_total,
        "promptTokensDetails": [
            {"modality": m, "tokenCount": n} for m, n in sorted(prompt.items()) if n
        ],
        f"{out_name}TokensDetails": [
            {"modality": m, "tokenCount": n} for m, n in sorted(response.items()) if n
        ],
    }
    return body


def voice_activity(kind: str, offset: float) -> Frame:
    """``voiceActivity`` (``ACTIVITY_START``/``ACTIVITY_END``) with ``audioOffset``."""
    return {"voiceActivity": {"type": kind, "audioOffset": format_duration(offset)}}

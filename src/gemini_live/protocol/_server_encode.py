""":class:`~gemini_live.protocol.server.ServerFrame` -> JSON object, as the service writes it.

camelCase keys, standard padded base64, int64 as decimal strings, Durations as ``"Ns"``, proto3
defaults (false, 0, empty) omitted, usage in the spelling the frame records. Unknown top-level keys
and unknown parts are written back exactly as they were received. Pure.
"""

from __future__ import annotations

from typing import Any

from gemini_live.protocol._base64 import encode_standard
from gemini_live.protocol._wire import encode_duration
from gemini_live.protocol.server import (
    AudioPart,
    BlobPart,
    CodeExecutionResultPart,
    ExecutableCodePart,
    ModelPart,
    ServerContent,
    ServerFrame,
    TextPart,
    ThoughtPart,
    UsageMetadata,
)

__all__ = ["frame_to_wire", "part_to_wire"]


def frame_to_wire(frame: ServerFrame) -> dict[str, Any]:
    """The JSON object the service would send for ``frame`` (camelCase, proto3 defaults
    omitted). Unknown top-level keys and unknown parts are written back as received."""
    out: dict[str, Any] = {}
    if frame.setup_complete is not None:
        setup: dict[str, Any] = {}
        if frame.setup_complete.session_id is not None:
            setup["sessionId"] = frame.setup_complete.session_id
        out["setupComplete"] = setup
    if frame.server_content is not None:
        out["serverContent"] = _content_to_wire(frame.server_content)
    if frame.tool_call is not None:
        calls = []
        for call in frame.tool_call.function_calls:
            item: dict[str, Any] = {} if call.id is None else {"id": call.id}
            item["name"] = call.name
            item["args"] = call.args
            calls.append(item)
        out["toolCall"] = {"functionCalls": calls}
    if frame.tool_call_cancellation is not None:
        out["toolCallCancellation"] = {"ids": list(frame.tool_call_cancellation.ids)}
    if frame.go_away is not None:
        out["goAway"] = {"timeLeft": encode_duration(frame.go_away.time_left)}
    if frame.session_resumption_update is not None:
        update = frame.session_resumption_update
        resumption: dict[str, Any] = {}
        if update.new_handle:
            resumption["newHandle"] = update.new_handle
        if update.resumable:
            resumption["resumable"] = True
        if update.last_consumed_client_message_index is not None:
            index = update.last_consumed_client_message_index
            resumption["lastConsumedClientMessageIndex"] = str(index)
        out["sessionResumptionUpdate"] = resumption
    if frame.voice_activity is not None:
        activity: dict[str, Any] = {"type": frame.voice_activity.type}
        if frame.voice_activity.audio_offset is not None:
            activity["audioOffset"] = encode_duration(frame.voice_activity.audio_offset)
        out["voiceActivity"] = activity
    if frame.voice_activity_detection_signal is not None:
        signal = frame.voice_activity_detection_signal.vad_signal_type
        out["voiceActivityDetectionSignal"] = {"vadSignalType": signal}
    if frame.usage_metadata is not None:
        out["usageMetadata"] = _usage_to_wire(frame.usage_metadata)
    for key, value in frame.unknown.items():
        out.setdefault(key, value)
    return out


def _content_to_wire(content: ServerContent) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if content.interrupted:
        out["interrupted"] = True
    if content.model_turn is not None:
        out["modelTurn"] = {"parts": [part_to_wire(part) for part in content.model_turn]}
    for key, transcript in (
        ("inputTranscription", content.input_transcription),
        ("interimInputTranscription", content.interim_input_transcription),
        ("outputTranscription", content.output_transcription),
    ):
        if transcript is not None:
            body: dict[str, Any] = {"text": transcript.text}
            if transcript.finished is not None:
                body["finished"] = transcript.finished
            if transcript.language_code is not None:
                body["languageCode"] = transcript.language_code
            out[key] = body
    if content.grounding_metadata is not None:
        out["groundingMetadata"] = content.grounding_metadata
    if content.url_context_metadata is not None:
        out["urlContextMetadata"] = content.url_context_metadata
    if content.waiting_for_input is not None:
        out["waitingForInput"] = content.waiting_for_input
    if content.generation_complete:
        out["generationComplete"] = True
    if content.turn_complete:
        out["turnComplete"] = True
    if content.turn_complete_reason is not None:
        out["turnCompleteReason"] = content.turn_complete_reason
    if content.interaction_status is not None:
        out["interactionStatus"] = content.interaction_status
    return out


def part_to_wire(part: ModelPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"text": part.text}
    if isinstance(part, AudioPart | BlobPart):
        return {"inlineData": {"mimeType": part.mime_type, "data": encode_standard(part.data)}}
    if isinstance(part, ThoughtPart):
        return {"text": part.text, "thought": True}
    if isinstance(part, ExecutableCodePart):
        return {"executableCode": {"language": part.language, "code": part.code}}
    if isinstance(part, CodeExecutionResultPart):
        return {"codeExecutionResult": {"outcome": part.outcome, "output": part.output}}
    return part.data


def _usage_to_wire(usage: UsageMetadata) -> dict[str, Any]:
    response = "candidates" if usage.vertex_spelling else "response"
    out: dict[str, Any] = {}
    for key, count in (
        ("promptTokenCount", usage.prompt_token_count),
        ("cachedContentTokenCount", usage.cached_content_token_count),
        (f"{response}TokenCount", usage.response_token_count),
        ("toolUsePromptTokenCount", usage.tool_use_prompt_token_count),
        ("thoughtsTokenCount", usage.thoughts_token_count),
        ("totalTokenCount", usage.total_token_count),
    ):
        if count:
            out[key] = count
    for key, details in (
        ("promptTokensDetails", usage.prompt_tokens_details),
        ("cacheTokensDetails", usage.cache_tokens_details),
        (f"{response}TokensDetails", usage.response_tokens_details),
        ("toolUsePromptTokensDetails", usage.tool_use_prompt_tokens_details),
    ):
        if details:
            out[key] = [{"modality": d.modality, "tokenCount": d.token_count} for d in details]
    if usage.traffic_type is not None:
        out["trafficType"] = usage.traffic_type
    if usage.service_tier is not None:
        out["serviceTier"] = usage.service_tier
    return out

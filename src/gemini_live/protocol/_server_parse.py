"""JSON object -> :class:`~gemini_live.protocol.server.ServerFrame` (the typed tree; not the
session's hot path, which is ``decode.decode_events``).

Accepts camelCase and snake_case keys, mixed, at every level; ignores unknown nested fields; keeps
unknown top-level keys and unknown part kinds as received. A known field with a value of the wrong
type raises :class:`~gemini_live.protocol._wire.WireValueError` naming its path. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gemini_live.protocol import _wire as w
from gemini_live.protocol.events import FunctionCall, ModalityTokens
from gemini_live.protocol.server import (
    AudioPart,
    BlobPart,
    CodeExecutionResultPart,
    ExecutableCodePart,
    GoAwayMessage,
    ModelPart,
    ServerContent,
    ServerFrame,
    SessionResumptionUpdate,
    SetupCompleteMessage,
    TextPart,
    ThoughtPart,
    ToolCallCancellationMessage,
    ToolCallMessage,
    Transcription,
    UnknownPart,
    UsageMetadata,
    VoiceActivityDetectionSignal,
    VoiceActivityMessage,
)

__all__ = ["frame_from_object"]


def frame_from_object(obj: dict[str, Any]) -> ServerFrame:
    fields: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in obj.items():
        known = _TOP_LEVEL.get(key)
        if known is None:
            unknown[key] = value
        elif value is not None:
            camel, attr, parse = known
            try:
                fields[attr] = parse(value)
            except w.WireValueError as exc:
                raise exc.under(camel) from None
    return ServerFrame(**fields, unknown=unknown)


def _setup_complete(value: Any) -> SetupCompleteMessage:
    d = w.canon(value, w.SETUP, "")
    session_id = d.get("sessionId")
    return SetupCompleteMessage(None if session_id is None else w.as_str(session_id, "sessionId"))


def _server_content(value: Any) -> ServerContent:
    d = w.canon(value, w.CONTENT, "")
    model_turn = d.get("modelTurn")
    waiting = d.get("waitingForInput")
    reason = d.get("turnCompleteReason")
    status = d.get("interactionStatus")
    grounding = d.get("groundingMetadata")
    url_context = d.get("urlContextMetadata")
    return ServerContent(
        model_turn=None if model_turn is None else _model_turn(model_turn),
        turn_complete=_flag(d, "turnComplete"),
        generation_complete=_flag(d, "generationComplete"),
        interrupted=_flag(d, "interrupted"),
        input_transcription=_transcription(d, "inputTranscription"),
        output_transcription=_transcription(d, "outputTranscription"),
        interim_input_transcription=_transcription(d, "interimInputTranscription"),
        grounding_metadata=(
            None if grounding is None else w.as_object(grounding, "groundingMetadata")
        ),
        url_context_metadata=(
            None if url_context is None else w.as_object(url_context, "urlContextMetadata")
        ),
        waiting_for_input=None if waiting is None else w.as_bool(waiting, "waitingForInput"),
        turn_complete_reason=None if reason is None else w.as_enum(reason, "turnCompleteReason"),
        interaction_status=None if status is None else w.as_enum(status, "interactionStatus"),
    )


def _flag(d: dict[str, Any], key: str) -> bool:
    value = d.get(key)
    return False if value is None else w.as_bool(value, key)


def _transcription(d: dict[str, Any], key: str) -> Transcription | None:
    value = d.get(key)
    if value is None:
        return None
    try:
        t = w.canon(value, w.TRANSCRIPTION, "")
        text = t.get("text")
        finished = t.get("finished")
        language = t.get("languageCode")
        return Transcription(
            text="" if text is None else w.as_str(text, "text"),
            finished=None if finished is None else w.as_bool(finished, "finished"),
            language_code=None if language is None else w.as_str(language, "languageCode"),
        )
    except w.WireValueError as exc:
        raise exc.under(key) from None


def _model_turn(value: Any) -> tuple[ModelPart, ...]:
    try:
        parts = w.canon(value, w.TURN, "").get("parts")
        raw_parts = () if parts is None else w.as_list(parts, "parts")
    except w.WireValueError as exc:
        raise exc.under("modelTurn") from None
    out: list[ModelPart] = []
    for index, raw in enumerate(raw_parts):
        try:
            out.append(_part(raw))
        except w.WireValueError as exc:
            raise exc.under(f"[{index}]").under("parts").under("modelTurn") from None
    return tuple(out)


def _part(raw: Any) -> ModelPart:
    d = w.canon(raw, w.PART, "")
    text = d.get("text")
    if text is not None:
        thought = d.get("thought")
        if thought is not None and w.as_bool(thought, "thought"):
            return ThoughtPart(w.as_str(text, "text"))
        return TextPart(w.as_str(text, "text"))
    blob = d.get("inlineData")
    if blob is not None:
        try:
            b = w.canon(blob, w.BLOB, "")
            data = b.get("data")
            payload = b"" if data is None else w.as_bytes(data, "data")
            mime = w.as_str(b.get("mimeType", ""), "mimeType") or w.DEFAULT_OUTPUT_MIME_TYPE
        except w.WireValueError as exc:
            raise exc.under("inlineData") from None
        rate = w.audio_rate(mime)
        if rate is None:
            return BlobPart(payload, mime)
        return AudioPart(payload, mime, rate)
    code = d.get("executableCode")
    if code is not None:
        try:
            c = w.canon(code, w.CODE, "")
            return ExecutableCodePart(
                language=w.as_enum(c.get("language", "LANGUAGE_UNSPECIFIED"), "language"),
                code=w.as_str(c.get("code", ""), "code"),
            )
        except w.WireValueError as exc:
            raise exc.under("executableCode") from None
    result = d.get("codeExecutionResult")
    if result is not None:
        try:
            r = w.canon(result, w.RESULT, "")
            return CodeExecutionResultPart(
                outcome=w.as_enum(r.get("outcome", "OUTCOME_UNSPECIFIED"), "outcome"),
                output=w.as_str(r.get("output", ""), "output"),
            )
        except w.WireValueError as exc:
            raise exc.under("codeExecutionResult") from None
    return UnknownPart(raw)


def _tool_call(value: Any) -> ToolCallMessage:
    calls = w.canon(value, w.TOOL_CALL, "").get("functionCalls")
    raw_calls = () if calls is None else w.as_list(calls, "functionCalls")
    out: list[FunctionCall] = []
    for index, raw in enumerate(raw_calls):
        try:
            c = w.canon(raw, w.FUNCTION_CALL, "")
            if "name" not in c:
                raise w.WireValueError("name", "missing")
            args = c.get("args")
            out.append(
                FunctionCall(
                    name=w.as_str(c["name"], "name"),
                    args={} if args is None else w.as_object(args, "args"),
                    # Vertex may send no id; an empty one is proto3 for the same thing.
                    id=w.as_str(c.get("id", ""), "id") or None,
                )
            )
        except w.WireValueError as exc:
            raise exc.under(f"[{index}]").under("functionCalls") from None
    return ToolCallMessage(tuple(out))


def _tool_call_cancellation(value: Any) -> ToolCallCancellationMessage:
    ids = w.canon(value, w.CANCELLATION, "").get("ids")
    raw_ids = () if ids is None else w.as_list(ids, "ids")
    return ToolCallCancellationMessage(tuple(w.as_str(i, "ids") for i in raw_ids))


def _go_away(value: Any) -> GoAwayMessage:
    time_left = w.canon(value, w.GO_AWAY, "").get("timeLeft")
    if time_left is None:
        return GoAwayMessage()
    return GoAwayMessage(w.as_duration(time_left, "timeLeft"))


def _resumption(value: Any) -> SessionResumptionUpdate:
    d = w.canon(value, w.RESUMPTION, "")
    index = d.get("lastConsumedClientMessageIndex")
    return SessionResumptionUpdate(
        new_handle=w.as_str(d.get("newHandle", ""), "newHandle"),
        resumable=_flag(d, "resumable"),
        last_consumed_client_message_index=(
            None if index is None else w.as_int(index, "lastConsumedClientMessageIndex")
        ),
    )


def _usage(value: Any) -> UsageMetadata:
    d = w.canon(value, w.USAGE, "")
    google = "responseTokenCount" in d or "responseTokensDetails" in d
    vertex = "candidatesTokenCount" in d or "candidatesTokensDetails" in d
    response_count = "responseTokenCount" if google else "candidatesTokenCount"
    response_details = "responseTokensDetails" if google else "candidatesTokensDetails"
    traffic = d.get("trafficType")
    tier = d.get("serviceTier")
    return UsageMetadata(
        prompt_token_count=_count(d, "promptTokenCount"),
        response_token_count=_count(d, response_count),
        total_token_count=_count(d, "totalTokenCount"),
        cached_content_token_count=_count(d, "cachedContentTokenCount"),
        tool_use_prompt_token_count=_count(d, "toolUsePromptTokenCount"),
        thoughts_token_count=_count(d, "thoughtsTokenCount"),
        prompt_tokens_details=_details(d, "promptTokensDetails"),
        response_tokens_details=_details(d, response_details),
        cache_tokens_details=_details(d, "cacheTokensDetails"),
        tool_use_prompt_tokens_details=_details(d, "toolUsePromptTokensDetails"),
        traffic_type=None if traffic is None else w.as_enum(traffic, "trafficType"),
        service_tier=None if tier is None else w.as_enum(tier, "serviceTier"),
        vertex_spelling=vertex and not google,
    )


def _count(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    return 0 if value is None else w.as_int(value, key)


def _details(d: dict[str, Any], key: str) -> tuple[ModalityTokens, ...]:
    value = d.get(key)
    if value is None:
        return ()
    out: list[ModalityTokens] = []
    for index, raw in enumerate(w.as_list(value, key)):
        try:
            m = w.canon(raw, w.MODALITY, "")
            out.append(
                ModalityTokens(
                    modality=w.as_enum(m.get("modality", "MODALITY_UNSPECIFIED"), "modality"),
                    token_count=_count(m, "tokenCount"),
                )
            )
        except w.WireValueError as exc:
            raise exc.under(f"[{index}]").under(key) from None
    return tuple(out)


def _voice_activity(value: Any) -> VoiceActivityMessage:
    d = w.canon(value, w.VOICE_ACTIVITY, "")
    offset = d.get("audioOffset")
    return VoiceActivityMessage(
        type=w.as_enum(d.get("type", "TYPE_UNSPECIFIED"), "type"),
        audio_offset=None if offset is None else w.as_duration(offset, "audioOffset"),
    )


def _vad_signal(value: Any) -> VoiceActivityDetectionSignal:
    d = w.canon(value, w.VAD_SIGNAL, "")
    kind = d.get("vadSignalType", "VAD_SIGNAL_TYPE_UNSPECIFIED")
    return VoiceActivityDetectionSignal(w.as_enum(kind, "vadSignalType"))


_TOP_LEVEL: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    spelling: (camel, attr, parse)
    for camel, (attr, parse) in {
        "setupComplete": ("setup_complete", _setup_complete),
        "serverContent": ("server_content", _server_content),
        "toolCall": ("tool_call", _tool_call),
        "toolCallCancellation": ("tool_call_cancellation", _tool_call_cancellation),
        "goAway": ("go_away", _go_away),
        "sessionResumptionUpdate": ("session_resumption_update", _resumption),
        "usageMetadata": ("usage_metadata", _usage),
        "voiceActivity": ("voice_activity", _voice_activity),
        "voiceActivityDetectionSignal": ("voice_activity_detection_signal", _vad_signal),
    }.items()
    for spelling in w.keymap(camel)
}

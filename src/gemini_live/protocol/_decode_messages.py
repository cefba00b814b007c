"""Readers of the server messages other than ``serverContent``, for ``decode``.

``usageMetadata`` (on the last frame of every turn) has a fast path for the Developer API's
usual report; the rest (setupComplete, toolCall, toolCallCancellation, goAway,
sessionResumptionUpdate, voiceActivity, voiceActivityDetectionSignal) arrive once per turn or
per session and read every field through the lenient ``_wire`` helpers. Each reader takes the
JSON value of its key and returns its event, or raises ``WireValueError`` naming the bad field
(the same one the typed parser in ``_server_parse`` names). Pure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gemini_live.protocol import _wire as w
from gemini_live.protocol._makers import maker
from gemini_live.protocol._wire import WireValueError
from gemini_live.protocol.events import (
    FunctionCall,
    GoAway,
    ModalityTokens,
    ResumptionUpdate,
    SetupComplete,
    ToolCall,
    ToolCallCancellation,
    Usage,
    VadSignal,
    VoiceActivity,
)

__all__ = [
    "flag",
    "go_away",
    "resumption",
    "setup_complete",
    "tool_call",
    "tool_call_cancellation",
    "usage",
    "vad_signal",
    "voice_activity",
]

_USAGE_ALIASES = w.aliases(w.USAGE)
_MODALITY_ALIASES = w.aliases(w.MODALITY)
_usage_event = maker(Usage, 8)
_modality_tokens = maker(ModalityTokens, 2)
_INT64_MIN = -(2**63)
_INT64_LIMIT = 2**63


def flag(value: Any, key: str) -> bool:
    """A proto3 bool: absent (``None``) is ``False``; anything but a JSON boolean is an error."""
    if value is None:
        return False
    if type(value) is not bool:
        raise w.expected(key, "a boolean", value)
    return value


# --- usageMetadata -------------------------------------------------------------------------

# The fields of the usual usage report (the Developer API's spelling, nothing else).
_PLAIN_USAGE = frozenset(
    {
        "promptTokenCount",
        "responseTokenCount",
        "totalTokenCount",
        "cachedContentTokenCount",
        "toolUsePromptTokenCount",
        "thoughtsTokenCount",
        "promptTokensDetails",
        "responseTokensDetails",
    }
)


def usage(value: Any) -> Usage:
    if type(value) is dict and _PLAIN_USAGE.issuperset(value):
        get = value.get
        prompt = get("promptTokenCount", 0)
        response = get("responseTokenCount", 0)
        total = get("totalTokenCount", 0)
        cached = get("cachedContentTokenCount", 0)
        tool_use = get("toolUsePromptTokenCount", 0)
        thoughts = get("thoughtsTokenCount", 0)
        if (
            type(prompt) is int
            and type(response) is int
            and type(total) is int
            and type(cached) is int
            and type(tool_use) is int
            and type(thoughts) is int
            # All non-negative and inside int64 at once; anything else takes the full reader.
            and 0 <= prompt | response | total | cached | tool_use | thoughts < _INT64_LIMIT
        ):
            # The details of a voice session: one modality (AUDIO) each way. Read here, without
            # a call per list (a usage report is small: calls are a fair share of its cost).
            prompt_details: Any = get("promptTokensDetails")
            if type(prompt_details) is list and len(prompt_details) == 1:
                entry = prompt_details[0]
                if type(entry) is dict and len(entry) == 2:
                    modality = entry.get("modality")
                    count = entry.get("tokenCount")
                    if type(modality) is str and type(count) is int and 0 <= count < _INT64_LIMIT:
                        prompt_details = (_modality_tokens(modality, count),)
            if type(prompt_details) is not tuple:
                prompt_details = _plain_details(prompt_details)
            response_details: Any = get("responseTokensDetails")
            if type(response_details) is list and len(response_details) == 1:
                entry = response_details[0]
                if type(entry) is dict and len(entry) == 2:
                    modality = entry.get("modality")
                    count = entry.get("tokenCount")
                    if type(modality) is str and type(count) is int and 0 <= count < _INT64_LIMIT:
                        response_details = (_modality_tokens(modality, count),)
            if type(response_details) is not tuple:
                response_details = _plain_details(response_details)
            if prompt_details is not None and response_details is not None:
                return _usage_event(
                    prompt,
                    response,
                    total,
                    cached,
                    tool_use,
                    thoughts,
                    prompt_details,
                    response_details,
                )
    return _usage_fields(value)


def _plain_details(value: Any) -> tuple[ModalityTokens, ...] | None:
    """Well-formed details as the service writes them, or ``None`` for the full reader."""
    if value is None:
        return ()
    if type(value) is not list:
        return None
    if len(value) == 1:  # one modality (AUDIO): the usual report of a voice session
        entry = value[0]
        if type(entry) is dict and len(entry) == 2:
            modality = entry.get("modality")
            count = entry.get("tokenCount")
            if type(modality) is str and type(count) is int and 0 <= count < _INT64_LIMIT:
                return (_modality_tokens(modality, count),)
        return None
    out = []
    for entry in value:
        if type(entry) is not dict or len(entry) != 2:
            return None
        modality = entry.get("modality")
        count = entry.get("tokenCount")
        if type(modality) is not str or type(count) is not int or not 0 <= count < _INT64_LIMIT:
            return None
        out.append(_modality_tokens(modality, count))
    return tuple(out)


def _usage_fields(value: Any) -> Usage:
    d = w.fields(value, w.USAGE, _USAGE_ALIASES)
    get = d.get
    # The Developer API spells the output counts "response...", Vertex "candidates...".
    google = get("responseTokenCount") is not None or get("responseTokensDetails") is not None
    response = "response" if google else "candidates"
    usage: Usage = _usage_event(
        _count(get("promptTokenCount"), "promptTokenCount"),
        _count(get(response + "TokenCount"), response + "TokenCount"),
        _count(get("totalTokenCount"), "totalTokenCount"),
        _count(get("cachedContentTokenCount"), "cachedContentTokenCount"),
        _count(get("toolUsePromptTokenCount"), "toolUsePromptTokenCount"),
        _count(get("thoughtsTokenCount"), "thoughtsTokenCount"),
        _details(get("promptTokensDetails"), "promptTokensDetails"),
        _details(get(response + "TokensDetails"), response + "TokensDetails"),
    )
    # Read but not reported: checked all the same, so that a bad frame is a bad frame.
    _details(get("cacheTokensDetails"), "cacheTokensDetails")
    _details(get("toolUsePromptTokensDetails"), "toolUsePromptTokensDetails")
    for key in ("trafficType", "serviceTier"):
        extra = get(key)
        if extra is not None:
            w.as_enum(extra, key)
    return usage


def _count(value: Any, key: str) -> int:
    if value is None:
        return 0
    if type(value) is int and _INT64_MIN <= value < _INT64_LIMIT:
        return value
    return w.as_int(value, key)


def _details(value: Any, key: str) -> tuple[ModalityTokens, ...]:
    if value is None:
        return ()
    if type(value) is not list:
        raise w.expected(key, "an array", value)
    out: list[ModalityTokens] = []
    try:
        for raw in value:
            m = w.fields(raw, w.MODALITY, _MODALITY_ALIASES)
            modality = m.get("modality")
            if modality is None:
                modality = "MODALITY_UNSPECIFIED"
            elif type(modality) is not str:
                modality = w.as_enum(modality, "modality")
            out.append(_modality_tokens(modality, _count(m.get("tokenCount"), "tokenCount")))
    except WireValueError as exc:
        raise exc.under(f"[{len(out)}]").under(key) from None
    return tuple(out)


# --- the other messages (rare: one per turn or per session) --------------------------------


def setup_complete(value: Any) -> SetupComplete:
    session_id = w.canon(value, w.SETUP, "").get("sessionId")
    return SetupComplete(None if session_id is None else w.as_str(session_id, "sessionId"))


def tool_call(value: Any) -> ToolCall:
    calls = w.canon(value, w.TOOL_CALL, "").get("functionCalls")
    raw_calls = () if calls is None else w.as_list(calls, "functionCalls")
    out: list[FunctionCall] = []
    for index, raw in enumerate(raw_calls):
        try:
            c = w.canon(raw, w.FUNCTION_CALL, "")
            if "name" not in c:
                raise WireValueError("name", "missing")
            args = c.get("args")
            out.append(
                FunctionCall(
                    name=w.as_str(c["name"], "name"),
                    args={} if args is None else w.as_object(args, "args"),
                    # Vertex may send no id; an empty one is proto3 for the same thing.
                    id=w.as_str(c.get("id", ""), "id") or None,
                )
            )
        except WireValueError as exc:
            raise exc.under(f"[{index}]").under("functionCalls") from None
    return ToolCall(tuple(out))


def tool_call_cancellation(value: Any) -> ToolCallCancellation:
    ids = w.canon(value, w.CANCELLATION, "").get("ids")
    raw_ids = () if ids is None else w.as_list(ids, "ids")
    return ToolCallCancellation(tuple(w.as_str(i, "ids") for i in raw_ids))


def go_away(value: Any) -> GoAway:
    time_left = w.canon(value, w.GO_AWAY, "").get("timeLeft")
    return GoAway(timedelta(0) if time_left is None else w.as_duration(time_left, "timeLeft"))


def resumption(value: Any) -> ResumptionUpdate:
    d = w.canon(value, w.RESUMPTION, "")
    handle = w.as_str(d.get("newHandle", ""), "newHandle")
    resumable = flag(d.get("resumable"), "resumable")
    index = d.get("lastConsumedClientMessageIndex")
    if index is not None:
        index = w.as_int(index, "lastConsumedClientMessageIndex")
    return ResumptionUpdate(handle if resumable and handle else None, resumable, index)


def voice_activity(value: Any) -> VoiceActivity:
    d = w.canon(value, w.VOICE_ACTIVITY, "")
    kind = w.as_enum(d.get("type", "TYPE_UNSPECIFIED"), "type")
    offset = d.get("audioOffset")
    return VoiceActivity(kind, None if offset is None else w.as_duration(offset, "audioOffset"))


def vad_signal(value: Any) -> VadSignal:
    kind = w.canon(value, w.VAD_SIGNAL, "").get("vadSignalType", "VAD_SIGNAL_TYPE_UNSPECIFIED")
    return VadSignal(w.as_enum(kind, "vadSignalType"))

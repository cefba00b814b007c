"""Readers of the server messages other than ``serverContent``, for ``decode``.

``usageMetadata`` (either platform's spelling), ``toolCall`` and ``sessionResumptionUpdate`` have
a short path that accepts exactly the form the service writes (the exact key set found by
lookups, ``type(x) is int``/``str``/``bool`` or a test that fails for any other type, int64
counts) and hands anything else to the full reader, which reads every field through the lenient
``_wire`` helpers; both give the same events (``tests/protocol/test_decode_fast_paths.py``).
``goAway``'s short path is in ``decode`` itself. The rest (setupComplete, toolCallCancellation,
voiceActivity, voiceActivityDetectionSignal) arrive once per turn or per session and take the
full reader only. Each reader takes the JSON value of its key and returns its event, or raises
``WireValueError`` naming the bad field (the same one the typed parser in ``_server_parse``
names). Pure: no I/O, no state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gemini_live.protocol import _wire as w
from gemini_live.protocol._makers import maker, twin
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

# The fields of a usage report without aliases (either platform's spelling, nothing else).
_GOOGLE_USAGE = frozenset(
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
_VERTEX_USAGE = frozenset(
    {
        "promptTokenCount",
        "candidatesTokenCount",
        "totalTokenCount",
        "cachedContentTokenCount",
        "toolUsePromptTokenCount",
        "thoughtsTokenCount",
        "promptTokensDetails",
        "candidatesTokensDetails",
        "trafficType",
    }
)


def usage(value: Any) -> Usage:
    """``usageMetadata`` -> :class:`Usage`, either platform's spelling."""
    try:
        # The report of a voice session: three counts and two details lists (plus trafficType
        # on Vertex). Five (six) keys of which these five (six) are found are exactly these;
        # any other report goes to the fuller readers (through KeyError when Vertex's sixth key
        # is not trafficType).
        size = len(value)
        if size == 5 and "responseTokenCount" in value:
            response = value["responseTokenCount"]
            response_details = value["responseTokensDetails"]
        elif "candidatesTokenCount" in value and (
            (size == 6 and type(value["trafficType"]) is str) or size == 5
        ):
            response = value["candidatesTokenCount"]
            response_details = value["candidatesTokensDetails"]
        else:
            return _usage_other(value)
        prompt = value["promptTokenCount"]
        total = value["totalTokenCount"]
        prompt_details = value["promptTokensDetails"]
        # One modality out (AUDIO, or TEXT); in, AUDIO alone or after the TEXT of a system
        # instruction. Unpacking checks the list's length (ValueError), and an entry that is
        # not an object fails on its first key (TypeError). Read here, not by a function per
        # list: its calls would be a tenth of the report's cost.
        (out,) = response_details
        modality = out["modality"]
        count = out["tokenCount"]
        if len(prompt_details) == 2:
            first, second = prompt_details
            modality_1 = first["modality"]
            count_1 = first["tokenCount"]
            modality_2 = second["modality"]
            count_2 = second["tokenCount"]
            if (
                # Two keys each, both found: exactly these two.
                len(out) == 2
                and len(first) == 2
                and len(second) == 2
                and type(modality) is str
                and type(modality_1) is str
                and type(modality_2) is str
                # Counts of 2 or more (true and false are 1 and 0; anything but a number
                # fails the comparison with TypeError), integers (a float fails the OR), and
                # the OR of these non-negative integers below 2**63: all inside int64. Counts
                # of 0 and 1 are left to the readers below.
                and prompt > 1
                and response > 1
                and total > 1
                and count > 1
                and count_1 > 1
                and count_2 > 1
                and prompt | response | total | count | count_1 | count_2 < 2**63
            ):
                # Built here (see _makers.twin): the makers' calls would be a tenth of the cost.
                made_1 = _ModalityTokensTwin()
                made_1.modality = modality_1
                made_1.token_count = count_1
                made_1.__class__ = ModalityTokens
                made_2 = _ModalityTokensTwin()
                made_2.modality = modality_2
                made_2.token_count = count_2
                made_2.__class__ = ModalityTokens
                prompt_made: tuple[ModalityTokens, ...] = (made_1, made_2)
            else:
                return _usage_other(value)
        else:
            (first,) = prompt_details
            modality_1 = first["modality"]
            count_1 = first["tokenCount"]
            if (
                len(out) == 2
                and len(first) == 2
                and type(modality) is str
                and type(modality_1) is str
                and prompt > 1
                and response > 1
                and total > 1
                and count > 1
                and count_1 > 1
                and prompt | response | total | count | count_1 < 2**63
            ):
                made_1 = _ModalityTokensTwin()
                made_1.modality = modality_1
                made_1.token_count = count_1
                made_1.__class__ = ModalityTokens
                prompt_made = (made_1,)
            else:
                return _usage_other(value)
        made = _ModalityTokensTwin()
        made.modality = modality
        made.token_count = count
        made.__class__ = ModalityTokens
        event = _UsageTwin()
        event.prompt_tokens = prompt
        event.response_tokens = response
        event.total_tokens = total
        event.cached_tokens = 0
        event.tool_use_prompt_tokens = 0
        event.thoughts_tokens = 0
        event.prompt_details = prompt_made
        event.response_details = (made,)
        event.__class__ = Usage
        return event  # type: ignore[no-any-return]
    except (KeyError, TypeError, ValueError, AttributeError):
        pass  # not that report (or not an object): the readers below decide
    return _usage_other(value)


def _usage_other(value: Any) -> Usage:
    """Any report but the voice session's: the subset reader, else the full one."""
    if type(value) is dict:
        return _usage_subset(value)
    return _usage_fields(value)


_UsageTwin: Any = twin(Usage)
_ModalityTokensTwin: Any = twin(ModalityTokens)
if _UsageTwin is None or _ModalityTokensTwin is None:
    # An interpreter that refuses the twins' class move: the general readers (same results).
    usage = _usage_other


def _usage_subset(value: dict[str, Any]) -> Usage:
    """Any other report without aliases, nulls or odd values; else the full reader."""
    if _GOOGLE_USAGE.issuperset(value):
        response = value.get("responseTokenCount", 0)
        response_details = value.get("responseTokensDetails")
    elif _VERTEX_USAGE.issuperset(value):
        traffic = value.get("trafficType")
        if traffic is not None and type(traffic) is not str:
            return _usage_fields(value)
        response = value.get("candidatesTokenCount", 0)
        response_details = value.get("candidatesTokensDetails")
    else:
        return _usage_fields(value)
    get = value.get
    prompt = get("promptTokenCount", 0)
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
        and 0 <= prompt | response | total | cached | tool_use | thoughts < _INT64_LIMIT
    ):
        prompt_details = _plain_details(get("promptTokensDetails"))
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


_function_call = maker(FunctionCall, 3)
_tool_call_event = maker(ToolCall, 1)
_resumption_event = maker(ResumptionUpdate, 3)
_RESUMPTION_FIELDS = frozenset({"newHandle", "resumable", "lastConsumedClientMessageIndex"})


def tool_call(value: Any) -> ToolCall:
    # As the service writes it: {"functionCalls": [{"id", "name", "args"}, ...]}. The fields of
    # a call have one spelling each and unknown ones are ignored, so no key check is needed.
    try:
        if len(value) == 1:
            calls = value["functionCalls"]
            if len(calls) == 1:  # the usual request: one call, without a loop
                # calls is a list: an object has no key 0, and a string of one character is
                # no call of three fields.
                call = calls[0]
                if len(call) == 3:  # and all three found: exactly id, name and args
                    name = call["name"]
                    args = call["args"]
                    call_id = call["id"]
                    if type(name) is str and type(args) is dict and type(call_id) is str:
                        return _tool_call_event((_function_call(name, args, call_id or None),))
            if type(calls) is list:
                out = []
                for raw in calls:
                    plain = _plain_call(raw)
                    if plain is None:
                        break
                    out.append(plain)
                else:
                    return _tool_call_event(tuple(out))
    except (KeyError, TypeError):
        pass  # another form (or not an object): read below
    return _tool_call_fields(value)


def _plain_call(raw: Any) -> FunctionCall | None:
    """A call as the service writes it, or ``None`` for the full reader."""
    if type(raw) is dict:
        get = raw.get
        name = get("name")
        args = get("args")
        call_id = get("id")
        if type(name) is str and (call_id is None or type(call_id) is str):
            if type(args) is dict:
                return _function_call(name, args, call_id or None)
            if args is None:
                return _function_call(name, {}, call_id or None)
    return None


def _tool_call_fields(value: Any) -> ToolCall:
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
    # The service's form, {"timeLeft": "50s"} alone in its frame, is read in decode_events.
    time_left = w.canon(value, w.GO_AWAY, "").get("timeLeft")
    return GoAway(timedelta(0) if time_left is None else w.as_duration(time_left, "timeLeft"))


def resumption(value: Any) -> ResumptionUpdate:
    try:
        # The checkpoint as the service sends it: {"newHandle": "...", "resumable": true}. Two
        # keys of which both are found are exactly these two.
        if len(value) == 2:
            handle = value["newHandle"]
            if value["resumable"] is True and type(handle) is str:
                return _resumption_event(handle or None, True, None)
    except (KeyError, TypeError):
        pass  # another form (or not an object): read below
    if type(value) is dict and _RESUMPTION_FIELDS.issuperset(value):
        # Only camelCase fields (no alias to reconcile): the service's own spelling.
        get = value.get
        handle = get("newHandle", "")
        resumable = get("resumable", False)
        index = get("lastConsumedClientMessageIndex")
        if (
            type(handle) is str
            and type(resumable) is bool
            and (index is None or (type(index) is int and _INT64_MIN <= index < _INT64_LIMIT))
        ):
            return _resumption_event(handle if resumable and handle else None, resumable, index)
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

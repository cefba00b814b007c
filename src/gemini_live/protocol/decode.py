"""Server frames -> events: the session's receive hot path.

:func:`decode_events` is called once per received frame and never raises. It goes from the parsed
JSON object straight to frozen events in one pass, for every message shape (audio with or without
``"role"``, several parts, transcription beside audio, usage on the last frame...), with no typed
message tree in between. ``server_codec`` holds that tree (``parse_server_frame`` /
``to_events``) for the emulator and tests; the golden table and a fuzz test pin
``decode_events(f) == to_events(parse_server_frame(f))``, errors included.

Event order within a frame is fixed: ``setupComplete``; ``voiceActivity``;
``voiceActivityDetectionSignal``; ``usageMetadata`` (before the content, so that a consumer that
stops at TurnComplete has seen the turn's usage); ``serverContent`` (Interrupted, model-turn parts
in order, InputTranscription, InterimInputTranscription, OutputTranscription, GroundingMetadata,
UrlContextMetadata, WaitingForInput, GenerationComplete, TurnComplete); ``toolCall``;
``toolCallCancellation``; ``sessionResumptionUpdate``; ``goAway``; then one ``UnknownMessage`` for
all unknown top-level keys. Model-turn parts with no event type (non-audio ``inlineData``,
unknown part kinds) surface, in their place among the parts, as
``UnknownMessage(keys=("serverContent",), payload={"serverContent": {"modelTurn": {"parts":
[part]}}})`` (non-audio ``inlineData`` re-encoded in standard base64).

Reading is as lenient as the service (camelCase or snake_case keys, either base64 alphabet, int64
as a string or a number, ``null`` as absent); a known field of the wrong type makes the whole
frame one ``ProtocolViolation`` naming the field's path.

Pure: no asyncio, no sockets, no clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import orjson

from gemini_live.protocol import _wire as w
from gemini_live.protocol._base64 import decode_strict, encode_standard
from gemini_live.protocol._decode_messages import (
    flag,
    go_away,
    resumption,
    setup_complete,
    tool_call,
    tool_call_cancellation,
    usage,
    vad_signal,
    voice_activity,
)
from gemini_live.protocol._makers import maker, twin
from gemini_live.protocol._wire import FrameDecodeError, WireValueError
from gemini_live.protocol.events import (
    AudioChunk,
    CodeExecutionResult,
    Event,
    ExecutableCode,
    FunctionCall,
    GenerationComplete,
    GoAway,
    GroundingMetadata,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
    OutputTranscription,
    ProtocolViolation,
    TextDelta,
    Thought,
    ToolCall,
    TurnComplete,
    UnknownMessage,
    UrlContextMetadata,
    WaitingForInput,
)

__all__ = ["EXCERPT_LIMIT", "FrameDecodeError", "decode_events"]

logger = logging.getLogger("gemini_live.protocol")

EXCERPT_LIMIT = 200


def decode_events(frame: str | bytes) -> list[Event]:
    """Decode one received frame (text, or UTF-8 bytes) into events. Never raises.

    A frame that cannot be decoded becomes ``[ProtocolViolation(detail, excerpt)]`` with at most
    ``EXCERPT_LIMIT`` characters of it. The returned list is new and the caller's to keep.
    """
    try:
        obj = _load(frame)
        if type(obj) is not dict:
            raise w.not_an_object(obj)
        size = len(obj)
        if size == 1:
            # Most frames hold one message: straight to its reader.
            (key,) = obj
            value = obj[key]
            if key == "serverContent" and type(value) is dict and len(value) == 1:
                # serverContent with one field (audio, a transcription, a flag...): most frames.
                (field,) = value
                inner = value[field]
                make = _TRANSCRIPTION_MAKERS.get(field)
                if make is not None and type(inner) is dict:
                    # A transcription as the service writes it, built here without another
                    # call (these frames are small: the call would be a tenth of their cost).
                    text = inner.get("text")
                    if type(text) is str:
                        fields = len(inner)
                        if fields == 1:  # text only: the output transcription's form
                            return [make(text, None, None)]
                        if fields == 2:  # text and one more: that one is the key found
                            finished = inner.get("finished")
                            if type(finished) is bool:
                                return [make(text, finished, None)]
                            language = inner.get("languageCode")
                            if type(language) is str:
                                return [make(text, None, language)]
                        elif "language_code" not in inner:  # its one snake_case alias
                            finished = inner.get("finished")
                            language = inner.get("languageCode")
                            if (finished is None or type(finished) is bool) and (
                                language is None or type(language) is str
                            ):
                                return [make(text, finished, language)]
                read = _ONE_FIELD.get(field)
                if read is not None and inner is not None:
                    try:
                        return read(inner)
                    except WireValueError as exc:
                        raise exc.under("serverContent") from None
            if key == _INLINE_TOOL_CALL:
                # One call as the service writes it, {"functionCalls": [{"id", "name",
                # "args"}]}, built here with the twins (see _makers.twin): the reader's call
                # and two maker calls would be a sixth of this small frame's cost. A call's
                # fields have one spelling each and unknown ones are ignored, so three keys of
                # which these three are found need no other check. Else tool_call decides.
                try:
                    if len(value) == 1:
                        calls = value["functionCalls"]
                        if len(calls) == 1:
                            # calls is a list: an object has no key 0, and a string of one
                            # character is no call of three fields.
                            call = calls[0]
                            if len(call) == 3:
                                name = call["name"]
                                args = call["args"]  # kept as parsed (new per frame)
                                call_id = call["id"]
                                if (
                                    type(name) is str
                                    and type(args) is dict
                                    and type(call_id) is str
                                ):
                                    made = _FunctionCallTwin()
                                    made.name = name
                                    made.args = args
                                    made.id = call_id or None
                                    made.__class__ = FunctionCall
                                    event = _ToolCallTwin()
                                    event.calls = (made,)
                                    event.__class__ = ToolCall
                                    return [event]
                except (KeyError, TypeError):
                    pass  # another form (or not an object): tool_call reads it
            if key == _INLINE_GO_AWAY:
                # {"timeLeft": "50s"}: whole seconds of one to four ASCII digits, the duration
                # summed from per-digit tables (any other character is no key), built with the
                # twin. int() and a timedelta product would cost three times as much, and the
                # reader's call a tenth of this small frame. Any other form: go_away reads it.
                try:
                    if len(value) == 1:
                        left = value["timeLeft"]
                        if type(left) is str and left[-1] == "s":
                            length = len(left)  # the digits and the "s"
                            if length == 3:
                                time_left = _TENS[left[0]] + _UNITS[left[1]]
                            elif length == 4:
                                time_left = _HUNDREDS[left[0]] + _TENS[left[1]] + _UNITS[left[2]]
                            elif length == 2:
                                time_left = _UNITS[left[0]]
                            elif length == 5:
                                time_left = (
                                    _THOUSANDS[left[0]]
                                    + _HUNDREDS[left[1]]
                                    + _TENS[left[2]]
                                    + _UNITS[left[3]]
                                )
                            else:
                                raise KeyError(left)  # more digits than the tables hold
                            made = _GoAwayTwin()
                            made.time_left = time_left
                            made.__class__ = GoAway
                            return [made]
                except (KeyError, TypeError, IndexError):
                    pass  # another form (or not an object): go_away reads it
            read_one = _SINGLE.get(key)
            if read_one is not None and value is not None:
                # toolCall, goAway, sessionResumptionUpdate, usageMetadata...: one event.
                try:
                    return [read_one(value)]
                except WireValueError as exc:
                    raise exc.under(key) from None
            reader = _READERS.get(key)
            if reader is None:
                return [UnknownMessage((key,), {key: value})]
            if value is None:
                return []
            try:
                result = reader[1](value)
            except WireValueError as exc:
                raise exc.under(reader[0]) from None
            return result if type(result) is list else [result]
        if size == 2:
            # The turn's last frame: serverContent with usageMetadata beside it.
            try:
                content = obj["serverContent"]
                usage_value = obj["usageMetadata"]
            except KeyError:
                return _frame(obj)  # another pair
            try:
                if content == _ONLY_TURN_COMPLETE and content["turnComplete"] is True:
                    # The end of a turn, {"turnComplete": true} (one comparison; 1 and 1.0
                    # equal true, hence the second test): no content reader to call. A null
                    # usage is an error here (usage), and absent in the arrival-order reading.
                    return [usage(usage_value), _TURN_COMPLETE]
                if content is not None and usage_value is not None:
                    events = _content(content)
                    events.insert(0, usage(usage_value))  # usage first (documented order)
                    return events
            except WireValueError:
                pass  # read again in arrival order, so the same field is reported
        return _frame(obj)
    except (FrameDecodeError, WireValueError) as exc:
        return [_violation(str(exc), frame)]
    except orjson.JSONDecodeError as exc:
        return [_violation(f"frame is not valid JSON: {exc}", frame)]
    except Exception as exc:  # never let one frame kill the session's reader
        logger.exception("unexpected error decoding a server frame")
        return [_violation(f"internal decoder error: {type(exc).__name__}: {exc}", frame)]


# orjson reads str, bytes, bytearray and memoryview itself; only an orjson too old to bound the
# nesting depth needs the guarded loader (see _wire.load_json).
_load: Callable[[Any], Any] = w.load_json if w.GUARD_DEPTH else orjson.loads


def _frame(obj: dict[str, Any]) -> list[Event]:
    # Several top-level keys (usage beside content, unknown keys...): read each in the order it
    # arrived (so the first bad field is the one reported), then emit in the documented order.
    # As in proto3 JSON, when both spellings of a key are present the later one wins.
    found: dict[int, Any] = {}
    unknown: dict[str, Any] | None = None
    for key, value in obj.items():
        reader = _READERS.get(key)
        if reader is None:
            if unknown is None:
                unknown = {}
            unknown[key] = value
        elif value is not None:
            camel, read, slot = reader
            try:
                found[slot] = read(value)
            except WireValueError as exc:
                raise exc.under(camel) from None
    events: list[Event] = []
    if len(found) == 2:  # usage beside content, the usual pair: no sort needed
        first, second = found
        order: Any = (first, second) if first < second else (second, first)
    else:
        order = sorted(found)
    for slot in order:
        result = found[slot]
        if type(result) is list:
            events += result
        else:
            events.append(result)
    if unknown:
        events.append(UnknownMessage(tuple(unknown), unknown))
    return events


# --- serverContent -------------------------------------------------------------------------

_CONTENT_ALIASES = w.aliases(w.CONTENT)
_TRANSCRIPTION_ALIASES = w.aliases(w.TRANSCRIPTION)
_PART_ALIASES = w.aliases(w.PART)
_BLOB_ALIASES = w.aliases(w.BLOB)

# The events built for nearly every frame, through the fast constructors (see _makers).
_audio_chunk = maker(AudioChunk, 3)
_text_delta = maker(TextDelta, 1)
_input_transcription = maker(InputTranscription, 3)
_output_transcription = maker(OutputTranscription, 3)
_interim_transcription = maker(InterimInputTranscription, 3)

# The twins (see _makers.twin) of the events built inline; without them, the readers' makers.
_FunctionCallTwin: Any = twin(FunctionCall)
_ToolCallTwin: Any = twin(ToolCall)
# "toolCall" where both twins exist (a key no frame has, otherwise): one test per frame.
_INLINE_TOOL_CALL = (
    "toolCall" if _FunctionCallTwin is not None and _ToolCallTwin is not None else None
)
_GoAwayTwin: Any = twin(GoAway)
_INLINE_GO_AWAY = "goAway" if _GoAwayTwin is not None else None  # likewise


def _digit_seconds(unit: int) -> dict[str, timedelta]:
    return {str(digit): timedelta(seconds=digit * unit) for digit in range(10)}


# A digit's worth at each place of a whole number of seconds (40 durations, shared: timedelta
# is immutable); a sum of these is a C-level addition.
_UNITS = _digit_seconds(1)
_TENS = _digit_seconds(10)
_HUNDREDS = _digit_seconds(100)
_THOUSANDS = _digit_seconds(1000)

# Events without fields (or with only defaults) are immutable: one instance serves every frame.
_INTERRUPTED = Interrupted()
_GENERATION_COMPLETE = GenerationComplete()
_TURN_COMPLETE = TurnComplete()
_ONLY_TURN_COMPLETE = {"turnComplete": True}  # compared with, never handed out
_WAITING = {True: WaitingForInput(True), False: WaitingForInput(False)}


def _content(value: Any) -> list[Event]:
    if type(value) is dict:
        size = len(value)
        if size == 1:
            # One field (audio, a transcription, turnComplete...): most frames. Its own reader.
            for key, field in value.items():
                read = _ONE_FIELD.get(key)
                if read is not None and field is not None:
                    return read(field)
        elif size == 2 and "modelTurn" in value:
            # Audio with its transcription, or the turn's last audio with turnComplete: the
            # parts, then the other field's events (after the parts in the documented order).
            first, second = value
            other = second if first == "modelTurn" else first
            read = _AFTER_PARTS.get(other)
            turn = value["modelTurn"]
            extra = value[other]
            if read is not None and turn is not None and extra is not None:
                events = _model_turn(turn)  # read first, as _content_fields does
                events += read(extra)
                return events
    return _content_fields(value)


def _content_fields(value: Any) -> list[Event]:
    d = w.fields(value, w.CONTENT, _CONTENT_ALIASES)
    get = d.get
    turn = get("modelTurn")
    events: list[Event] = [] if turn is None else _model_turn(turn)
    # The fields are checked in this order (the typed parser's), so that the first bad one is
    # reported; the events are then emitted in the documented processing order.
    complete = flag(get("turnComplete"), "turnComplete")
    generation = flag(get("generationComplete"), "generationComplete")
    interrupted = flag(get("interrupted"), "interrupted")
    heard = _transcription(get("inputTranscription"), "inputTranscription", _input_transcription)
    said = _transcription(get("outputTranscription"), "outputTranscription", _output_transcription)
    interim = _transcription(
        get("interimInputTranscription"), "interimInputTranscription", _interim_transcription
    )
    grounding = get("groundingMetadata")
    if grounding is not None:
        grounding = GroundingMetadata(w.as_object(grounding, "groundingMetadata"))
    url_context = get("urlContextMetadata")
    if url_context is not None:
        url_context = UrlContextMetadata(w.as_object(url_context, "urlContextMetadata"))
    waiting = get("waitingForInput")
    if waiting is not None:
        waiting = _WAITING[w.as_bool(waiting, "waitingForInput")]
    reason = get("turnCompleteReason")
    if reason is not None:
        reason = w.as_enum(reason, "turnCompleteReason")
    status = get("interactionStatus")
    if status is not None:
        status = w.as_enum(status, "interactionStatus")
    if interrupted:
        events.insert(0, _INTERRUPTED)
    if heard is not None:
        events.append(heard)
    if interim is not None:
        events.append(interim)
    if said is not None:
        events.append(said)
    if grounding is not None:
        events.append(grounding)
    if url_context is not None:
        events.append(url_context)
    if waiting is not None:
        events.append(waiting)
    if generation:
        events.append(_GENERATION_COMPLETE)
    if complete:
        if reason is None and status is None:
            events.append(_TURN_COMPLETE)
        else:
            events.append(TurnComplete(reason, status))
    return events


def _transcription_reader(key: str, make: Callable[..., Any]) -> Callable[[Any], list[Event]]:
    """The reader of a serverContent that holds only the transcription ``key``."""
    # languageCode is the one field of a transcription with a distinct snake_case spelling.
    assert {"language_code"} == _TRANSCRIPTION_ALIASES

    def read(value: Any) -> list[Event]:
        if type(value) is dict and "language_code" not in value:
            get = value.get
            text = get("text")
            finished = get("finished")
            language = get("languageCode")
            if (
                type(text) is str
                and (finished is None or type(finished) is bool)
                and (language is None or type(language) is str)
            ):
                return [make(text, finished, language)]
        return [_transcription(value, key, make)]

    return read


def _only_turn_complete(value: Any) -> list[Event]:
    if value is True:
        return [_TURN_COMPLETE]
    return [_TURN_COMPLETE] if flag(value, "turnComplete") else []


def _only_generation_complete(value: Any) -> list[Event]:
    return [_GENERATION_COMPLETE] if flag(value, "generationComplete") else []


def _only_interrupted(value: Any) -> list[Event]:
    return [_INTERRUPTED] if flag(value, "interrupted") else []


def _transcription(value: Any, key: str, make: Callable[[Any, Any, Any], Any]) -> Any:
    if value is None:
        return None
    if type(value) is dict and _TRANSCRIPTION_ALIASES.isdisjoint(value):
        get = value.get
        text = get("text")
        finished = get("finished")
        language = get("languageCode")
        if (
            type(text) is str
            and (finished is None or type(finished) is bool)
            and (language is None or type(language) is str)
        ):
            return make(text, finished, language)
    try:
        t = w.canon(value, w.TRANSCRIPTION, "")
        text = t.get("text")
        finished = t.get("finished")
        language = t.get("languageCode")
        return make(
            "" if text is None else w.as_str(text, "text"),
            None if finished is None else w.as_bool(finished, "finished"),
            None if language is None else w.as_str(language, "languageCode"),
        )
    except WireValueError as exc:
        raise exc.under(key) from None


def _model_turn(value: Any) -> list[Event]:
    # "role" and the other fields of the Content are not read; only "parts" is.
    if type(value) is dict:
        parts = value.get("parts")
        if type(parts) is list:
            try:
                if len(parts) == 1:  # most frames: one part, without a comprehension's call
                    return [_part(parts[0])]
                return [_part(raw) for raw in parts]
            except WireValueError:
                pass  # find which part, below (rare: a broken frame)
    try:
        parts = w.canon(value, w.TURN, "").get("parts")
        raw_parts = () if parts is None else w.as_list(parts, "parts")
    except WireValueError as exc:
        raise exc.under("modelTurn") from None
    events: list[Event] = []
    try:
        for raw in raw_parts:
            events.append(_part(raw))
    except WireValueError as exc:
        raise exc.under(f"[{len(events)}]").under("parts").under("modelTurn") from None
    return events


def _part(raw: Any) -> Event:
    if type(raw) is dict and len(raw) == 1:
        blob = raw.get("inlineData")
        if blob is not None:
            return _inline_data(blob)
        text = raw.get("text")
        if type(text) is str:
            return _text_delta(text)
    d = w.fields(raw, w.PART, _PART_ALIASES)
    text = d.get("text")
    if text is not None:
        thought = d.get("thought")
        if thought is not None and w.as_bool(thought, "thought"):
            return Thought(w.as_str(text, "text"))
        return _text_delta(w.as_str(text, "text"))
    blob = d.get("inlineData")
    if blob is not None:
        return _inline_data(blob)
    code = d.get("executableCode")
    if code is not None:
        try:
            c = w.canon(code, w.CODE, "")
            return ExecutableCode(
                w.as_enum(c.get("language", "LANGUAGE_UNSPECIFIED"), "language"),
                w.as_str(c.get("code", ""), "code"),
            )
        except WireValueError as exc:
            raise exc.under("executableCode") from None
    result = d.get("codeExecutionResult")
    if result is not None:
        try:
            r = w.canon(result, w.RESULT, "")
            return CodeExecutionResult(
                w.as_enum(r.get("outcome", "OUTCOME_UNSPECIFIED"), "outcome"),
                w.as_str(r.get("output", ""), "output"),
            )
        except WireValueError as exc:
            raise exc.under("codeExecutionResult") from None
    return _unknown_part(raw)


def _unknown_part(part: Any) -> UnknownMessage:
    return UnknownMessage(("serverContent",), {"serverContent": {"modelTurn": {"parts": [part]}}})


def _inline_data(blob: Any) -> Event:
    if type(blob) is dict and len(blob) == 2:
        # What the service sends: {"mimeType": "audio/pcm;rate=24000", "data": standard base64}.
        data = blob.get("data")
        mime = blob.get("mimeType")
        if type(data) is str and type(mime) is str and mime:
            rate = w.audio_rate(mime)
            if rate is not None:
                try:
                    return _audio_chunk(decode_strict(data), rate, mime)
                except ValueError:
                    pass  # URL-safe, unpadded, wrapped, or bad: the lenient reader decides
    try:
        b = w.fields(blob, w.BLOB, _BLOB_ALIASES)
        data = b.get("data")
        payload = b"" if data is None else w.as_bytes(data, "data")
        mime = b.get("mimeType")
        if mime is None or mime == "":
            mime = w.DEFAULT_OUTPUT_MIME_TYPE
        elif type(mime) is not str:
            raise w.expected("mimeType", "a string", mime)
    except WireValueError as exc:
        raise exc.under("inlineData") from None
    rate = w.audio_rate(mime)
    if rate is None:  # an image or other media: no event type, surfaced as sent
        return _unknown_part({"inlineData": {"mimeType": mime, "data": encode_standard(payload)}})
    return _audio_chunk(payload, rate, mime)


# The transcription fields, by name, with the constructor of their event.
_TRANSCRIPTION_MAKERS: dict[str, Callable[[Any, Any, Any], Event]] = {
    "outputTranscription": _output_transcription,
    "inputTranscription": _input_transcription,
    "interimInputTranscription": _interim_transcription,
}
assert {"language_code"} == _TRANSCRIPTION_ALIASES  # languageCode: the one snake_case spelling

_ONE_FIELD: dict[str, Callable[[Any], list[Event]]] = {
    "modelTurn": _model_turn,
    "outputTranscription": _transcription_reader("outputTranscription", _output_transcription),
    "inputTranscription": _transcription_reader("inputTranscription", _input_transcription),
    "interimInputTranscription": _transcription_reader(
        "interimInputTranscription", _interim_transcription
    ),
    "turnComplete": _only_turn_complete,
    "generationComplete": _only_generation_complete,
    "interrupted": _only_interrupted,
}


# The fields whose events come after the model-turn parts, by name.
_AFTER_PARTS = {
    key: read for key, read in _ONE_FIELD.items() if key not in ("modelTurn", "interrupted")
}

# Readers by top-level key (both spellings): (camelCase name, reader, slot). The slot is the
# event's place in the documented order.
_ORDER: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("setupComplete", setup_complete),
    ("voiceActivity", voice_activity),
    ("voiceActivityDetectionSignal", vad_signal),
    ("usageMetadata", usage),
    ("serverContent", _content),
    ("toolCall", tool_call),
    ("toolCallCancellation", tool_call_cancellation),
    ("sessionResumptionUpdate", resumption),
    ("goAway", go_away),
)
assert {camel for camel, _ in _ORDER} == set(w.TOP_LEVEL)
_SLOTS = len(_ORDER)
_READERS: dict[str, tuple[str, Callable[[Any], Any], int]] = {
    spelling: (camel, read, slot)
    for slot, (camel, read) in enumerate(_ORDER)
    for spelling in w.keymap(camel)
}


# The top-level messages that make exactly one event, by their camelCase key.
_SINGLE: dict[str, Callable[[Any], Event]] = {
    camel: read for camel, read in _ORDER if camel != "serverContent"
}


def _violation(detail: str, frame: object) -> ProtocolViolation:
    try:
        if isinstance(frame, str):
            excerpt = frame[:EXCERPT_LIMIT]
        elif isinstance(frame, bytes | bytearray | memoryview):
            excerpt = bytes(frame[:EXCERPT_LIMIT]).decode("utf-8", "replace")
        else:
            excerpt = repr(frame)[:EXCERPT_LIMIT]
    except Exception:
        excerpt = ""
    # DEBUG only: the violation reaches the application as an event, which decides what to log.
    logger.debug("undecodable server frame: %s", detail)
    return ProtocolViolation(detail[:1000], excerpt)

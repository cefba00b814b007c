"""The client-message golden table, run in both directions, plus decoder rejections and the
audio/video fast paths."""

from __future__ import annotations

import base64
import json
from typing import Any

import orjson
import pytest

from gemini_live.protocol.client_decode import decode_client, from_wire
from gemini_live.protocol.encode import encode, encode_audio, encode_video, to_wire
from gemini_live.protocol.messages import (
    ClientMessage,
    RealtimeAudio,
    RealtimeVideo,
    ToolResponse,
    message_kind,
)
from gemini_live.protocol.types import FunctionResponse

from .golden_client import DECODE_ONLY, GOLDEN


def _ids(rows: list[Any]) -> list[str]:
    return [row[0] for row in rows]


def test_golden_names_are_unique() -> None:
    names = _ids(GOLDEN) + _ids(DECODE_ONLY)
    assert len(names) == len(set(names))


def test_golden_covers_every_message_kind() -> None:
    kinds = {message_kind(typed) for _, _, typed in GOLDEN}
    assert kinds == {
        "setup",
        "client_content",
        "audio",
        "video",
        "text",
        "activity_start",
        "activity_end",
        "audio_stream_end",
        "tool_response",
        "context_update",
    }


def test_golden_covers_every_setup_field() -> None:
    setup_keys = {key for _, wire, _ in GOLDEN if "setup" in wire for key in wire["setup"]}
    assert setup_keys == {
        "model",
        "generationConfig",
        "systemInstruction",
        "tools",
        "realtimeInputConfig",
        "sessionResumption",
        "contextWindowCompression",
        "inputAudioTranscription",
        "outputAudioTranscription",
        "proactivity",
        "historyConfig",
        "explicitVadSignal",
        "safetySettings",
        "avatarConfig",
        "labels",
    }


@pytest.mark.parametrize(("name", "wire", "typed"), GOLDEN, ids=_ids(GOLDEN))
def test_encode_matches_wire(name: str, wire: dict[str, Any], typed: ClientMessage) -> None:
    frame = encode(typed)
    assert isinstance(frame, str)
    assert json.loads(frame) == wire
    assert to_wire(typed) == wire


@pytest.mark.parametrize(("name", "wire", "typed"), GOLDEN, ids=_ids(GOLDEN))
def test_decode_matches_typed(name: str, wire: dict[str, Any], typed: ClientMessage) -> None:
    assert decode_client(json.dumps(wire)) == typed
    assert decode_client(orjson.dumps(wire)) == typed  # binary frames too
    assert type(from_wire(wire)) is type(typed)


@pytest.mark.parametrize(("name", "wire", "typed"), DECODE_ONLY, ids=_ids(DECODE_ONLY))
def test_decode_only(name: str, wire: dict[str, Any], typed: ClientMessage) -> None:
    decoded = decode_client(json.dumps(wire))
    assert decoded == typed
    canonical = encode(decoded)  # several tool kinds in one object split, so compare frames
    assert encode(decode_client(canonical)) == canonical


@pytest.mark.parametrize(("name", "wire", "typed"), GOLDEN, ids=_ids(GOLDEN))
def test_encoding_is_deterministic_and_compact(
    name: str, wire: dict[str, Any], typed: ClientMessage
) -> None:
    frame = encode(typed)
    assert frame == encode(typed)
    assert frame == orjson.dumps(json.loads(frame)).decode()  # compact: no whitespace added


def test_encode_uses_standard_base64_and_int64_strings() -> None:
    data = b"\xfb\xff\xbf"  # standard "+/+/", URL-safe "-_-_"
    frame = encode(RealtimeAudio(data, "audio/pcm;rate=16000"))
    assert '"data":"+/+/"' in frame
    setup = next(typed for name, _, typed in GOLDEN if name.endswith("int64_as_strings"))
    assert '"triggerTokens":"100000"' in encode(setup)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 320, 640, 641, 1920, 32_000])
def test_encode_audio_is_byte_identical(size: int) -> None:
    data = bytes((i * 37 + 11) % 256 for i in range(size))
    for mime in ("audio/pcm;rate=16000", "audio/pcm;rate=24000", 'odd"mime\\type'):
        fast = encode_audio(data, mime)
        assert fast == encode(RealtimeAudio(data, mime))
        assert decode_client(fast) == RealtimeAudio(data, mime)


@pytest.mark.parametrize("size", [0, 5, 640, 5000])
def test_encode_video_is_byte_identical(size: int) -> None:
    data = b"\xff\xd8\xff" + bytes(i % 251 for i in range(size))
    assert encode_video(data) == encode(RealtimeVideo(data))
    assert encode_video(data, "image/png") == encode(RealtimeVideo(data, "image/png"))


AUDIO = {"mimeType": "audio/pcm;rate=16000", "data": "AAA="}

BAD_FRAMES: list[tuple[str, Any, str]] = [
    ("not_json", "{nope", "not valid JSON"),
    ("not_object", "[1, 2]", "must be a JSON object; got list"),
    ("no_key", {}, "exactly one top-level key"),
    (
        "two_keys",
        {"realtimeInput": {"text": "a"}, "clientContent": {"turnComplete": True}},
        "exactly one top-level key",
    ),
    ("unknown_key", {"serverContent": {}}, "unknown client message 'serverContent'"),
    (
        "media_chunks",
        {"realtimeInput": {"mediaChunks": [AUDIO]}},
        "mediaChunks is deprecated (the service closes with 1007); use audio, video or text",
    ),
    (
        "two_realtime_fields",
        {"realtimeInput": {"audio": AUDIO, "text": "a"}},
        "must set exactly one of",
    ),
    ("empty_realtime", {"realtimeInput": {}}, "must set exactly one of"),
    ("unknown_realtime_field", {"realtimeInput": {"smell": 1}}, "unknown field(s) ['smell']"),
    (
        "bad_base64",
        {"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": "a$b="}}},
        "realtimeInput.audio.data is not valid base64",
    ),
    ("audio_without_mime", {"realtimeInput": {"audio": {"data": "AAA="}}}, "missing 'mimeType'"),
    ("audio_stream_end_false", {"realtimeInput": {"audioStreamEnd": False}}, "must be true"),
    ("text_not_str", {"realtimeInput": {"text": 5}}, "RealtimeText.text must be str; got int"),
    ("body_not_object", {"setup": "models/x"}, "setup must be a JSON object; got str"),
    ("setup_without_model", {"setup": {}}, "setup.model must be a non-empty string"),
    (
        "setup_unknown_field",
        {"setup": {"model": "m", "responseModalities": ["AUDIO"]}},
        "setup has unknown field(s) ['responseModalities']",
    ),
    (
        "int64_not_a_number",
        {"setup": {"model": "m", "contextWindowCompression": {"triggerTokens": "lots"}}},
        "setup.contextWindowCompression.triggerTokens must be int; got 'lots'",
    ),
    (
        "bool_is_not_a_number",
        {"setup": {"model": "m", "generationConfig": {"temperature": True}}},
        "setup.generationConfig.temperature must be float; got True",
    ),
    (
        "same_key_twice",
        {"setup": {"model": "m", "generationConfig": {}, "generation_config": {}}},
        "spells 'generationConfig' twice",
    ),
    (
        "unsupported_voice_config",
        {
            "setup": {
                "model": "m",
                "generationConfig": {
                    "speechConfig": {"voiceConfig": {"replicatedVoiceConfig": {}}}
                },
            }
        },
        "unknown field(s) ['replicatedVoiceConfig']",
    ),
    (
        "context_update_tools_singly_nested",
        {"contextUpdate": {"tools": [{"googleSearch": {}}]}},
        "doubly nested",
    ),
    ("context_update_empty", {"contextUpdate": {}}, "needs system_instruction or tools"),
    ("tool_response_empty", {"toolResponse": {"functionResponses": []}}, "at least one"),
    (
        "tool_response_missing_response",
        {"toolResponse": {"functionResponses": [{"name": "f"}]}},
        "toolResponse.functionResponses[0] is missing 'response'",
    ),
    (
        "function_call_part_in_history",
        {"clientContent": {"turns": [{"role": "model", "parts": [{"functionCall": {}}]}]}},
        "clientContent.turns[0].parts[0] has unknown key(s) ['functionCall']",
    ),
    (
        "turn_complete_not_bool",
        {"clientContent": {"turnComplete": "yes"}},
        "clientContent.turnComplete must be a bool; got str",
    ),
]


@pytest.mark.parametrize(("name", "frame", "message"), BAD_FRAMES, ids=_ids(BAD_FRAMES))
def test_decode_rejects(name: str, frame: Any, message: str) -> None:
    text = frame if isinstance(frame, str) else json.dumps(frame)
    with pytest.raises(ValueError) as info:
        decode_client(text)
    assert message in str(info.value)


def test_decode_accepts_both_base64_alphabets_for_the_same_bytes() -> None:
    data = bytes(range(250, 256)) * 3
    for text in (
        base64.b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        base64.b64encode(data).decode().rstrip("="),
    ):
        frame = {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": text}}}
        message = decode_client(json.dumps(frame))
        assert isinstance(message, RealtimeAudio)
        assert message.data == data


def test_encode_reports_unserialisable_payloads_as_type_error() -> None:
    message = ToolResponse((FunctionResponse("f", {"output": {1, 2}}, id="1"),))
    with pytest.raises(TypeError, match="ToolResponse is not JSON-serializable"):
        encode(message)

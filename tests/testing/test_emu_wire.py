"""Unit tests for the emulator's wire helpers, schema checks and reply model."""

from __future__ import annotations

import base64

import pytest

from gemini_live.testing.emulator import frames, model
from gemini_live.testing.emulator.schema import FunctionDecl, ToolSet
from gemini_live.testing.emulator.wire import (
    Reject,
    b64decode,
    format_duration,
    normalize,
    parse_bool,
    parse_frame,
    parse_int,
    to_camel,
    truncate_reason,
)


def test_normalize_camelizes_structure_but_not_user_data() -> None:
    raw = {
        "tool_response": {
            "function_responses": [
                {"id": "fc-1", "response": {"snake_key": 1}, "will_continue": True}
            ]
        }
    }
    assert normalize(raw) == {
        "toolResponse": {
            "functionResponses": [
                {"id": "fc-1", "response": {"snake_key": 1}, "willContinue": True}
            ]
        }
    }
    decl = {"function_declarations": [{"name": "f", "parameters": {"properties": {"a_b": {}}}}]}
    assert normalize(decl)["functionDeclarations"][0]["parameters"] == {"properties": {"a_b": {}}}
    assert to_camel("turnComplete") == "turnComplete"


def test_normalize_rejects_duplicate_spellings() -> None:
    with pytest.raises(Reject) as info:
        normalize({"turn_complete": True, "turnComplete": True})
    assert info.value.code == 1007


def test_base64_both_alphabets_and_missing_padding() -> None:
    data = bytes(range(256))
    assert b64decode(base64.b64encode(data).decode()) == data
    assert b64decode(base64.urlsafe_b64encode(data).decode()) == data
    assert b64decode(base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("=")) == b"\xff\xfe"
    with pytest.raises(Reject):
        b64decode("not base64 !!")


def test_scalars() -> None:
    assert parse_int("123", path="x") == 123
    assert parse_int(123, path="x") == 123
    with pytest.raises(Reject):
        parse_int(True, path="x")
    with pytest.raises(Reject):
        parse_int("1.5", path="x")
    assert parse_bool(True, path="x") is True
    with pytest.raises(Reject):
        parse_bool(1, path="x")
    assert format_duration(50) == "50s"
    assert format_duration(1.5) == "1.5s"
    assert format_duration(0.002) == "0.002s"


def test_parse_frame_and_reason_truncation() -> None:
    assert parse_frame(b'{"a": 1}') == {"a": 1}
    with pytest.raises(Reject):
        parse_frame("[1]")
    with pytest.raises(Reject):
        parse_frame("{nope")
    assert len(truncate_reason("é" * 100).encode()) <= 123


def test_usage_spelling_per_platform() -> None:
    google = frames.usage_metadata({"TEXT": 3}, {"AUDIO": 10}, vertex=False)
    vertex = frames.usage_metadata({"TEXT": 3}, {"AUDIO": 10}, vertex=True)
    assert google["responseTokenCount"] == 10 and "candidatesTokenCount" not in google
    assert vertex["candidatesTokenCount"] == 10 and "responseTokenCount" not in vertex
    assert vertex["candidatesTokensDetails"] == [{"modality": "AUDIO", "tokenCount": 10}]
    assert google["totalTokenCount"] == 13


def test_model_rules() -> None:
    tools = ToolSet((FunctionDecl("get_weather"),))
    kw = {"instruction": "", "tools": tools, "earlier_user_texts": ()}
    assert model.respond("hi", **kw).text == "Echo: hi"
    assert model.respond("say Bonjour", **kw).text == "Bonjour"
    assert model.respond("", **kw).text == "I'm listening."
    assert model.respond("list tools", **kw).text == "Tools: get_weather."
    call = model.respond('call get_weather {"city": "Paris"}', **kw)
    assert call.calls == (model.PlannedCall("get_weather", {"city": "Paris"}),)
    assert model.respond("call nope {}", **kw).text == "Echo: call nope {}"
    assert model.respond("call get_weather [1]", **kw).text.startswith("Echo:")
    recap = model.respond(
        "recap", instruction="Be brief.", tools=tools, earlier_user_texts=("a", "b")
    )
    assert recap.text == "Recap: a | b"  # the instruction is not repeated in replies
    shown = model.respond(
        "instruction", instruction=" Be   brief. ", tools=tools, earlier_user_texts=()
    )
    assert shown.text == "Instruction: Be brief."
    assert model.respond("instruction", **kw).text == "Instruction: none."
    assert model.result_text([("f", {"output": {"b": 1, "a": 2}})], instruction="") == (
        'Result of f: {"a":2,"b":1}'
    )
    assert model.result_text([("f", {"error": "x"})], instruction="") == 'Error from f: "x"'
    assert model.speech_text(1.2) == "<speech 1.20s>"


def test_client_message_parsing_details() -> None:
    from gemini_live.testing.emulator.messages import AudioChunk, parse_client_message

    pcm = base64.b64encode(b"\x01\x00\x02\x00\x03").decode()  # odd length: last byte dropped
    parsed = parse_client_message(
        {"realtime_input": {"audio": {"mime_type": "audio/pcm", "data": pcm}}}, "google_ai", True
    )
    assert parsed.kind == "realtimeInput" and parsed.field == "audio"
    assert parsed.body == AudioChunk(b"\x01\x00\x02\x00", 16000, "audio/pcm", True)
    assert parsed.payload["audio"]["data"] == b"\x01\x00\x02\x00\x03"
    ogg = parse_client_message(
        {"realtimeInput": {"audio": {"mimeType": "audio/ogg", "data": pcm}}}, "google_ai", True
    )
    assert isinstance(ogg.body, AudioChunk) and not ogg.body.supported
    rate = parse_client_message(
        {"realtimeInput": {"audio": {"mimeType": "audio/pcm; rate=48000", "data": ""}}},
        "vertex",
        True,
    )
    assert isinstance(rate.body, AudioChunk) and rate.body.rate == 48000


def test_emulator_takes_an_options_object() -> None:
    from gemini_live.testing.emulator import Emulator, EmulatorOptions

    emu = Emulator(EmulatorOptions(audio_pace=0.04), text_pace=0.0)
    assert (emu.options.audio_pace, emu.options.text_pace) == (0.04, 0.0)
    with pytest.raises(ValueError):
        EmulatorOptions(audio_pace=-1)
    assert EmulatorOptions(api_keys={"a"}).api_keys == frozenset({"a"})

"""Malformed, hostile and odd server frames: decode_events never raises, and agrees with
parse_server_frame + to_events on everything, including seeded random mutations."""

from __future__ import annotations

import base64
import copy
import functools
import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gemini_live.protocol import _wire
from gemini_live.protocol.decode import EXCERPT_LIMIT, FrameDecodeError, decode_events
from gemini_live.protocol.events import (
    AudioChunk,
    Event,
    GroundingMetadata,
    ProtocolViolation,
    TurnComplete,
    UnknownMessage,
)
from gemini_live.protocol.server_codec import encode_server_frame, parse_server_frame, to_events

from .golden_server import AUDIO, AUDIO_STD, GOLDEN

ROOT = Path(__file__).resolve().parents[2]


def only_violation(events: list[Event]) -> ProtocolViolation:
    assert len(events) == 1 and isinstance(events[0], ProtocolViolation), events
    violation = events[0]
    assert len(violation.excerpt) <= EXCERPT_LIMIT
    return violation


def assert_consistent(frame: Any) -> list[Event]:
    """decode_events must equal to_events(parse_server_frame(frame)), or be the same error."""
    events = decode_events(frame)
    assert isinstance(events, list)
    try:
        parsed = parse_server_frame(frame)
    except FrameDecodeError as exc:
        assert only_violation(events).detail == str(exc)
    else:
        assert events == to_events(parsed)
        assert parse_server_frame(encode_server_frame(parsed)) == parsed
    return events


# --- not a JSON object -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame", ["", "not json", "{", "{'a': 1}", '{"a": }', b"\x80\x81", b"{\xff}", "\ufeff{}"]
)
def test_not_json(frame: str | bytes) -> None:
    violation = only_violation(decode_events(frame))
    assert violation.detail.startswith("frame is not valid JSON")
    with pytest.raises(FrameDecodeError, match="not valid JSON"):
        parse_server_frame(frame)


@pytest.mark.parametrize("frame", ["[]", "[1, 2]", '"text"', "42", "null", "true", b"[{}]"])
def test_json_but_not_an_object(frame: str | bytes) -> None:
    violation = only_violation(decode_events(frame))
    assert "not a JSON object" in violation.detail
    with pytest.raises(FrameDecodeError, match="not a JSON object"):
        parse_server_frame(frame)


@pytest.mark.parametrize("frame", [None, 42, 3.5, ["{}"]])
def test_wrong_python_type_does_not_raise(frame: Any) -> None:
    only_violation(decode_events(frame))


# --- wrong types inside ----------------------------------------------------------------------

WRONG_TYPES = [
    ({"serverContent": "x"}, "serverContent: expected an object"),
    ({"serverContent": {"turnComplete": "yes"}}, "serverContent.turnComplete: expected a boolean"),
    ({"serverContent": {"modelTurn": {"parts": {}}}}, "serverContent.modelTurn.parts: expected"),
    ({"serverContent": {"modelTurn": {"parts": ["x"]}}}, "serverContent.modelTurn.parts[0]:"),
    ({"serverContent": {"modelTurn": {"parts": [{"text": "a"}, {"text": 1}]}}}, "parts[1].text"),
    ({"serverContent": {"modelTurn": {"parts": [{"inlineData": {"data": 5}}]}}}, "inlineData.data"),
    ({"serverContent": {"modelTurn": {"parts": [{"inlineData": {"data": "!!!!"}}]}}}, "base64"),
    ({"serverContent": {"modelTurn": {"parts": [{"inlineData": {"data": "QUJDR"}}]}}}, "base64"),
    ({"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": 7}}]}}}, "mimeType"),
    ({"serverContent": {"modelTurn": {"parts": [{"text": "t", "thought": "y"}]}}}, "thought"),
    ({"serverContent": {"inputTranscription": {"text": ["a"]}}}, "inputTranscription.text"),
    ({"serverContent": {"interactionStatus": ["IDLE"]}}, "interactionStatus"),
    ({"serverContent": {"groundingMetadata": []}}, "groundingMetadata"),
    ({"serverContent": {"outputTranscription": {"text": "a", "finished": 1}}}, ".finished"),
    ({"serverContent": {"interimInputTranscription": {"text": "a", "languageCode": 5}}}, "Code"),
    ({"serverContent": {"inputTranscription": "hi"}}, "serverContent.inputTranscription"),
    ({"serverContent": {"turnComplete": 1}, "usageMetadata": {}}, "serverContent.turnComplete"),
    ({"serverContent": {"turnComplete": True}, "usageMetadata": {"totalTokenCount": True}}, "tal"),
    ({"usageMetadata": {"promptTokensDetails": [{"modality": [1], "tokenCount": 2}]}}, "modality"),
    ({"usageMetadata": {"responseTokensDetails": [{"modality": "A", "tokenCount": 1.5}]}}, "[0]"),
    ({"setupComplete": "x"}, "setupComplete"),
    ({"setupComplete": {"sessionId": 5}}, "setupComplete.sessionId"),
    ({"toolCall": {"functionCalls": [{"id": "a"}]}}, "toolCall.functionCalls[0].name: missing"),
    ({"toolCall": {"functionCalls": [{"name": "f", "args": []}]}}, "functionCalls[0].args"),
    ({"toolCall": {"functionCalls": "f"}}, "toolCall.functionCalls"),
    ({"toolCallCancellation": {"ids": [1]}}, "toolCallCancellation.ids"),
    ({"goAway": {"timeLeft": "soon"}}, "goAway.timeLeft"),
    ({"goAway": {"timeLeft": True}}, "goAway.timeLeft"),
    ({"goAway": {"timeLeft": 1e300}}, "out of range"),
    ({"sessionResumptionUpdate": {"lastConsumedClientMessageIndex": "1.5"}}, "lastConsumed"),
    ({"sessionResumptionUpdate": {"lastConsumedClientMessageIndex": "4_2"}}, "lastConsumed"),
    ({"sessionResumptionUpdate": {"lastConsumedClientMessageIndex": str(2**64)}}, "int64"),
    ({"sessionResumptionUpdate": {"resumable": "true"}}, "resumable"),
    ({"usageMetadata": {"promptTokenCount": "many"}}, "usageMetadata.promptTokenCount"),
    ({"usageMetadata": {"promptTokensDetails": [5]}}, "usageMetadata.promptTokensDetails[0]"),
    ({"voiceActivity": {"audioOffset": {}}}, "voiceActivity.audioOffset"),
    ({"voiceActivityDetectionSignal": {"vadSignalType": None, "vad_signal_type": 1.5}}, "vadSig"),
]


@pytest.mark.parametrize(("wire", "where"), WRONG_TYPES, ids=[w for _, w in WRONG_TYPES])
def test_wrong_types_inside_become_a_violation(wire: dict[str, Any], where: str) -> None:
    frame = json.dumps(wire)
    violation = only_violation(decode_events(frame))
    assert where in violation.detail
    assert violation.excerpt == frame[:EXCERPT_LIMIT]
    with pytest.raises(FrameDecodeError) as info:
        parse_server_frame(frame)
    assert str(info.value) == violation.detail


@pytest.mark.parametrize("row", GOLDEN, ids=[row.name for row in GOLDEN])
def test_every_truncation_is_a_violation(row: Any) -> None:
    frame = json.dumps(row.wire)
    for cut in range(len(frame) - 1, 0, -max(1, len(frame) // 40)):
        only_violation(decode_events(frame[:cut]))
        only_violation(decode_events(frame[:cut].encode()))


# --- size and depth --------------------------------------------------------------------------


def test_huge_unknown_message_is_kept() -> None:
    blob = "x" * 3_000_000
    events = decode_events(json.dumps({"hugeNewThing": {"blob": blob}}))
    assert events == [UnknownMessage(("hugeNewThing",), {"hugeNewThing": {"blob": blob}})]


def test_huge_garbage_gives_a_short_excerpt() -> None:
    frame = "{" + "z" * 3_000_000
    violation = only_violation(decode_events(frame))
    assert violation.excerpt == frame[:EXCERPT_LIMIT]
    violation = only_violation(decode_events(frame.encode()))
    assert violation.excerpt == frame[:EXCERPT_LIMIT]


def test_excerpt_of_a_binary_frame_cut_inside_a_character() -> None:
    frame = ("{" + "\u00e9" * 300).encode()  # 2 bytes per character
    violation = only_violation(decode_events(frame))
    assert len(violation.excerpt) <= EXCERPT_LIMIT and violation.excerpt.startswith("{\u00e9")


def test_huge_audio_frame() -> None:
    audio = AUDIO * 50_000
    wire = {
        "serverContent": {
            "modelTurn": {
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": "audio/pcm;rate=24000",
                            "data": base64.b64encode(audio).decode("ascii"),
                        }
                    }
                ]
            }
        }
    }
    assert decode_events(json.dumps(wire)) == [AudioChunk(audio)]


DEEP_FRAMES = {
    "balanced_lists": "[" * 1_000_000 + "]" * 1_000_000,
    "balanced_objects": '{"a": ' * 1_000_000 + "1" + "}" * 1_000_000,
    "deep_inside_known_key": '{"serverContent": {"groundingMetadata": '
    + '{"a": [' * 400_000
    + "]}" * 400_000
    + "}}",
}


# Decodes every deep frame in one child, in order, and prints "NAME ok" after each.
DEEP_CHILD = """\
import json, sys
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import ProtocolViolation
for name, frame in json.load(sys.stdin).items():
    for candidate in (frame, frame.encode()):
        events = decode_events(candidate)
        assert len(events) == 1 and isinstance(events[0], ProtocolViolation), (name, events)
    print(name, "ok", flush=True)
"""


@functools.cache
def _decoded_in_a_child() -> subprocess.CompletedProcess[str]:
    # Run in a child: an unguarded recursive parser overflows the C stack (a segfault), which
    # would take the whole test run down instead of failing a test. One child for all the frames
    # (an interpreter start each cost more than the decoding): a frame that kills it fails its
    # test, and the frames after it fail as not reached.
    return subprocess.run(
        [sys.executable, "-c", DEEP_CHILD],
        input=json.dumps(dict(sorted(DEEP_FRAMES.items()))),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(DEEP_FRAMES))
def test_hostile_nesting_does_not_crash_the_process(name: str) -> None:
    result = _decoded_in_a_child()
    done = [line.removesuffix(" ok") for line in result.stdout.splitlines()]
    assert name in done, (
        f"{name} not decoded to a ProtocolViolation (child exit {result.returncode}, done: {done})",
        result.stderr[-2000:],
    )
    if len(done) == len(DEEP_FRAMES):
        assert result.returncode == 0, (result.returncode, result.stderr[-2000:])


def test_moderate_nesting_and_many_brackets_still_decode() -> None:
    nested: Any = 1
    for _ in range(200):
        nested = {"a": [nested]}
    many: list[list[Any]] = [[] for _ in range(3000)]  # long frame, many brackets, shallow
    for extra in (nested, many):
        wire = {"serverContent": {"groundingMetadata": {"x": extra}, "turnComplete": True}}
        events = decode_events(json.dumps(wire))
        assert events[0] == GroundingMetadata({"x": extra})
        assert events[1] == TurnComplete()
        assert decode_events(json.dumps(wire).encode()) == events


# --- base64, durations, integers, MIME types --------------------------------------------------


def test_base64_whitespace_is_tolerated_but_junk_is_not() -> None:
    wrapped = "\n".join(AUDIO_STD[i : i + 16] for i in range(0, len(AUDIO_STD), 16))
    assert _wire.as_bytes(wrapped, "data") == AUDIO
    for junk in ("AAA*", "AA=A", "A", "QQ==QQ==", "\u00e9AAA"):
        with pytest.raises(ValueError, match="base64"):
            _wire.as_bytes(junk, "data")


def test_mixed_base64_alphabets() -> None:
    assert _wire.as_bytes("+/-_", "data") == base64.b64decode("+/+/")
    assert _wire.as_bytes("-_+/", "data") == base64.b64decode("+/+/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50s", timedelta(seconds=50)),
        ("1.5s", timedelta(seconds=1.5)),
        ("0.000001s", timedelta(microseconds=1)),
        ("0.0000015s", timedelta(microseconds=2)),
        ("1.000000001s", timedelta(seconds=1)),
        ("-1.5s", timedelta(seconds=-1.5)),
        ("3", timedelta(seconds=3)),
        (2.5, timedelta(seconds=2.5)),
        (0, timedelta(0)),
    ],
)
def test_durations(text: str | float, expected: timedelta) -> None:
    assert _wire.as_duration(text, "d") == expected
    assert _wire.as_duration(_wire.encode_duration(expected), "d") == expected


@pytest.mark.parametrize("text", ["s", "1.s", ".5s", "1.5 s", "1e3s", "1,5s", "\u0661s", "+1s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        _wire.as_duration(text, "d")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(42, 42), ("42", 42), ("-1", -1), (42.0, 42), ("9223372036854775807", 2**63 - 1)],
)
def test_int64(value: Any, expected: int) -> None:
    assert _wire.as_int(value, "n") == expected


@pytest.mark.parametrize("value", [True, 1.5, " 42", "4_2", "1e3", "", "\u0661\u0662", "0x10", [1]])
def test_bad_int64(value: Any) -> None:
    with pytest.raises(ValueError, match="n:"):
        _wire.as_int(value, "n")


@pytest.mark.parametrize(
    ("mime", "rate"),
    [
        ("audio/pcm;rate=16000", 16_000),
        ("audio/pcm; rate=48000", 48_000),
        ("AUDIO/PCM;RATE=8000", 8_000),
        ("audio/L16;codec=pcm;rate=22050", 22_050),
        ("audio/pcm", 24_000),
        ("audio/pcm;rate=abc", 24_000),
        ("audio/pcm;rate=0", 24_000),
        ("image/png", None),
        ("", None),
    ],
)
def test_audio_rate(mime: str, rate: int | None) -> None:
    assert _wire.audio_rate(mime) == rate
    assert _wire.audio_rate(mime) == rate  # memoised answer is the same


# --- fuzz ------------------------------------------------------------------------------------

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**62,
    "",
    "x",
    "AAAA",
    "1.5s",
    "42",
    [],
    {},
    [None],
    {"a": 1},
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*path, index)))
    return out


def _mutate_structure(wire: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    wire = copy.deepcopy(wire)
    path = rng.choice([p for p in _paths(wire) if p])
    parent = wire
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = rng.randrange(4)
    if action == 0:
        parent[last] = rng.choice(ODD_VALUES)
    elif action == 1 and isinstance(parent, dict):
        del parent[last]
    elif action == 2 and isinstance(parent, dict) and isinstance(last, str):
        snake = "".join("_" + c.lower() if c.isupper() else c for c in last)
        parent[snake if snake != last else last + "X"] = parent.pop(last)
    else:
        parent[last] = copy.deepcopy(rng.choice(GOLDEN).wire)
    return wire


def _mutate_text(frame: str, rng: random.Random) -> str | bytes:
    chars = list(frame)
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(len(chars) + 1)
        choice = rng.randrange(3)
        if choice == 0 and chars:
            del chars[min(position, len(chars) - 1)]
        elif choice == 1:
            chars.insert(position, rng.choice('{}[]",:0-_=\\ ae\u00e9\x00'))
        elif chars:
            chars[min(position, len(chars) - 1)] = rng.choice("\"'}]0ns-")
    text = "".join(chars)
    return text.encode("utf-8", "surrogatepass") if rng.random() < 0.3 else text


def test_fuzz_mutations_of_golden_frames() -> None:
    rng = random.Random(20_260_917)
    violations = decoded = 0
    for _ in range(10_000):
        row = rng.choice(GOLDEN)
        if rng.random() < 0.6 and row.wire:
            frame: str | bytes = json.dumps(_mutate_structure(row.wire, rng))
        else:
            frame = _mutate_text(json.dumps(row.wire), rng)
        events = assert_consistent(frame)
        if len(events) == 1 and isinstance(events[0], ProtocolViolation):
            violations += 1
        else:
            decoded += 1
    # Both outcomes must actually be exercised for the loop to mean anything.
    assert violations > 1000 and decoded > 1000

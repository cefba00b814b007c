"""The decoder's fast paths against the typed parser, on every edge of the shapes they accept.

``decode_events`` reads the frames the service sends (audio, transcriptions, usage in either
platform's spelling, toolCall, sessionResumptionUpdate, goAway, the flags) by a short path that
accepts exactly the common shape and hands everything else to the full readers. Each case below
starts from such a frame, changes one thing (a value of another type, ``null``, a missing or
extra key, the snake_case spelling, a float or a huge number where an integer belongs, more or
fewer parts or details...) and checks that ``decode_events`` gives what
``to_events(parse_server_frame(frame))`` gives, compared with types (``True`` is not ``1``,
``1.0`` is not ``1``), or the same error. Frames are tried as compact text and as the service
writes them (binary, indented).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from gemini_live.protocol import _decode_messages, _wire, decode
from gemini_live.protocol._wire import FrameDecodeError
from gemini_live.protocol.decode import decode_events
from gemini_live.protocol.events import (
    AudioChunk,
    FunctionCall,
    GenerationComplete,
    GoAway,
    InputTranscription,
    Interrupted,
    ModalityTokens,
    OutputTranscription,
    ProtocolViolation,
    ResumptionUpdate,
    ToolCall,
    TurnComplete,
    Usage,
)
from gemini_live.protocol.server_codec import parse_server_frame, to_events

from .test_decode_robustness import _mutate_structure, _mutate_text

AUDIO = bytes(range(256)) * 4
AUDIO_PART = {
    "inlineData": {"mimeType": "audio/pcm;rate=24000", "data": base64.b64encode(AUDIO).decode()}
}
GOOGLE_USAGE = {
    "promptTokenCount": 1781,
    "promptTokensDetails": [
        {"modality": "TEXT", "tokenCount": 581},
        {"modality": "AUDIO", "tokenCount": 1200},
    ],
    "responseTokenCount": 340,
    "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 340}],
    "totalTokenCount": 2121,
}
VERTEX_USAGE = {
    "promptTokenCount": 50,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 50}],
    "candidatesTokenCount": 20,
    "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 20}],
    "totalTokenCount": 70,
    "trafficType": "ON_DEMAND",
}

# The shapes with a fast path, as the service writes them.
SHAPES: dict[str, dict[str, Any]] = {
    "audio": {"serverContent": {"modelTurn": {"parts": [AUDIO_PART]}}},
    "audio_role": {"serverContent": {"modelTurn": {"role": "model", "parts": [AUDIO_PART]}}},
    "audio_and_text": {
        "serverContent": {"modelTurn": {"role": "model", "parts": [AUDIO_PART, {"text": "Hi"}]}}
    },
    "audio_and_transcription": {
        "serverContent": {
            "modelTurn": {"role": "model", "parts": [AUDIO_PART]},
            "outputTranscription": {"text": " Sure"},
        }
    },
    "output_transcription": {"serverContent": {"outputTranscription": {"text": " Sure, the"}}},
    "input_transcription": {
        "serverContent": {"inputTranscription": {"text": " what's up", "finished": True}}
    },
    "interim_transcription": {
        "serverContent": {"interimInputTranscription": {"text": " what", "languageCode": "en-US"}}
    },
    "generation_complete": {"serverContent": {"generationComplete": True}},
    "interrupted": {"serverContent": {"interrupted": True}},
    "turn_complete": {"serverContent": {"turnComplete": True}},
    "turn_complete_google_usage": {
        "serverContent": {"turnComplete": True},
        "usageMetadata": GOOGLE_USAGE,
    },
    "turn_complete_vertex_usage": {
        "serverContent": {"turnComplete": True},
        "usageMetadata": VERTEX_USAGE,
    },
    "turn_complete_vertex_usage_two_modalities": {
        "serverContent": {"turnComplete": True},
        "usageMetadata": {
            **VERTEX_USAGE,
            "promptTokensDetails": GOOGLE_USAGE["promptTokensDetails"],
        },
    },
    "last_audio_and_usage": {
        "serverContent": {"modelTurn": {"parts": [AUDIO_PART]}, "turnComplete": True},
        "usageMetadata": GOOGLE_USAGE,
    },
    "usage_only": {"usageMetadata": GOOGLE_USAGE},
    "usage_one_modality": {
        "usageMetadata": {
            "promptTokenCount": 10,
            "responseTokenCount": 5,
            "totalTokenCount": 15,
            "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 10}],
            "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 5}],
        }
    },
    "usage_every_count": {
        "usageMetadata": {
            **GOOGLE_USAGE,
            "cachedContentTokenCount": 7,
            "toolUsePromptTokenCount": 3,
            "thoughtsTokenCount": 11,
        }
    },
    "usage_thinking": {"usageMetadata": {**GOOGLE_USAGE, "thoughtsTokenCount": 120}},
    "tool_call": {
        "toolCall": {
            "functionCalls": [{"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}]
        }
    },
    "tool_calls": {
        "toolCall": {
            "functionCalls": [
                {"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}},
                {"id": "fc-2", "name": "lights_off", "args": {}},
            ]
        }
    },
    "resumption": {"sessionResumptionUpdate": {"newHandle": "h-1", "resumable": True}},
    "resumption_index": {
        "sessionResumptionUpdate": {
            "newHandle": "h-1",
            "resumable": True,
            "lastConsumedClientMessageIndex": 42,
        }
    },
    "go_away": {"goAway": {"timeLeft": "50s"}},
}

# What one value may be replaced with: every JSON type, and the numbers that trip int checks.
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    1.5,
    2**31,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    "",
    "x",
    "12",
    "50s",
    "1.5s",
    "AAAA",
    [],
    [None],
    [{}],
    {},
    {"a": 1},
]


def strict(value: Any) -> Any:
    """A comparable form of ``value`` that keeps types (``True`` != ``1`` != ``1.0``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(strict(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    if isinstance(value, dict):
        return ("dict", tuple((k, strict(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(strict(v) for v in value))
    return (type(value).__name__, value)


def expected_events(frame: str | bytes) -> Any:
    try:
        return strict(to_events(parse_server_frame(frame)))
    except FrameDecodeError as exc:
        return ("violation", str(exc))


def decoded(frame: str | bytes) -> Any:
    events = decode_events(frame)
    if len(events) == 1 and isinstance(events[0], ProtocolViolation):
        return ("violation", events[0].detail)
    return strict(events)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _copy(node: Any) -> Any:
    """A deep copy of JSON data (``copy.deepcopy`` cost most of the variants' time)."""
    if isinstance(node, dict):
        return {key: _copy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_copy(value) for value in node]
    return node  # None, bool, int, float, str: immutable


def variants(wire: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``wire`` itself and every one-change variant of it."""
    yield wire
    for path in _paths(wire):
        if not path:
            continue
        *parents, last = path

        def at(root: Any, parents: list[Any] = parents) -> Any:
            node = root
            for step in parents:
                node = node[step]
            return node

        for odd in ODD_VALUES:
            changed = _copy(wire)
            at(changed)[last] = _copy(odd)
            yield changed
        changed = _copy(wire)
        parent = at(changed)
        if isinstance(parent, dict):
            del parent[last]  # missing key
            yield changed
            changed = _copy(wire)
            parent = at(changed)
            parent["futureField"] = 1  # extra unknown key beside it
            yield changed
            if isinstance(last, str) and _snake(last) != last:
                changed = _copy(wire)
                parent = at(changed)
                parent[_snake(last)] = parent.pop(last)  # the other spelling
                yield changed
                changed = _copy(wire)
                parent = at(changed)
                parent[_snake(last)] = _copy(parent[last])  # both spellings
                yield changed
                changed = _copy(wire)
                parent = at(changed)
                parent[_snake(last)] = 1 if parent[last] != 1 else 2  # both, the values differ
                yield changed
        elif isinstance(parent, list):
            changed = _copy(wire)
            at(changed).append(_copy(parent[last]))  # one more element
            yield changed
            changed = _copy(wire)
            at(changed).clear()  # none
            yield changed


@pytest.mark.parametrize("name", list(SHAPES))
def test_fast_path_agrees_with_the_typed_parser_on_every_variant(name: str) -> None:
    count = 0
    for wire in variants(SHAPES[name]):
        for frame in (
            json.dumps(wire, separators=(",", ":")),
            json.dumps(wire, indent=2).encode() + b"\n",
        ):
            assert decoded(frame) == expected_events(frame), frame
            count += 1
    assert count > 20


@pytest.mark.parametrize("name", list(SHAPES))
def test_the_shapes_take_the_fast_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # With the full readers of these messages broken, the plain shapes still decode: the tests
    # above do compare the fast paths, not only the readers they fall back to.
    def broken(*_: Any) -> Any:
        raise AssertionError("the full reader was used")

    readers = ["_usage_fields", "_tool_call_fields"]
    if name not in ("usage_every_count", "usage_thinking"):  # other counts: the subset reader
        readers.append("_usage_subset")
    for reader in readers:
        monkeypatch.setattr(_decode_messages, reader, broken)
    monkeypatch.setattr(_wire, "canon", broken)
    monkeypatch.setattr(decode, "_content_fields", broken)
    events = decode_events(json.dumps(SHAPES[name]))
    assert events and not any(isinstance(e, ProtocolViolation) for e in events), events


def test_events_of_the_fast_paths() -> None:
    audio = AudioChunk(AUDIO, 24_000, "audio/pcm;rate=24000")
    usage = Usage(
        1781,
        340,
        2121,
        0,
        0,
        0,
        (ModalityTokens("TEXT", 581), ModalityTokens("AUDIO", 1200)),
        (ModalityTokens("AUDIO", 340),),
    )
    cases: list[tuple[str, list[Any]]] = [
        ("audio_role", [audio]),
        ("output_transcription", [OutputTranscription(" Sure, the")]),
        ("input_transcription", [InputTranscription(" what's up", True)]),
        ("generation_complete", [GenerationComplete()]),
        ("interrupted", [Interrupted()]),
        ("turn_complete_google_usage", [usage, TurnComplete()]),
        ("last_audio_and_usage", [usage, audio, TurnComplete()]),
        (
            "turn_complete_vertex_usage",
            [
                Usage(
                    50,
                    20,
                    70,
                    0,
                    0,
                    0,
                    (ModalityTokens("TEXT", 50),),
                    (ModalityTokens("AUDIO", 20),),
                ),
                TurnComplete(),
            ],
        ),
        (
            "tool_call",
            [ToolCall((FunctionCall("get_weather", {"city": "Paris"}, "fc-1"),))],
        ),
        ("resumption", [ResumptionUpdate("h-1", True)]),
        ("resumption_index", [ResumptionUpdate("h-1", True, 42)]),
        ("go_away", [GoAway(timedelta(seconds=50))]),
    ]
    for name, events in cases:
        assert strict(decode_events(json.dumps(SHAPES[name]))) == strict(events), name


def test_go_away_whole_seconds_read_as_the_typed_parser_reads_them() -> None:
    # The whole-seconds form has its own short path (no regular expression): its edges.
    texts = [
        "0s",
        "50s",
        "300s",
        "007s",
        "999999999999s",
        "9999999999999s",
        "s",
        "5",
        "5.0s",
        "-5s",
        "+5s",
        " 5s",
        "5 s",
        "5_0s",
        "\u0665s",
        "\u00b2s",
        "50S",
        "1e3s",
        "9s",
        "00s",
        "1234s",
        "0000s",
        "9999s",
        "10000s",
        "12345s",
        "5s5s",
        "\u0665\u0665s",
        "ss",
        "",
    ]
    for text in texts:
        for frame in (
            json.dumps({"goAway": {"timeLeft": text}}),
            json.dumps({"goAway": {"timeLeft": text}}, indent=2).encode() + b"\n",
        ):
            assert decoded(frame) == expected_events(frame), frame


def test_go_away_in_whole_seconds_is_read_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise AssertionError("the reader was called")

    with monkeypatch.context() as patch:
        patch.setitem(decode._SINGLE, "goAway", broken)
        for seconds in (0, 7, 50, 300, 599, 1234, 9999):
            frame = json.dumps({"goAway": {"timeLeft": f"{seconds}s"}})
            assert strict(decode_events(frame)) == strict([GoAway(timedelta(seconds=seconds))])
    # Without the twin (an interpreter refusing the class move): the reader, same events.
    monkeypatch.setattr(decode, "_INLINE_GO_AWAY", None)
    for wire in variants(SHAPES["go_away"]):
        frame = json.dumps(wire)
        assert decoded(frame) == expected_events(frame), frame


def test_go_away_events_are_not_memoised() -> None:
    # One goAway per connection: nothing kept between frames (no cache a benchmark could hit).
    first = decode_events('{"goAway": {"timeLeft": "50s"}}')[0]
    again = decode_events('{"goAway": {"timeLeft": "50s"}}')[0]
    assert first == again == GoAway(timedelta(seconds=50))
    assert first is not again
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.time_left = timedelta(0)  # type: ignore[misc]


def test_inline_tool_call_is_taken_and_its_fallback_agrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any) -> Any:
        raise AssertionError("the reader was called")

    with monkeypatch.context() as patch:
        patch.setitem(decode._SINGLE, "toolCall", broken)
        events = decode_events(json.dumps(SHAPES["tool_call"]))
    assert strict(events) == strict(
        [ToolCall((FunctionCall("get_weather", {"city": "Paris"}, "fc-1"),))]
    )
    # Without the twins (an interpreter refusing the class move): the reader, same events.
    monkeypatch.setattr(decode, "_INLINE_TOOL_CALL", None)
    for wire in variants(SHAPES["tool_call"]):
        frame = json.dumps(wire)
        assert decoded(frame) == expected_events(frame), frame


def test_usage_with_twins_agrees_with_the_general_readers() -> None:
    # _usage_other is the reader used where the twins' class move is refused: the same result
    # (or the same error) on every variant of every usage report.
    for name in (
        "turn_complete_google_usage",
        "turn_complete_vertex_usage",
        "usage_one_modality",
        "usage_every_count",
        "usage_thinking",
    ):
        wire = SHAPES[name]
        for changed in variants(wire["usageMetadata"]):
            try:
                expected: Any = strict(_decode_messages._usage_other(changed))
            except Exception as exc:  # compared, not hidden
                expected = ("error", type(exc), str(exc))
            try:
                got: Any = strict(_decode_messages.usage(changed))
            except Exception as exc:
                got = ("error", type(exc), str(exc))
            assert got == expected, changed


def test_usage_reports_of_a_voice_session_take_the_twin_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any) -> Any:
        raise AssertionError("the other readers were used")

    monkeypatch.setattr(_decode_messages, "_usage_other", broken)
    for name in (
        "turn_complete_google_usage",
        "turn_complete_vertex_usage",
        "turn_complete_vertex_usage_two_modalities",
        "usage_one_modality",
        "last_audio_and_usage",
        "usage_only",
    ):
        events = decode_events(json.dumps(SHAPES[name]))
        assert any(isinstance(e, Usage) for e in events), (name, events)
        assert not any(isinstance(e, ProtocolViolation) for e in events), (name, events)


def test_each_frame_gets_its_own_list() -> None:
    frame = '{"serverContent":{"generationComplete":true}}'
    first = decode_events(frame)
    first.append(Interrupted())
    assert decode_events(frame) == [GenerationComplete()]


def test_random_double_mutations_agree_with_the_typed_parser() -> None:
    # Beyond one change at a time: seeded random pairs of changes (and text damage) to the shapes.
    rng = random.Random(20_261_130)
    shapes = list(SHAPES.values())
    for _ in range(3_000):
        wire = _mutate_structure(rng.choice(shapes), rng)
        if wire:  # (the first change may have removed the only key)
            wire = _mutate_structure(wire, rng)
        for frame in (json.dumps(wire), json.dumps(wire, indent=2).encode() + b"\n"):
            assert decoded(frame) == expected_events(frame), frame
        damaged = _mutate_text(json.dumps(rng.choice(shapes)), rng)
        assert decoded(damaged) == expected_events(damaged), damaged


def test_fast_path_events_are_of_the_public_classes_themselves() -> None:
    # The short paths build through twins (subclasses of the events, see _makers): every event
    # must leave as the public class itself, frozen, for every shape and both frame forms.
    for name, wire in SHAPES.items():
        for frame in (json.dumps(wire), json.dumps(wire, indent=2).encode() + b"\n"):
            stack: list[Any] = list(decode_events(frame))
            assert stack, name
            while stack:
                event = stack.pop()
                if not dataclasses.is_dataclass(event):
                    continue
                cls = type(event)
                assert cls.__module__ == "gemini_live.protocol.events", (name, cls)
                assert not cls.__name__.endswith("Twin"), (name, cls)
                fields = dataclasses.fields(event)
                if fields:
                    with pytest.raises(dataclasses.FrozenInstanceError):
                        setattr(event, fields[0].name, None)
                for field in fields:
                    value = getattr(event, field.name)
                    stack.extend(value if isinstance(value, tuple) else [value])

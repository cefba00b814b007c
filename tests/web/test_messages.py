"""The console's page ↔ relay format, as a pure table (no sockets)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gemini_live.protocol import events as ev
from gemini_live.web import console_toolbox
from gemini_live.web.messages import (
    Allowance,
    AudioEnd,
    BadInput,
    Hello,
    Limits,
    TextInput,
    check_audio_frame,
    event_message,
    parse_text_frame,
)

LIMITS = Limits()
HELLO = '{"type":"hello","version":1,"audio":{"format":"pcm16","rate":16000,"channels":1}}'


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (HELLO, Hello(version=1, rate=16_000)),
        ('{"type":"text","text":"  hi there "}', TextInput("hi there")),
        ('{"type":"audio_end"}', AudioEnd()),
    ],
)
def test_good_frames_parse(frame: str, expected: object) -> None:
    assert parse_text_frame(frame, LIMITS) == expected


@pytest.mark.parametrize(
    ("frame", "fragment", "code"),
    [
        ("", "unreadable message", 1003),
        ("{", "unreadable message", 1003),
        ('"text"', "must be a JSON object", 1003),
        ("{}", 'needs a "type"', 1003),
        ('{"type": "' + "x" * 100 + '"}', "unknown message type '?'", 1003),
        ('{"type":"text"}', "non-empty", 1003),
        ('{"type":"text","text":5}', "non-empty", 1003),
        ('{"type":"hello","version":2}', "reload the page", 1003),
        ('{"type":"hello","version":1}', '"audio" in hello must be a JSON object', 1003),
        (
            '{"type":"hello","version":1,"audio":{"format":"pcm16","rate":16000,"channels":2}}',
            "unsupported microphone format",
            1003,
        ),
    ],
)
def test_bad_frames_say_what_was_wrong(frame: str, fragment: str, code: int) -> None:
    with pytest.raises(BadInput) as caught:
        parse_text_frame(frame, LIMITS)
    assert fragment in str(caught.value)
    assert caught.value.close_code == code


def test_size_limits_are_enforced_before_decoding() -> None:
    small = Limits(max_text_frame=64, max_text_chars=10)
    with pytest.raises(BadInput, match="message too large: 65 characters"):
        parse_text_frame("x" * 65, small)
    with pytest.raises(BadInput, match="text too long: 11 characters"):
        parse_text_frame('{"type":"text","text":"' + "y" * 11 + '"}', small)


@pytest.mark.parametrize(
    ("size", "fragment"),
    [(0, "wrong audio format"), (3, "wrong audio format"), (16_002, "audio frame too large")],
)
def test_audio_frames_must_be_pcm16_and_bounded(size: int, fragment: str) -> None:
    with pytest.raises(BadInput, match=fragment):
        check_audio_frame(b"\x00" * size, LIMITS)
    assert check_audio_frame(b"\x00" * 640, LIMITS) == b"\x00" * 640


def test_allowance_refills_with_time_and_caps_at_the_burst() -> None:
    budget = Allowance(burst=2.0, rate=1.0, now=0.0)
    assert budget.take(1.5, now=0.0)
    assert not budget.take(1.0, now=0.0)  # 0.5 left
    assert budget.take(1.0, now=0.5)  # refilled to 1.0
    assert not budget.take(2.5, now=100.0)  # never above the burst
    assert budget.take(2.0, now=100.0)


def test_limits_reject_non_positive_values() -> None:
    with pytest.raises(ValueError, match=r"Limits\.audio_rate"):
        Limits(audio_rate=0)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            ev.InputTranscription("hi", finished=True),
            {"type": "transcript", "role": "user", "text": "hi", "final": True},
        ),
        (
            ev.InterimInputTranscription("h"),
            {"type": "transcript", "role": "user", "text": "h", "final": False},
        ),
        (
            ev.OutputTranscription("yo"),
            {"type": "transcript", "role": "model", "text": "yo", "final": False},
        ),
        (ev.TextDelta("t"), {"type": "transcript", "role": "model", "text": "t", "final": False}),
        (ev.Interrupted(), {"type": "interrupted"}),
        (ev.TurnComplete(), {"type": "turn_complete"}),
        (ev.ToolCallCancellation(("fc-1",)), None),  # the tool runner reports it per call
        (
            ev.Usage(prompt_tokens=1, response_tokens=2, total_tokens=3),
            {"type": "usage", "prompt": 1, "response": 2, "total": 3},
        ),
        (
            ev.GoAway(timedelta(seconds=30)),
            {"type": "notice", "text": "The service ends this connection in 30 s"},
        ),
        (ev.VoiceActivity("ACTIVITY_START"), {"type": "vad", "speaking": True}),
        (ev.ResumptionUpdate("h", True), None),
        (ev.UnknownMessage(("x",), {"x": 1}), None),
    ],
)
def test_events_become_page_messages(event: ev.Event, message: object) -> None:
    assert event_message(event) == message


@pytest.mark.parametrize(
    ("model", "behavior"),
    [
        ("gemini-3.8-live", "BLOCKING"),
        ("gemini-2.5-flash-native-audio-preview-12-2025", "BLOCKING"),
        ("gemini-3.8-live-extended-thinking", "NON_BLOCKING"),
    ],
)
def test_console_tools_use_a_behaviour_the_model_accepts(model: str, behavior: str) -> None:
    (tool,) = console_toolbox(model).declarations(model=model)
    assert {d.behavior for d in tool.function_declarations} == {behavior}
    assert [d.name for d in tool.function_declarations] == ["get_weather", "get_time"]

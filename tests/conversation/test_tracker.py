"""The pure tracker on scripted event streams with a simulated clock (as from a recording)."""

from __future__ import annotations

import pytest

from gemini_live import (
    AudioChunk,
    Disconnected,
    FunctionCall,
    GenerationComplete,
    InputTranscription,
    InterimInputTranscription,
    Interrupted,
    OutputTranscription,
    Reconnecting,
    Resumed,
    TextDelta,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    Usage,
    VoiceActivity,
)
from gemini_live.client.writer import RecordedCall
from gemini_live.conversation import (
    ContextLost,
    ContextPolicy,
    ConversationTracker,
    Stalled,
    StallPolicy,
    TurnRecord,
)
from gemini_live.conversation.metrics import RunningMetrics
from gemini_live.conversation.turns import join_fragments
from gemini_live.protocol.types import FunctionResponse


def _records(out: list[object]) -> list[TurnRecord]:
    return [n for n in out if isinstance(n, TurnRecord)]


def _play(tracker: ConversationTracker, script: list[tuple[float, object]]) -> list[object]:
    out: list[object] = []
    for now, item in script:
        if isinstance(item, RecordedCall):
            out += tracker.feed_call(item, now)
        else:
            out += tracker.tick(now)
            out += tracker.feed(item, now)  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize(
    ("fragments", "text"),
    [
        ([" Hello", " there", "."], "Hello there."),
        (["Hello ", "there", "."], "Hello there."),
        (["  Hello", "   there  "], "Hello there"),
        (["こんにちは", "世界"], "こんにちは世界"),
        ([], ""),
    ],
)
def test_fragments_join_in_either_spacing_style(fragments: list[str], text: str) -> None:
    assert join_fragments(fragments) == text


def test_late_input_transcription_joins_the_turn_it_belongs_to() -> None:
    tracker = ConversationTracker(late_transcription_grace=0.5)
    out = _play(
        tracker,
        [
            (0.0, RecordedCall("send_audio", (b"\0\0",))),
            (0.1, RecordedCall("send_audio_stream_end")),
            (0.2, InterimInputTranscription("what's the", language_code="en-US")),
            (0.3, OutputTranscription(" It is", language_code="en-US")),
            (0.3, AudioChunk(b"\0" * 4800)),
            (0.4, OutputTranscription(" sunny.")),
            (0.5, GenerationComplete()),
            (0.6, TurnComplete()),
            (0.7, InputTranscription(" What's the weather", finished=None, language_code="en-US")),
            (0.8, InputTranscription(" like?", finished=True)),
        ],
    )
    assert _records(out) == []  # still inside the grace period
    (record,) = _records(tracker.tick(1.2))
    assert record.user.text == "What's the weather like?"
    assert (record.user.source, record.user.language_code) == ("transcription", "en-US")
    assert record.model.text == "It is sunny." and record.model.language_code == "en-US"
    assert record.audio_seconds == pytest.approx(0.1)
    assert record.latency.input_end_kind == "audio_stream_end"
    assert record.latency.first_audio == pytest.approx(0.2)
    assert record.latency.turn_complete == pytest.approx(0.5)
    assert record.ended_at == 0.6


def test_next_turn_ends_the_grace_period_and_keeps_its_own_input() -> None:
    tracker = ConversationTracker(late_transcription_grace=5.0)
    out = _play(
        tracker,
        [
            (0.0, RecordedCall("send_text", ("hi",))),
            (0.1, TextDelta("Hello")),
            (0.2, TurnComplete()),
            (0.3, RecordedCall("send_text", ("again",))),
            (0.4, TextDelta("Echo")),
            (0.5, TurnComplete()),
        ],
    )
    (first,) = _records(out)
    assert (first.user.text, first.model.text) == ("hi", "Hello")
    (second,) = _records(tracker.close(0.6))
    assert (second.user.text, second.model.text) == ("again", "Echo")


def test_interim_transcription_is_replaced_and_only_used_without_a_final_one() -> None:
    tracker = ConversationTracker(late_transcription_grace=0)
    out = _play(
        tracker,
        [
            (0.0, InterimInputTranscription("turn on")),
            (0.1, InterimInputTranscription("turn on the lights")),
            (0.2, TextDelta("OK")),
            (0.3, TurnComplete()),
        ],
    )
    (record,) = _records(out)
    assert (record.user.text, record.user.source) == ("turn on the lights", "interim")
    assert record.latency.input_end_kind is None and record.latency.first_output is None


def test_voice_barge_in_opens_the_next_turn() -> None:
    tracker = ConversationTracker(late_transcription_grace=0)
    out = _play(
        tracker,
        [
            (0.0, RecordedCall("send_text", ("tell me a story",))),
            (0.1, OutputTranscription("Once upon")),
            (0.2, VoiceActivity("ACTIVITY_START")),
            (0.35, Interrupted()),
            (0.4, InputTranscription("stop")),
            (0.5, TurnComplete()),
            (0.6, VoiceActivity("ACTIVITY_END")),
            (0.7, OutputTranscription("OK.")),
            (0.8, TurnComplete()),
        ],
    )
    cut, after = _records(out)
    assert cut.interrupted is not None
    assert (cut.interrupted.cause, cut.interrupted.text_offset) == ("voice_activity", 9)
    assert cut.interrupted.stop_latency == pytest.approx(0.15)
    assert (cut.user.text, cut.model.text) == ("tell me a story", "Once upon")
    assert (after.user.text, after.model.text) == ("stop", "OK.")
    assert after.latency.input_end_kind == "voice_activity_end"
    assert after.latency.first_transcription == pytest.approx(0.1)


def test_cancelled_and_answered_calls() -> None:
    tracker = ConversationTracker(late_transcription_grace=0)
    calls = (FunctionCall("a", {"x": 1}, id="c1"), FunctionCall("b", {}, id="c2"))
    out = _play(
        tracker,
        [
            (0.0, RecordedCall("send_text", ("do it",))),
            (0.5, ToolCall(calls)),
            (0.7, RecordedCall("send_tool_response", ((FunctionResponse("a", {"ok": 1}, "c1"),),))),
            (0.8, ToolCallCancellation(("c2",))),
            (1.0, TextDelta("done")),
            (1.1, TurnComplete()),
        ],
    )
    (record,) = _records(out)
    first, second = record.tool_calls
    assert first.outcome == "answered" and first.response == {"ok": 1}
    assert first.round_trip == pytest.approx(0.2) and first.resumed_after == pytest.approx(0.3)
    assert (second.outcome, second.round_trip) == ("cancelled", None)
    # The tool response does not move the turn's end of input: the user's text is it.
    assert record.latency.input_end_kind == "text" and record.latency.first_text == 1.0


def test_resume_mid_answer_supersedes_the_partial_output_and_counts_the_reconnect() -> None:
    tracker = ConversationTracker(late_transcription_grace=0)
    out = _play(
        tracker,
        [
            (0.0, RecordedCall("send_text", ("count",))),
            (0.1, TextDelta("one two")),
            (0.2, Disconnected(1006, "", "network", will_reconnect=True)),
            (0.3, Reconnecting(1, 0.1, "abnormal closure")),
            (0.6, Resumed("h1", replayed_count=1, dropped_count=0)),
            (0.7, TextDelta("one two three")),
            (0.8, TurnComplete()),
        ],
    )
    (record,) = _records(out)
    assert record.model.text == "one two three" and record.superseded_text == "one two"
    (reconnect,) = record.reconnects
    assert reconnect.duration == pytest.approx(0.4) and reconnect.attempts == 1
    assert (reconnect.replayed, reconnect.resumed_with_handle) == (1, True)
    metrics = tracker.metrics()
    assert metrics.reconnects == 1 and metrics.replayed_frames == 1
    assert metrics.latency["reconnect"].p50 == pytest.approx(0.4)


def test_stall_attempts_then_gives_up() -> None:
    tracker = ConversationTracker(stall=StallPolicy(timeout=1.0, action="nudge", max_attempts=2))
    tracker.feed_call(RecordedCall("send_text", ("hello?",)), 10.0)
    assert tracker.deadline == 11.0
    assert tracker.tick(10.9) == []
    notices = tracker.tick(11.0) + tracker.tick(12.0) + tracker.tick(13.0)
    assert notices == [
        Stalled("reply", 10.0, 1.0, "nudge", 1),
        Stalled("reply", 10.0, 2.0, "nudge", 2),
        Stalled("reply", 10.0, 3.0, "none", 3),
    ]
    assert tracker.deadline is None and tracker.metrics().stalls == 3
    tracker.feed(TextDelta("hi"), 13.5)
    tracker.feed_call(RecordedCall("send_text", ("again",)), 14.0)
    assert tracker.tick(15.0) == [Stalled("reply", 14.0, 1.0, "nudge", 1)]


def test_output_and_silent_tool_responses_do_not_stall() -> None:
    tracker = ConversationTracker(stall=StallPolicy(timeout=1.0))
    tracker.feed_call(RecordedCall("send_text", ("hi",)), 0.0)
    tracker.feed(AudioChunk(b"\0\0"), 0.5)
    assert tracker.deadline is None
    silent = FunctionResponse("f", {}, "c1", scheduling="SILENT")
    tracker.feed_call(RecordedCall("send_tool_response", ((silent,),)), 1.0)
    assert tracker.deadline is None and tracker.tick(5.0) == []


@pytest.mark.parametrize(
    ("before", "after", "lost"),
    [(400, 40, True), (400, 250, False), (20, 2, False), (400, 0, False)],
)
def test_context_collapse_threshold(before: int, after: int, lost: bool) -> None:
    tracker = ConversationTracker(context=ContextPolicy(min_prompt_tokens=32, collapse_ratio=0.5))
    out = _play(
        tracker,
        [
            (0.0, Usage(prompt_tokens=before)),
            (1.0, Disconnected(1011, "Internal error occurred.", "server", will_reconnect=True)),
            (1.5, Resumed("h", 0, 0)),
            (2.0, Usage(prompt_tokens=after)),
        ],
    )
    notices = [n for n in out if isinstance(n, ContextLost)]
    assert notices == ([ContextLost(before, after, "prompt_tokens_collapsed")] if lost else [])


def test_a_fresh_session_after_a_refused_handle_is_a_certain_loss() -> None:
    tracker = ConversationTracker(context=ContextPolicy())
    out = _play(
        tracker,
        [
            (0.0, Usage(prompt_tokens=90)),
            (1.0, Disconnected(1006, "", "network", will_reconnect=True)),
            (1.2, Resumed(None, 0, 2, fresh_session=True)),
        ],
    )
    assert [n for n in out if isinstance(n, ContextLost)] == [
        ContextLost(90, None, "fresh_session")
    ]
    assert tracker.metrics().context_losses == 1


def test_percentiles_use_nearest_rank_over_the_window() -> None:
    metrics = RunningMetrics(window=100)
    for value in range(1, 201):  # only the last 100 (101..200) are kept
        metrics._add("first_audio", value / 1000)
    summary = metrics.snapshot().latency["first_audio"]
    assert summary.count == 100
    assert (summary.p50, summary.p90, summary.p99, summary.max) == (0.15, 0.19, 0.199, 0.2)
    with pytest.raises(ValueError):
        RunningMetrics(window=0)


def test_policies_validate_their_input() -> None:
    with pytest.raises(ValueError):
        StallPolicy(timeout=0)
    with pytest.raises(ValueError):
        StallPolicy(action="shout")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        StallPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        ContextPolicy(collapse_ratio=1.5)
    with pytest.raises(ValueError):
        ConversationTracker(late_transcription_grace=-1)


def test_the_services_end_of_speech_beats_a_streaming_microphone() -> None:
    tracker = ConversationTracker(late_transcription_grace=0)
    script: list[tuple[float, object]] = [
        (t / 10, RecordedCall("send_audio", (b"\0\0",))) for t in range(10)
    ]
    script[5:5] = [(0.45, VoiceActivity("ACTIVITY_END"))]
    script += [(1.2, AudioChunk(b"\0" * 480)), (1.3, TurnComplete())]
    (record,) = _records(_play(tracker, script))
    assert record.latency.input_end_kind == "voice_activity_end"
    assert record.latency.first_audio == pytest.approx(0.75)


def test_a_reconnect_while_only_the_microphone_streams_is_not_a_wait() -> None:
    tracker = ConversationTracker(stall=StallPolicy(timeout=1.0))
    _play(
        tracker,
        [
            (0.0, RecordedCall("send_audio", (b"\0\0",))),
            (0.1, Disconnected(1000, "goAway", "client", will_reconnect=True)),
            (0.2, Resumed("h", 0, 0)),
        ],
    )
    assert tracker.deadline is None and tracker.tick(5.0) == []
    assert tracker.metrics().reconnects == 1

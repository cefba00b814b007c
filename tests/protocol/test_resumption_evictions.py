"""Replay-buffer evictions, as pure bookkeeping: which evicted records are really lost (no update
confirmed them), per kind; the once-per-connection warning; and how ``LiveProtocol`` announces
them (``InputDropped`` before ``Resumed``, or when the session breaks)."""

from __future__ import annotations

import json
from typing import Any

from gemini_live.errors import SessionBroken
from gemini_live.protocol import events as ev
from gemini_live.protocol.config import LiveConfig, Platform, SessionResumptionConfig
from gemini_live.protocol.decisions import Reconnect, Stop
from gemini_live.protocol.live import LiveProtocol
from gemini_live.protocol.resumption import ResumptionTracker
from gemini_live.protocol.retry import ExponentialBackoff

TEXT = '{"realtimeInput":{"text":"x"}}'
AUDIO = '{"realtimeInput":{"audio":{"data":"AAAA","mimeType":"audio/pcm;rate=16000"}}}'
REASON = "evicted from the replay buffer (over its bound) before the service confirmed it"


def _tracker(**kwargs: Any) -> ResumptionTracker:
    tracker = ResumptionTracker(max_records=3, **kwargs)
    tracker.new_connection()
    return tracker


def test_an_update_covering_evicted_records_means_they_were_not_lost() -> None:
    tracker = _tracker()
    for i in range(5):
        tracker.record_sent("text", TEXT, float(i))
    assert tracker.take_first_eviction() and not tracker.take_first_eviction()
    tracker.on_update("h1", True, None)  # non-transparent: everything written so far
    tracker.new_connection()
    assert tracker.take_lost_evictions() == ()
    stats = tracker.statistics()
    assert (stats.evicted_other, stats.evicted_lost) == (2, 0)


def test_a_transparent_update_saves_only_the_evicted_records_it_covers() -> None:
    tracker = _tracker()
    for kind in ("text", "tool_response", "text", "audio", "text", "text"):
        tracker.record_sent(kind, AUDIO if kind == "audio" else TEXT, 0.0)
    # Evicted: the audio (index 4) first, then text (1) and tool_response (2).
    tracker.on_update("h1", True, 1)  # indexes <= 1 are in the handle's state
    assert tracker.take_lost_evictions() == ()  # the connection may still confirm the rest
    tracker.new_connection()
    assert tracker.take_lost_evictions() == (("audio", 1), ("tool_response", 1))
    assert tracker.take_lost_evictions() == ()  # reported once
    assert tracker.statistics().evicted_lost == 2


def test_records_of_a_gone_connection_are_lost_as_soon_as_they_are_evicted() -> None:
    tracker = _tracker()
    for _ in range(3):
        tracker.record_sent("text", TEXT, 0.0)
    tracker.new_connection()  # nothing replayed yet
    tracker.record_sent("audio", AUDIO, 1.0)  # over the bound: the media goes first...
    assert tracker.take_lost_evictions() == ()  # ...and it is the current connection's
    assert tracker.take_first_eviction()
    tracker.record_sent("text", TEXT, 1.0)
    assert tracker.take_lost_evictions() == (("text", 1),)  # from connection 1: lost at once
    assert tracker.take_lost_evictions(include_current=True) == (("audio", 1),)


def test_released_stale_media_evicted_count_as_audio() -> None:
    tracker = _tracker(max_media_age=1.0)
    tracker.record_sent("video", AUDIO, 0.0)
    tracker.record_sent("audio", AUDIO, 5.0)  # releases the video's bytes
    tracker.record_sent("text", TEXT, 5.0)
    tracker.record_sent("text", TEXT, 5.0)
    assert tracker.take_lost_evictions(include_current=True) == (("audio", 1),)


def test_activity_pairs_evicted_together_are_both_reported() -> None:
    tracker = _tracker()
    tracker.record_sent("activity_start", "{}", 0.0)
    for _ in range(3):
        tracker.record_sent("text", TEXT, 0.0)
    tracker.record_sent("activity_end", "{}", 0.0)  # its start was evicted: so is it
    assert tracker.take_lost_evictions(include_current=True) == (
        ("activity_start", 1),
        ("activity_end", 1),
    )


def _open(**kwargs: Any) -> LiveProtocol:
    protocol = LiveProtocol(
        model="models/m",
        config=LiveConfig(session_resumption=SessionResumptionConfig()),
        platform=Platform.GOOGLE_AI,
        retry_policy=ExponentialBackoff(jitter="none"),
        replay_max_messages=4,
        max_audio_age=None,
        **kwargs,
    )
    protocol.connect_requested()
    protocol.next_setup()
    protocol.connected([ev.SetupComplete("s-1")], 0.0)
    protocol.take_events()
    return protocol


def test_a_reconnect_announces_the_evictions_before_resumed_and_counts_them() -> None:
    protocol = _open()
    for i in range(6):
        protocol.written("audio" if i % 2 else "text", AUDIO if i % 2 else TEXT, float(i))
    warnings = [e for e in protocol.take_events() if isinstance(e, ev.SessionWarning)]
    assert len(warnings) == 1 and "replay buffer" in warnings[0].message
    assert protocol.counters().evicted_messages == 2
    assert isinstance(protocol.connection_lost(1011, "x", "server", 10.0), Reconnect)
    protocol.next_setup()
    protocol.connected([ev.SetupComplete("s-2")], 11.0)
    records = protocol.replay_plan(11.0)
    assert [r.kind for r in records] == ["text", "text", "text", "audio"]
    for record in records:
        protocol.replayed(record)
    protocol.resumed(len(records), 11.0)
    events = protocol.take_events()
    dropped = [e for e in events if isinstance(e, ev.InputDropped)]
    assert dropped == [ev.InputDropped("audio", 2, REASON)]
    resumed = next(e for e in events if isinstance(e, ev.Resumed))
    assert events.index(dropped[0]) < events.index(resumed)
    assert (resumed.replayed_count, resumed.dropped_count) == (4, 2)
    # A new connection may warn again, once.
    for _ in range(3):
        protocol.written("text", TEXT, 12.0)
    assert sum(isinstance(e, ev.SessionWarning) for e in protocol.take_events()) == 1


def test_a_broken_session_announces_the_evictions_of_its_last_connection() -> None:
    protocol = _open()
    for _ in range(6):
        protocol.written("text", TEXT, 1.0)
    decision = protocol.connection_lost(1008, "not found", "server", 5.0)
    assert isinstance(decision, Stop) and isinstance(decision.error, SessionBroken)
    protocol.end(decision.error, decision.event, [])
    dropped = [
        (e.kind, e.count, e.reason)
        for e in protocol.take_events()
        if isinstance(e, ev.InputDropped)
    ]
    assert dropped[0] == ("text", 2, REASON)
    assert dropped[1][:2] == ("unconfirmed", 4)
    assert len(decision.error.unconfirmed) == 4
    assert json.loads(decision.error.unconfirmed[0].frame) == json.loads(TEXT)


def test_a_record_replayed_after_newer_ones_is_judged_by_its_new_index() -> None:
    tracker = ResumptionTracker(max_records=2)
    tracker.new_connection()
    old = tracker.record_sent("text", TEXT, 0.0)
    tracker.new_connection()
    tracker.record_sent("text", TEXT, 1.0)  # index 1 on connection 2
    tracker.record_replayed(old)  # index 2, although older
    tracker.record_sent("text", TEXT, 1.0)  # evicts the replayed one (oldest seq): index 2
    tracker.record_sent("text", TEXT, 1.0)  # evicts index 1
    tracker.on_update("h1", True, 1)  # covers index 1 only
    assert tracker.take_lost_evictions(include_current=True) == (("text", 1),)


def test_many_evictions_without_any_update_are_all_reported() -> None:
    tracker = _tracker()
    for i in range(10_003):
        tracker.record_sent("audio" if i % 2 else "text", AUDIO if i % 2 else TEXT, 0.0)
    tracker.on_update("h1", True, 5_000)
    lost = dict(tracker.take_lost_evictions(include_current=True))
    assert sum(lost.values()) == 5_000  # the evicted records with indexes 1..5000 were covered
    assert tracker.statistics().evicted_media + tracker.statistics().evicted_other == 10_000

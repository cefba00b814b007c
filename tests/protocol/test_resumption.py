"""Tests for gemini_live.protocol.resumption: confirmation, replay, eviction, counters."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import pytest

from gemini_live.protocol.resumption import (
    IndexOrigin,
    ResumptionTracker,
    SentRecord,
    first_message_index,
    is_stale_media,
)


def _send(tracker: ResumptionTracker, kinds: str, at: float = 0.0) -> list[SentRecord]:
    """Record one message per space-separated kind; frames name their seq-to-be."""
    return [tracker.record_sent(k, f'{{"{k}":{i}}}', at) for i, k in enumerate(kinds.split())]


def _seqs(records: tuple[SentRecord, ...] | list[SentRecord]) -> list[int]:
    return [r.seq for r in records]


def _replay_all(tracker: ResumptionTracker, now: float = 0.0) -> list[SentRecord]:
    plan = tracker.plan_replay(now, max_audio_age=None)
    return [tracker.record_replayed(r) for r in plan.records]


# --- indexes and confirmation ----------------------------------------------------------------


@pytest.mark.parametrize(("origin", "first"), [("setup_is_0", 1), ("first_is_0", 0)])
def test_index_origin(origin: IndexOrigin, first: int) -> None:
    tracker = ResumptionTracker(index_origin=origin)
    assert first_message_index(origin) == first
    assert tracker.new_connection() == 1
    records = _send(tracker, "audio audio text")
    assert [r.index for r in records] == [first, first + 1, first + 2]
    assert [r.connection for r in records] == [1, 1, 1]
    assert _seqs(records) == [1, 2, 3]
    tracker.new_connection()
    assert tracker.next_index == first


@pytest.mark.parametrize(
    ("origin", "last_consumed", "confirmed", "remaining"),
    [
        # setup=0, messages 1..5
        ("setup_is_0", 0, 0, [1, 2, 3, 4, 5]),  # only setup consumed
        ("setup_is_0", 1, 1, [2, 3, 4, 5]),
        ("setup_is_0", 3, 3, [4, 5]),
        ("setup_is_0", 5, 5, []),
        ("setup_is_0", 99, 5, []),
        # first message = 0, messages 0..4
        ("first_is_0", -1, 0, [1, 2, 3, 4, 5]),
        ("first_is_0", 0, 1, [2, 3, 4, 5]),
        ("first_is_0", 3, 4, [5]),
        ("first_is_0", 4, 5, []),
    ],
)
def test_transparent_confirm_is_exact(
    origin: IndexOrigin, last_consumed: int, confirmed: int, remaining: list[int]
) -> None:
    tracker = ResumptionTracker(index_origin=origin)
    tracker.new_connection()
    _send(tracker, "audio text audio activity_start audio")
    assert tracker.on_update("h1", True, last_consumed) == confirmed
    assert _seqs(tracker.unconfirmed) == remaining
    assert tracker.latest_handle == "h1"
    assert tracker.statistics().confirmed == confirmed


def test_non_transparent_confirms_everything_sent_on_this_connection() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "audio audio text")
    assert tracker.on_update("h1", True, None) == 3
    later = _send(tracker, "audio")
    assert tracker.unconfirmed == tuple(later)
    assert tracker.unconfirmed_bytes == len(later[0].frame)


@pytest.mark.parametrize(
    ("handle", "resumable"), [(None, False), ("", False), ("", True), (None, True), ("h", False)]
)
def test_unusable_updates_change_nothing_but_are_counted(
    handle: str | None, resumable: bool
) -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "audio text")
    tracker.on_update("good", True, 0)
    assert tracker.on_update(handle, resumable, 2) == 0
    assert len(tracker.unconfirmed) == 2
    assert tracker.latest_handle == "good"
    stats = tracker.statistics()
    assert (stats.updates, stats.non_resumable_updates) == (2, 1)


@pytest.mark.parametrize("last_consumed", [2, None])
def test_only_current_connection_is_confirmed(last_consumed: int | None) -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    old = _send(tracker, "text text")
    tracker.new_connection()  # resumed, but the old records were not replayed (yet)
    new = _send(tracker, "text text")
    # Index 2 exists on both connections; only the current one's records are covered.
    assert tracker.on_update("h", True, last_consumed) == 2
    assert tracker.unconfirmed == tuple(old)
    assert all(r.connection == 2 for r in new)


def test_last_consumed_index_type_is_checked() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    with pytest.raises(TypeError, match="last_consumed_index"):
        tracker.on_update("h", True, "3")  # type: ignore[arg-type]


# --- replay -----------------------------------------------------------------------------------


def test_replay_keeps_seq_and_renumbers_indexes() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    sent = _send(tracker, "activity_start audio audio activity_end text")
    tracker.on_update("h1", True, 2)
    tracker.new_connection()
    plan = tracker.plan_replay(now=0.0, max_audio_age=None)
    assert _seqs(plan.records) == [3, 4, 5]
    assert plan.dropped_stale_audio == 0
    replayed = [tracker.record_replayed(r) for r in plan.records]
    assert [(r.seq, r.connection, r.index) for r in replayed] == [(3, 2, 1), (4, 2, 2), (5, 2, 3)]
    assert [r.frame for r in replayed] == [r.frame for r in sent[2:]]
    assert [r.written_at for r in replayed] == [r.written_at for r in sent[2:]]
    new = tracker.record_sent("text", "{}", 1.0)
    assert (new.seq, new.index) == (6, 4)
    # The new connection's handle covers replayed messages by their new indexes.
    assert tracker.on_update("h2", True, 2) == 2
    assert _seqs(tracker.unconfirmed) == [5, 6]
    assert tracker.statistics().replayed == 3


def test_replay_is_in_seq_order_across_kinds() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "text audio video client_content audio tool_response audio_stream_end")
    tracker.new_connection()
    plan = tracker.plan_replay(0.0, None)
    assert _seqs(plan.records) == [1, 2, 3, 4, 5, 6, 7]
    assert [r.kind for r in plan.records][:3] == ["text", "audio", "video"]


def test_replaying_twice_on_one_connection_or_unknown_record_fails() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    (record,) = _send(tracker, "text")
    with pytest.raises(ValueError, match="already written on connection 1"):
        tracker.record_replayed(record)
    tracker.on_update("h", True, None)
    tracker.new_connection()
    with pytest.raises(ValueError, match="not buffered"):
        tracker.record_replayed(record)


def test_plan_replay_skips_what_this_connection_already_has() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "text audio text")
    tracker.new_connection()
    first = tracker.plan_replay(0.0, None)
    tracker.record_replayed(first.records[0])
    tracker.record_sent("audio", "new", 0.0)
    # Asking again (e.g. after an interruption of the replay loop) lists only the rest.
    again = tracker.plan_replay(100.0, 1.0)
    assert _seqs(again.records) == [3]
    # The stale audio (seq 2) was dropped; the new audio on this connection was not.
    assert again.dropped_stale_audio == 1
    assert _seqs(tracker.unconfirmed) == [1, 3, 4]


def test_stale_media_is_dropped_and_counted() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    tracker.record_sent("activity_start", "s", 0.0)
    tracker.record_sent("audio", "a-old", 0.0)
    tracker.record_sent("video", "v-old", 1.0)
    tracker.record_sent("text", "t-old", 0.0)
    tracker.record_sent("audio", "a-new", 9.0)
    tracker.record_sent("activity_end", "e", 0.5)
    tracker.new_connection()
    plan = tracker.plan_replay(now=10.0, max_audio_age=2.0)
    assert [r.frame for r in plan.records] == ["s", "t-old", "a-new", "e"]
    assert plan.dropped_stale_audio == 2
    assert tracker.statistics().dropped_stale_audio == 2
    # Dropped from the buffer for good.
    assert [r.frame for r in tracker.unconfirmed] == ["s", "t-old", "a-new", "e"]


def test_exactly_max_age_is_not_stale() -> None:
    assert not is_stale_media("audio", 8.0, 10.0, 2.0)
    assert is_stale_media("audio", 7.9, 10.0, 2.0)
    assert is_stale_media("video", 0.0, 10.0, 2.0)
    assert not is_stale_media("text", 0.0, 10.0, 2.0)
    assert not is_stale_media("audio", 0.0, 1e9, None)
    assert is_stale_media("audio", 0.0, 0.1, 0.0)


def test_plan_replay_validates_age() -> None:
    tracker = ResumptionTracker()
    with pytest.raises(ValueError, match="max_audio_age"):
        tracker.plan_replay(0.0, -1.0)


def test_reconnects_in_a_row_replay_everything_after_the_handle() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "text text text")  # seq 1..3
    tracker.on_update("h1", True, 1)  # handle covers seq 1
    # Connection 2 resumes from h1, replays 2..3, sends 4..5, gets no usable update.
    tracker.new_connection()
    _replay_all(tracker)
    _send(tracker, "audio text")
    tracker.on_update(None, False, None)
    # Connection 3 fails during replay: only seq 2 made it.
    tracker.new_connection()
    plan = tracker.plan_replay(0.0, None)
    tracker.record_replayed(plan.records[0])
    # Connection 4, still from h1: everything after seq 1, in order, once.
    tracker.new_connection()
    plan = tracker.plan_replay(0.0, None)
    assert tracker.latest_handle == "h1"
    assert _seqs(plan.records) == [2, 3, 4, 5]
    assert len({r.seq for r in plan.records}) == 4


def test_forget_all() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    _send(tracker, "text audio")
    tracker.on_update("h", True, 0)
    assert tracker.forget_all() == 2
    assert tracker.latest_handle is None
    assert tracker.unconfirmed == ()
    assert tracker.unconfirmed_bytes == 0
    assert tracker.statistics().forgotten == 2


def test_record_before_connection_fails() -> None:
    with pytest.raises(RuntimeError, match="new_connection"):
        ResumptionTracker().record_sent("text", "{}", 0.0)


@pytest.mark.parametrize(
    ("kind", "frame", "error"), [("mystery", "{}", ValueError), ("text", b"{}", TypeError)]
)
def test_record_validation(kind: str, frame: object, error: type[Exception]) -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    with pytest.raises(error):
        tracker.record_sent(kind, frame, 0.0)  # type: ignore[arg-type]


# --- bounds -----------------------------------------------------------------------------------


def test_eviction_takes_oldest_media_first() -> None:
    tracker = ResumptionTracker(max_records=4)
    tracker.new_connection()
    _send(tracker, "text audio text video audio audio")
    assert [r.kind for r in tracker.unconfirmed] == ["text", "text", "audio", "audio"]
    assert _seqs(tracker.unconfirmed) == [1, 3, 5, 6]
    stats = tracker.statistics()
    assert (stats.evicted_media, stats.evicted_other) == (2, 0)


def test_eviction_of_others_when_no_media_left_is_counted() -> None:
    tracker = ResumptionTracker(max_records=2)
    tracker.new_connection()
    _send(tracker, "text client_content tool_response")
    assert _seqs(tracker.unconfirmed) == [2, 3]
    assert tracker.statistics().evicted_other == 1


def test_eviction_by_bytes() -> None:
    tracker = ResumptionTracker(max_bytes=100)
    tracker.new_connection()
    tracker.record_sent("audio", "a" * 60, 0.0)
    tracker.record_sent("text", "t" * 30, 0.0)
    tracker.record_sent("audio", "b" * 30, 0.0)
    assert [r.frame[0] for r in tracker.unconfirmed] == ["t", "b"]
    assert tracker.unconfirmed_bytes == 60
    # Non-ASCII frames are measured in UTF-8 bytes.
    tracker.record_sent("text", "é" * 20, 0.0)  # 40 bytes
    assert tracker.unconfirmed_bytes == 100
    tracker.record_sent("text", "x", 0.0)
    assert tracker.unconfirmed_bytes == 71
    assert tracker.statistics().evicted_media == 2


def test_evicting_activity_start_takes_its_end() -> None:
    tracker = ResumptionTracker(max_records=3)
    tracker.new_connection()
    _send(tracker, "activity_start text activity_end text")
    assert [r.kind for r in tracker.unconfirmed] == ["text", "text"]
    assert tracker.statistics().evicted_other == 2


def test_evicting_open_activity_start_drops_its_later_end() -> None:
    tracker = ResumptionTracker(max_records=2)
    tracker.new_connection()
    _send(tracker, "activity_start text text activity_end text")
    kinds = [r.kind for r in tracker.unconfirmed]
    assert "activity_end" not in kinds and "activity_start" not in kinds
    assert tracker.statistics().evicted_other == 3


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_records": 0}, ValueError),
        ({"max_bytes": -5}, ValueError),
        ({"max_records": 1.5}, TypeError),
        ({"max_bytes": True}, TypeError),
        ({"index_origin": "one"}, ValueError),
    ],
)
def test_bounds_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        ResumptionTracker(**kwargs)  # type: ignore[arg-type]


# --- randomized simulation ---------------------------------------------------------------------


@dataclass
class _Server:
    """A server that consumes a prefix of each connection's messages and cuts handles."""

    first_index: int
    transparent: bool
    state_at_resume: list[int] = field(default_factory=list)
    received: list[SentRecord] = field(default_factory=list)
    consumed: int = 0
    handles: dict[str, list[int]] = field(default_factory=dict)

    def resume(self, handle: str | None) -> None:
        self.state_at_resume = list(self.handles[handle]) if handle else []
        self.received = []
        self.consumed = 0

    def cut_handle(self, rng: random.Random) -> tuple[str, int | None]:
        if self.transparent:
            self.consumed = rng.randint(self.consumed, len(self.received))
        else:
            self.consumed = len(self.received)
        handle = f"h{len(self.handles)}"
        state = self.state_at_resume + [r.seq for r in self.received[: self.consumed]]
        self.handles[handle] = state
        last = self.first_index + self.consumed - 1 if self.transparent else None
        return handle, last


@pytest.mark.parametrize("transparent", [True, False])
@pytest.mark.parametrize("origin", ["setup_is_0", "first_is_0"])
@pytest.mark.parametrize("seed", range(25))
def test_replay_is_exactly_the_unconsumed_suffix(
    seed: int, origin: IndexOrigin, transparent: bool
) -> None:
    rng = random.Random(seed)
    tracker = ResumptionTracker(index_origin=origin)
    server = _Server(first_message_index(origin), transparent)
    kinds = ["audio", "text", "video", "client_content", "tool_response"]
    all_sent: list[int] = []

    def write(record: SentRecord) -> None:
        assert record.connection == tracker.connection
        assert record.index == server.first_index + len(server.received)
        server.received.append(record)

    tracker.new_connection()
    server.resume(None)
    for _ in range(300):
        action = rng.random()
        if action < 0.6:
            record = tracker.record_sent(rng.choice(kinds), "{}", 0.0)
            all_sent.append(record.seq)
            write(record)
        elif action < 0.8:
            handle, last = server.cut_handle(rng)
            tracker.on_update(handle, True, last)
        elif action < 0.85:
            tracker.on_update(None, False, None)
        else:
            resume_from = tracker.latest_handle
            tracker.new_connection()
            server.resume(resume_from)
            plan = tracker.plan_replay(0.0, None)
            # The replay is exactly what the handle's state lacks, in order, once.
            assert server.state_at_resume + _seqs(plan.records) == all_sent
            cut = rng.randint(0, len(plan.records))  # the new connection may die mid-replay
            for r in plan.records[:cut]:
                write(tracker.record_replayed(r))
            if cut < len(plan.records):
                resume_from = tracker.latest_handle
                tracker.new_connection()
                server.resume(resume_from)
                for r in tracker.plan_replay(0.0, None).records:
                    write(tracker.record_replayed(r))
            assert server.state_at_resume + [r.seq for r in server.received] == all_sent
    stats = tracker.statistics()
    assert stats.recorded == len(all_sent)
    assert stats.evicted_media == stats.evicted_other == stats.dropped_stale_audio == 0


def test_discard_drops_only_matching_records_and_counts_them() -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    tracker.record_sent("text", '{"realtimeInput":{"text":"a"}}', 0.0)
    tracker.record_sent("tool_response", '{"toolResponse":{"functionResponses":[]}}', 0.1)
    tracker.record_sent("audio", '{"realtimeInput":{"audio":{}}}', 0.2)
    assert tracker.discard(lambda r: r.kind == "tool_response") == 1
    assert [r.kind for r in tracker.unconfirmed] == ["text", "audio"]
    assert tracker.statistics().forgotten == 1
    assert tracker.discard(lambda r: False) == 0


# --- compact media storage ----------------------------------------------------------------------


def _audio_frame(i: int, size: int = 640) -> str:
    from gemini_live.protocol.encode import encode_audio

    return encode_audio(bytes((i + k) % 256 for k in range(size)), "audio/pcm;rate=16000")


def test_media_frames_are_held_as_raw_bytes_and_replayed_byte_identical() -> None:
    from gemini_live.protocol.encode import encode_video

    tracker = ResumptionTracker()
    tracker.new_connection()
    frames = [_audio_frame(i) for i in range(5)] + [encode_video(b"\xff\xd8" + bytes(99))]
    for frame in frames:
        tracker.record_sent("video" if "video" in frame else "audio", frame, 0.0)
    assert tracker.unconfirmed_bytes == 5 * 640 + 101  # not the ~4/3 larger base64 frames
    assert tracker.unconfirmed_count == 6
    tracker.new_connection()
    plan = tracker.plan_replay(0.0, None)
    assert [r.frame for r in plan.records] == frames
    assert [r.frame for r in tracker.unconfirmed] == frames


def test_a_mime_type_that_spells_the_data_key_still_round_trips() -> None:
    frame = '{"realtimeInput":{"audio":{"mimeType":"a\\",\\"data\\":\\"x","data":"AAAA"}}}'
    tracker = ResumptionTracker()
    tracker.new_connection()
    tracker.record_sent("audio", frame, 0.0)
    assert tracker.unconfirmed_bytes == 3
    assert [r.frame for r in tracker.unconfirmed] == [frame]


@pytest.mark.parametrize(
    "frame",
    [
        '{"realtimeInput":{"audio":{"mimeType":"audio/pcm","data":"AB=="}}}',  # non-canonical
        '{"realtimeInput":{"audio":{"mimeType":"audio/pcm","data":"-_-_"}}}',  # URL-safe
        '{"realtimeInput":{"audio":{"data":"AAAA","mimeType":"audio/pcm"}}}',  # other order
        "a-old",
        "\u00e9\u00e9",
    ],
)
def test_media_frames_that_cannot_be_rebuilt_are_kept_as_sent(frame: str) -> None:
    tracker = ResumptionTracker()
    tracker.new_connection()
    tracker.record_sent("audio", frame, 0.0)
    assert tracker.unconfirmed_bytes == len(frame.encode())
    tracker.new_connection()
    assert [r.frame for r in tracker.plan_replay(0.0, None).records] == [frame]


def test_stale_media_bytes_are_released_early_but_counted_as_before() -> None:
    tracker = ResumptionTracker(max_media_age=2.0)
    tracker.new_connection()
    for i in range(10):  # one chunk a second
        tracker.record_sent("audio", _audio_frame(i), float(i))
    tracker.record_sent("text", '{"realtimeInput":{"text":"hi"}}', 9.5)
    # Chunks older than 2 s at the newest write (t=9) hold no bytes any more...
    assert tracker.unconfirmed_bytes == 3 * 640 + len('{"realtimeInput":{"text":"hi"}}')
    # ...and are not listed (they can never be replayed), but a confirmation still covers them.
    assert tracker.unconfirmed_count == len(tracker.unconfirmed) == 4
    assert tracker.on_update("h", True, 4) == 4  # indexes 1..4: chunks 0..3
    tracker.new_connection()
    plan = tracker.plan_replay(now=9.5, max_audio_age=2.0)
    # Chunks 4..6 (released) and 7 (2.5 s old now) were never confirmed: dropped as stale.
    assert plan.dropped_stale_audio == 4
    assert [r.frame for r in plan.records] == [_audio_frame(i) for i in (8, 9)] + [
        '{"realtimeInput":{"text":"hi"}}'
    ]
    stats = tracker.statistics()
    assert (stats.confirmed, stats.dropped_stale_audio) == (4, 4)


@pytest.mark.parametrize("seed", range(12))
def test_releasing_stale_media_early_changes_no_outcome(seed: int) -> None:
    # Two trackers fed the same history, one releasing stale bytes as it goes: every update,
    # plan, replay and counter agrees, and the early one never holds more bytes.
    rng = random.Random(seed)
    max_age = rng.choice([0.0, 0.5, 2.0])
    early = ResumptionTracker(max_media_age=max_age, index_origin="first_is_0")
    late = ResumptionTracker(index_origin="first_is_0")
    now = 0.0
    for tracker in (early, late):
        tracker.new_connection()
    for step in range(400):
        now += rng.choice([0.0, 0.02, 0.02, 0.3])
        action = rng.random()
        if action < 0.7:
            kind = rng.choice(["audio", "audio", "video", "text", "activity_start"])
            frame = _audio_frame(step, 32) if kind == "audio" else f'{{"n":{step}}}'
            a = early.record_sent(kind, frame, now)
            b = late.record_sent(kind, frame, now)
            assert a == b
        elif action < 0.85:
            last = rng.choice([None, rng.randint(-1, late.next_index)])
            assert early.on_update("h", True, last) == late.on_update("h", True, last)
        else:
            for tracker in (early, late):
                tracker.new_connection()
            a_plan = early.plan_replay(now, max_age)
            b_plan = late.plan_replay(now, max_age)
            assert a_plan == b_plan
            cut = rng.randint(0, len(a_plan.records))
            for r in a_plan.records[:cut]:
                assert early.record_replayed(r) == late.record_replayed(r)
        # The early one lists what the late one does, minus media stale at the newest write.
        kept = early.unconfirmed  # rebuilt at each read: read once per step
        kept_set = set(kept)
        listed = [r for r in late.unconfirmed if r in kept_set]
        assert list(kept) == listed
        assert early.unconfirmed_count == len(listed)
        assert early.unconfirmed_bytes <= late.unconfirmed_bytes
    assert early.statistics() == late.statistics()


def test_max_media_age_is_validated() -> None:
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="max_media_age"):
            ResumptionTracker(max_media_age=bad)


def test_many_buffered_media_records_are_compacted_in_order() -> None:
    tracker = ResumptionTracker(max_records=1000)
    tracker.new_connection()
    for i in range(5000):
        tracker.record_sent("audio", _audio_frame(i, 8), 0.0)
        if i % 700 == 0:
            tracker.record_sent("text", f'{{"t":{i}}}', 0.0)
    assert tracker.unconfirmed_count == 1000
    seqs = _seqs(tracker.unconfirmed)
    assert seqs == sorted(seqs) and len(set(seqs)) == 1000
    assert tracker.statistics().evicted_media == 5000 + 8 - 1000
    tracker.on_update("h", True, None)
    assert tracker.unconfirmed_count == 0 and tracker.unconfirmed_bytes == 0


def test_a_replay_after_newer_media_still_confirms_exactly() -> None:
    # Indexes on a connection normally grow with seq; a record replayed after newer ones were
    # sent breaks that, and confirmation must then read the whole buffer.
    tracker = ResumptionTracker()
    tracker.new_connection()
    old = tracker.record_sent("audio", _audio_frame(1), 0.0)  # seq 1
    tracker.new_connection()
    new = tracker.record_sent("audio", _audio_frame(2), 0.0)  # seq 2, index 1
    replayed = tracker.record_replayed(old)  # seq 1, index 2
    assert (new.index, replayed.index) == (1, 2)
    assert tracker.on_update("h", True, 1) == 1
    assert _seqs(tracker.unconfirmed) == [1]


@pytest.mark.parametrize("seed", range(12))
def test_releasing_stale_media_early_changes_no_outcome_under_eviction(seed: int) -> None:
    # As above, with a record bound small enough that released runs are evicted piecemeal, and
    # several kinds interleaved so that releases form many runs.
    rng = random.Random(1000 + seed)
    bound = rng.choice([5, 17, 40])
    early = ResumptionTracker(max_media_age=0.1, index_origin="first_is_0", max_records=bound)
    late = ResumptionTracker(index_origin="first_is_0", max_records=bound)
    now = 0.0
    for tracker in (early, late):
        tracker.new_connection()
    for step in range(600):
        now += rng.choice([0.0, 0.02, 0.02, 0.05])
        action = rng.random()
        if action < 0.75:
            kind = rng.choice(["audio"] * 6 + ["video", "text"])
            frame = _audio_frame(step, 16) if kind == "audio" else f'{{"n":{step}}}'
            assert early.record_sent(kind, frame, now) == late.record_sent(kind, frame, now)
        elif action < 0.9:
            last = rng.choice([None, rng.randint(-1, late.next_index)])
            assert early.on_update("h", True, last) == late.on_update("h", True, last)
        else:
            for tracker in (early, late):
                tracker.new_connection()
            plan = early.plan_replay(now, 0.1)
            assert plan == late.plan_replay(now, 0.1)
            for r in plan.records[: rng.randint(0, len(plan.records))]:
                assert early.record_replayed(r) == late.record_replayed(r)
        kept = early.unconfirmed  # rebuilt at each read: read once per step
        kept_set = set(kept)
        listed = [r for r in late.unconfirmed if r in kept_set]
        assert list(kept) == listed
    assert early.statistics() == late.statistics()


def test_released_media_cost_one_row_per_run_not_per_chunk() -> None:
    from gemini_live.protocol._media_buffer import MediaBuffer

    buffer = MediaBuffer()
    seqs = []
    seq = 0
    for i in range(500):  # 10 s of 20 ms chunks, a text message every 2 s
        seq += 1
        if i % 100 == 99:
            seq += 1  # the text message's seq (held elsewhere): this chunk starts a new run
        seqs.append(seq)
        buffer.append(seq, "audio", _audio_frame(i, 32), i * 0.02, 1, seq)
        buffer.release_stale(i * 0.02, 2.0)
    assert len(buffer) == 500
    assert buffer.released_count == 500 - 101  # chunks at most 2 s old keep their bytes
    assert buffer.bytes == 101 * 32
    assert buffer.row_count == 101 + 4  # the live rows, and four runs for the released ones
    # A confirmation (indexes are the seqs here) takes runs and rows alike.
    covered = sum(1 for s in seqs if s <= 450)
    assert 399 < covered < 500
    assert buffer.confirm(1, 450, in_order=True) == covered
    assert buffer.released_count == 0 and len(buffer) == 500 - covered
    assert buffer.confirm(1, math.inf, in_order=True) == 500 - covered
    assert len(buffer) == buffer.bytes == buffer.row_count == 0


@dataclass
class _Held:
    seq: int
    connection: int
    index: int
    written_at: float
    frame: str
    released: bool = False


@pytest.mark.parametrize("seed", range(20))
def test_media_buffer_matches_a_plain_list_of_records(seed: int) -> None:
    # The packed buffer (rows for live records, runs for released ones) against the obvious
    # model: one object per record. Every count, every confirmation and every listed record agree.
    from gemini_live.protocol._media_buffer import MediaBuffer

    rng = random.Random(seed)
    buffer = MediaBuffer()
    model: list[_Held] = []
    seq, connection, index, now = 0, 1, 1, 0.0
    in_order = True
    for step in range(800):
        action = rng.random()
        if action < 0.55:
            seq += rng.choice([1, 1, 1, 2])  # a gap: another kind of message took a seq
            index += 1 if rng.random() < 0.9 else 2
            now += rng.choice([0.0, 0.02, 0.02, 0.1])
            frame = _audio_frame(step, rng.choice([8, 16]))
            buffer.append(seq, "audio", frame, now, connection, index)
            model.append(_Held(seq, connection, index, now, frame))
        elif action < 0.7:
            age = rng.choice([0.0, 0.05, 0.3])
            buffer.release_stale(now, age)
            for held in model:
                if not held.released and now - held.written_at > age:
                    held.released = True
                elif not held.released:
                    break
        elif action < 0.82:
            limit = rng.choice([math.inf, float(rng.randint(0, index + 1))])
            expected = [h for h in model if h.connection == connection and h.index <= limit]
            assert buffer.confirm(connection, limit, in_order) == len(expected)
            model = [h for h in model if h not in expected]
        elif action < 0.87 and model:
            buffer.pop_oldest()
            del model[0]
        elif action < 0.93:  # a reconnect: stale and released records of old connections go
            connection += 1
            index = 0
            max_age = rng.choice([None, 0.1, 1.0])
            gone = [
                h
                for h in model
                if h.connection != connection
                and (h.released or (max_age is not None and now - h.written_at > max_age))
            ]
            assert buffer.drop_stale(connection, now, max_age) == len(gone)
            model = [h for h in model if h not in gone]
            in_order = True
        else:  # replay some live records of older connections on this one
            for position in list(buffer.positions()):
                if buffer.connection(position) != connection and rng.random() < 0.5:
                    index += 1
                    held = next(h for h in model if h.seq == buffer.seq(position))
                    held.connection, held.index = connection, index
                    buffer.set_written(position, connection, index)
                    in_order = False
        live = [h for h in model if not h.released]
        assert len(buffer) == len(model)
        assert buffer.released_count == len(model) - len(live)
        assert buffer.bytes == sum(len(_payload_of(h.frame)) for h in live)
        listed = [
            (buffer.seq(p), buffer.connection(p), buffer.index(p), buffer.written_at(p))
            for p in buffer.positions()
        ]
        assert listed == [(h.seq, h.connection, h.index, h.written_at) for h in live]
        assert [buffer.frame(p) for p in buffer.positions()] == [h.frame for h in live]


def _payload_of(frame: str) -> bytes:
    import base64

    return base64.b64decode(frame.split('"data":"')[1].split('"')[0])

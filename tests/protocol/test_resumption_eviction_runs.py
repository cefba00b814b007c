"""Evicted-but-maybe-confirmed records, checked against a plain model over random scripts, and
the memory they cost when the service stays silent for a long time.

The tracker keeps the indexes of records evicted on the current connection until an update
covers them (not lost after all) or the connection ends (lost). It keeps them as runs of
consecutive indexes; the model below keeps a plain set, and both must report the same losses
after every update, reconnection and replay (replays write old records after newer ones, so the
runs are then out of order).
"""

from __future__ import annotations

import random
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

import pytest

from gemini_live.protocol.resumption import MEDIA_KINDS, ResumptionTracker, SentRecord

TEXT = '{"realtimeInput":{"text":"x"}}'
AUDIO = '{"realtimeInput":{"audio":{"data":"AAAA","mimeType":"audio/pcm;rate=16000"}}}'
FRAMES = {"audio": AUDIO, "text": TEXT}


@dataclass
class Model:
    """What the tracker should do, written the obvious way."""

    bound: int
    connection: int = 0
    next_index: int = 0
    # seq -> (kind, connection, index) of every buffered record.
    buffered: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    pending: set[tuple[str, int]] = field(default_factory=set)  # (kind, index), this connection
    lost: Counter[str] = field(default_factory=Counter)

    def new_connection(self, first_index: int) -> None:
        for kind, _ in self.pending:
            self.lost[kind] += 1
        self.pending.clear()
        self.connection += 1
        self.next_index = first_index

    def write(self, seq: int, kind: str) -> None:
        self.buffered[seq] = (kind, self.connection, self.next_index)
        self.next_index += 1
        while len(self.buffered) > self.bound:
            media = [s for s, r in self.buffered.items() if r[0] in MEDIA_KINDS]
            oldest = min(media or self.buffered)
            kind_, connection, index = self.buffered.pop(oldest)
            if connection == self.connection:
                self.pending.add((kind_, index))
            else:
                self.lost[kind_] += 1

    def update(self, limit: float) -> None:
        for seq in [
            s for s, r in self.buffered.items() if r[1] == self.connection and r[2] <= limit
        ]:
            del self.buffered[seq]
        self.pending = {(k, i) for k, i in self.pending if i > limit}

    def take_lost(self, include_current: bool) -> dict[str, int]:
        if include_current:
            for kind, _ in self.pending:
                self.lost[kind] += 1
            self.pending.clear()
        lost = dict(self.lost)
        self.lost.clear()
        return lost


@pytest.mark.parametrize("seed", range(6))
def test_lost_evictions_match_a_plain_model(seed: int) -> None:
    rng = random.Random(seed)
    bound = rng.choice((1, 3, 8, 20))
    tracker = ResumptionTracker(max_records=bound)
    model = Model(bound)
    tracker.new_connection()
    model.new_connection(1)  # the service counts a connection's messages from 1
    records: dict[int, SentRecord] = {}
    for step in range(2_000):
        roll = rng.random()
        if roll < 0.70:
            # Runs of one kind, as a microphone streams, broken now and then by another kind.
            kind = "audio" if (step // rng.choice((1, 5, 40))) % 3 else "text"
            record = tracker.record_sent(kind, FRAMES[kind], 0.0)
            records[record.seq] = record
            model.write(record.seq, kind)
        elif roll < 0.85:
            limit: float = rng.randrange(-1, model.next_index + 2)
            if rng.random() < 0.05:
                limit = float("inf")
            tracker.on_update(f"h{step}", True, None if limit == float("inf") else int(limit))
            model.update(limit)
        elif roll < 0.92:
            include_current = rng.random() < 0.3
            assert dict(tracker.take_lost_evictions(include_current=include_current)) == (
                model.take_lost(include_current)
            ), step
        elif roll < 0.96:
            tracker.new_connection()
            model.new_connection(1)
        else:
            # Replay what is still buffered, in any order: old records after newer ones.
            still = [r for r in tracker.unconfirmed if r.connection != model.connection]
            rng.shuffle(still)
            for record in still[: rng.randrange(len(still) + 1)]:
                tracker.record_replayed(record)
                kind = model.buffered[record.seq][0]
                model.buffered[record.seq] = (kind, model.connection, model.next_index)
                model.next_index += 1
        assert sorted(r.seq for r in tracker.unconfirmed) == sorted(model.buffered), step
    assert dict(tracker.take_lost_evictions(include_current=True)) == model.take_lost(True)


def test_a_silent_service_costs_no_memory_per_evicted_message() -> None:
    """Seven minutes of 20 ms chunks (20,000) with no update at all: everything past the bound is
    evicted and may still be confirmed, but what the tracker keeps for that does not grow."""
    tracker = ResumptionTracker(max_records=100)
    tracker.new_connection()

    def stream(chunks: int) -> None:
        for _ in range(chunks):
            tracker.record_sent("audio", AUDIO, 0.0)

    stream(1_000)  # the buffer is full; from here on every chunk evicts one
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        stream(20_000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # One index per evicted chunk would be 160 KB; a run of them is two numbers (the ~18 KB
    # seen are the media ring's bookkeeping, the same after 120,000 chunks).
    assert grown < 64 * 1024, grown
    # 21,000 chunks, indexes 1-21,000; the last 100 are buffered, 1-20,900 were evicted.
    tracker.on_update("h", True, 10_000)
    assert dict(tracker.take_lost_evictions(include_current=True)) == {"audio": 10_900}

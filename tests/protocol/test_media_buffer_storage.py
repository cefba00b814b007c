"""The media buffer's payload ring (``protocol/_media_buffer.py``) against a plain model.

Random appends (small and large chunks, empty ones, frames kept verbatim), stale releases,
confirmations, drops and evictions, thousands of them: after each step the live records' frames
must be byte for byte those appended, and the counts and byte totals the model's.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

import pytest

from gemini_live.protocol._media_buffer import MediaBuffer

_HEAD = '{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"'
_VIDEO_HEAD = '{"realtimeInput":{"video":{"mimeType":"image/jpeg","data":"'


@dataclass
class _Record:
    seq: int
    kind: str
    frame: str
    written_at: float
    connection: int
    index: int
    size: int
    released: bool = False


def _frame(rng: random.Random, kind: str) -> tuple[str, bytes | None, int]:
    """A frame, the bytes to pass as ``data`` (or None) and the bytes the buffer counts."""
    roll = rng.random()
    if roll < 0.05:  # not the encoder's shape: kept verbatim, counted as text
        text = '{"realtimeInput":{"audio":{"data":"AAAA","mimeType":"audio/pcm"}}}'
        return text, None, len(text)
    size = rng.choice((0, 1, 2, 640, 640, 640, 641, 1920, 9000, 70_000 if roll > 0.97 else 640))
    payload = rng.randbytes(size)
    head = _HEAD if kind == "audio" else _VIDEO_HEAD
    frame = head + base64.b64encode(payload).decode() + '"}}}'
    return frame, payload if rng.random() < 0.8 else None, size


def _check(buffer: MediaBuffer, model: list[_Record]) -> None:
    live = [record for record in model if not record.released]
    assert [buffer.seq(p) for p in buffer.positions()] == [r.seq for r in live]
    assert [buffer.frame(p) for p in buffer.positions()] == [r.frame for r in live]
    assert [buffer.kind(p) for p in buffer.positions()] == [r.kind for r in live]
    assert len(buffer) == len(model)
    assert buffer.released_count == len(model) - len(live)
    assert buffer.bytes == sum(r.size for r in live)


@pytest.mark.parametrize("seed", range(6))
def test_payloads_stay_intact_through_many_cycles(seed: int) -> None:
    rng = random.Random(seed)
    buffer = MediaBuffer()
    model: list[_Record] = []
    seq = 0
    connection = 1
    index = 0
    now = 0.0
    for _ in range(3000):
        action = rng.random()
        if action < 0.7:
            seq += rng.choice((1, 1, 1, 2))
            now += rng.choice((0.0, 0.02, 0.02, 0.02, 0.5))
            kind = "audio" if rng.random() < 0.9 else "video"
            frame, data, size = _frame(rng, kind)
            buffer.append(seq, kind, frame, now, connection, index, data)
            model.append(_Record(seq, kind, frame, now, connection, index, size))
            index += 1
            buffer.release_stale(now, 2.0)
            for record in model:  # the oldest live ones, up to the first young one
                if record.released:
                    continue
                if not now - record.written_at > 2.0:
                    break
                record.released = True
        elif action < 0.8:
            limit = rng.randrange(index + 1) if rng.random() < 0.8 else float("inf")
            gone = buffer.confirm(connection, limit, in_order=rng.random() < 0.5)
            kept = [r for r in model if not (r.connection == connection and r.index <= limit)]
            assert gone == len(model) - len(kept)
            model = kept
        elif action < 0.85:  # a new connection: what was not written on it may be dropped
            connection += 1
            index = 0
            max_age = rng.choice((None, 0.5, 5.0))
            gone = buffer.drop_stale(connection, now, max_age)
            kept = [
                r
                for r in model
                if r.connection == connection
                or not (r.released or (max_age is not None and now - r.written_at > max_age))
            ]
            assert gone == len(model) - len(kept)
            model = kept
        elif action < 0.95 and model:
            connection_gone, index_gone, _ = buffer.pop_oldest()
            oldest = model.pop(0)
            assert (connection_gone, index_gone) == (oldest.connection, oldest.index)
        elif action < 0.955:
            buffer.clear()
            model = []
        _check(buffer, model)


def test_a_steady_stream_keeps_its_last_two_seconds_exactly() -> None:
    """20 ms chunks, stale ones released, confirmations now and then (the ring wraps many times)."""
    buffer = MediaBuffer()
    payloads = {}
    for seq in range(2000):
        payload = random.Random(seq).randbytes(640)
        payloads[seq] = payload
        frame = _HEAD + base64.b64encode(payload).decode() + '"}}}'
        buffer.append(seq, "audio", frame, seq * 0.02, 1, seq, payload)
        buffer.release_stale(seq * 0.02, 2.0)
        if seq % 500 == 250:
            buffer.confirm(1, seq - 50, in_order=True)
    live = list(buffer.positions())
    assert 100 <= len(live) <= 102
    for position in live:
        seq = buffer.seq(position)
        assert buffer.frame(position) == _HEAD + base64.b64encode(payloads[seq]).decode() + '"}}}'
    assert buffer.bytes == 640 * len(live)

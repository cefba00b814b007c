"""The audio send path's shortcuts keep what they skip: the frames replayed are the ones sent.

``send_audio`` writes without a coroutine of its own in the common case (``send_or_wait``), and
the replay buffer keeps the caller's PCM instead of decoding the frame it was just encoded into.
Both must leave the wire, the replay log and the backpressure exactly as before.
"""

from __future__ import annotations

import asyncio

import pytest

from gemini_live.protocol import encode as codec
from gemini_live.protocol._media_buffer import MediaBuffer
from gemini_live.protocol.resumption import ResumptionTracker

from .peer import Peer
from .rawpeer import connect

MIME = "audio/pcm;rate=16000"


def _chunk(n: int, size: int = 640) -> bytes:
    return bytes((n * 7 + i) % 256 for i in range(size))


def test_media_kept_from_the_callers_bytes_rebuilds_the_exact_frame() -> None:
    buffer = MediaBuffer()
    chunks = [_chunk(n, 640 + 2 * (n % 3)) for n in range(6)]  # lengths 640/642/644: all paddings
    for n, chunk in enumerate(chunks):
        buffer.append(n, "audio", codec.encode_audio(chunk, MIME), n * 0.02, 1, n, chunk)
    assert [buffer.frame(p) for p in buffer.positions()] == [
        codec.encode_audio(chunk, MIME) for chunk in chunks
    ]
    assert buffer.bytes == sum(len(chunk) for chunk in chunks)


def test_bytes_that_do_not_match_the_frame_are_not_trusted() -> None:
    buffer = MediaBuffer()
    first = _chunk(1)
    buffer.append(0, "audio", codec.encode_audio(first, MIME), 0.0, 1, 0, first)  # learns the head
    frame = codec.encode_audio(_chunk(2, 1000), MIME)
    buffer.append(1, "audio", frame, 0.02, 1, 1, _chunk(3, 10))  # wrong length: decoded instead
    other_head = codec.encode_audio(first, "audio/pcm;rate=24000")
    buffer.append(2, "audio", other_head, 0.04, 1, 2, first)  # another MIME type: parsed
    assert [buffer.frame(p) for p in buffer.positions()] == [
        codec.encode_audio(first, MIME),
        frame,
        other_head,
    ]


def test_release_of_stale_media_after_the_shortcut() -> None:
    tracker = ResumptionTracker(max_media_age=0.1)
    tracker.new_connection()
    for n in range(20):
        chunk = _chunk(n)
        tracker.record_sent("audio", codec.encode_audio(chunk, MIME), n * 0.02, chunk)
    # Records older than 0.1 s at 0.38 s are released (counted, bytes gone), the rest replayable.
    kept = [record.frame for record in tracker.unconfirmed]
    assert kept == [codec.encode_audio(_chunk(n), MIME) for n in range(20 - len(kept), 20)]
    assert 4 <= len(kept) <= 6
    assert tracker.statistics().recorded == 20


async def test_sent_audio_is_replayable_byte_for_byte_and_on_the_wire() -> None:
    async with Peer() as peer, connect(peer.base_url) as session:
        chunks = [_chunk(n) for n in range(50)]
        for chunk in chunks:
            await session.send_audio(bytearray(chunk))  # a mutable buffer is copied
        received = await peer.wait_for_messages(50)
        frames = [codec.encode_audio(chunk, MIME) for chunk in chunks]
        assert [m.frame for m in session.unconfirmed()] == frames
        assert [m["realtimeInput"]["audio"]["data"] for m in received] == [
            codec.encode_audio(chunk, MIME).split('"data":"')[1][:-4] for chunk in chunks
        ]
        assert session.statistics().messages_sent == 50


async def test_send_audio_waits_for_the_socket_when_it_is_backed_up() -> None:
    high_water = 256 * 1024  # TransportOptions.write_limit_high's default
    async with Peer() as peer, connect(peer.base_url) as session:
        peer.stall.set()  # the peer stops reading: the socket backs up
        sent = 0
        held: list[int] = []
        backed_up = asyncio.Event()

        async def stream() -> None:
            nonlocal sent
            while True:
                await session.send_audio(_chunk(sent, 64 * 1024))
                sent += 1
                held.append(session.statistics().write_buffer_size)
                if held[-1] > 0:
                    backed_up.set()

        task = asyncio.create_task(stream())
        # Without backpressure the loop above would never yield and this would not return.
        async with asyncio.timeout(10):
            await backed_up.wait()
        await asyncio.sleep(0.1)
        assert max(held) <= high_water  # no send returned with more than the mark held
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        peer.stall.clear()
        # The chunk whose caller was cancelled while waiting was accepted: written or queued.
        statistics = session.statistics()
        assert statistics.messages_sent + statistics.send_queue_length == sent + 1

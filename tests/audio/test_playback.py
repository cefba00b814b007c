"""PlaybackBuffer driven by a simulated device clock: jitter, underruns, overruns, barge-in."""

from __future__ import annotations

import asyncio
import threading
from array import array

import pytest

from gemini_live.audio.playback import PlaybackBuffer
from gemini_live.audio.synth import tone
from gemini_live.media import PlaybackReader

RATE = 24_000
PERIOD = 240  # a 10 ms device period at 24 kHz


def ramp(frames: int, start: int = 1) -> bytes:
    """Distinct non-zero samples, so every frame can be traced through the buffer."""
    return array("h", [(start + i) % 30000 + 1 for i in range(frames)]).tobytes()


def run_device(buf: PlaybackBuffer, periods: int, frames: int = PERIOD) -> bytes:
    return b"".join(buf.pull(frames) for _ in range(periods))


def test_nothing_plays_until_the_target_latency_is_buffered() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=80)
    assert buf.target_frames == 1920
    buf.push(ramp(960))  # 40 ms: below the target
    assert buf.pull(PERIOD) == bytes(2 * PERIOD)
    assert not buf.position().playing
    buf.push(ramp(960, 961))  # now 80 ms
    out = buf.pull(PERIOD)
    assert out == ramp(PERIOD)
    assert buf.position().playing
    assert buf.stats().underruns == 0


def test_audio_comes_out_unchanged_and_in_order_across_bursts() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0)
    pcm = ramp(10_000)
    for i in range(0, len(pcm), 1234 * 2):
        buf.push(pcm[i : i + 1234 * 2])
    buf.end_turn()
    out = run_device(buf, 50)
    assert out[: len(pcm)] == pcm
    assert out[len(pcm) :] == bytes(len(out) - len(pcm))
    stats = buf.stats()
    assert stats.frames_played == 10_000
    assert stats.underruns == 0  # the turn ended: running dry is not an underrun


def test_jitter_within_the_target_latency_causes_no_underrun() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=80)
    # 40 ms chunks produced every 40 ms of device time, delivered in order (TCP) but each one
    # up to 60 ms late: a chunk never arrives before the one before it.
    delays = [0, 6, 2, 5, 1, 3]
    arrivals: list[tuple[int, bytes]] = []
    for k in range(25):
        tick = max(arrivals[-1][0] if arrivals else 0, k * 4 + delays[k % 6])
        arrivals.append((tick, ramp(960, k * 960 + 1)))
    out = []
    for tick in range(130):  # 10 ms ticks
        for t, chunk in arrivals:
            if t == tick:
                buf.push(chunk)
        if tick == arrivals[-1][0]:
            buf.end_turn()
        out.append(buf.pull(PERIOD))
    assert buf.stats().underruns == 0
    played = b"".join(out).strip(b"\0")
    assert played == b"".join(chunk for _t, chunk in arrivals)


def test_running_dry_mid_turn_is_an_underrun_then_rebuffers() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=20)
    buf.push(ramp(480))
    assert buf.pull(PERIOD) == ramp(PERIOD)
    tail = buf.pull(PERIOD * 2)  # only 240 frames left: padded, underrun counted
    assert tail[: 2 * PERIOD] == ramp(PERIOD, PERIOD + 1)
    assert tail[2 * PERIOD :] == bytes(2 * PERIOD)
    assert buf.stats().underruns == 1
    assert not buf.position().playing
    buf.push(ramp(240, 5000))  # below the target: keep re-buffering, no second underrun
    assert buf.pull(PERIOD) == bytes(2 * PERIOD)
    buf.push(ramp(240, 6000))
    assert buf.pull(PERIOD) == ramp(240, 5000)
    assert buf.stats().underruns == 1


def test_interrupt_stops_playback_by_the_next_period_and_reports_played_and_dropped() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=80)
    buf.push(ramp(RATE * 2))  # a 2 s reply arrived in one burst
    run_device(buf, 50)  # 500 ms played
    report = buf.interrupt()
    assert report.turn == 1
    assert report.played == pytest.approx(0.5)
    assert report.dropped == pytest.approx(1.5)
    assert report.fraction_played == pytest.approx(0.25)
    # The very next device period is silent: the flush took effect within one period.
    assert buf.pull(PERIOD) == bytes(2 * PERIOD)
    stats = buf.stats()
    assert stats.frames_flushed == RATE * 3 // 2
    assert stats.interruptions == 1
    assert stats.underruns == 0
    # The next reply is a new turn with its own position.
    buf.push(ramp(2400))
    position = buf.position()
    assert (position.turn, position.played, position.received) == (2, 0.0, 0.1)


def test_interrupt_from_another_thread_between_callbacks() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0, lock=threading.Lock())
    assert buf.thread_safe and not PlaybackBuffer().thread_safe
    buf.push(ramp(RATE))
    buf.pull(PERIOD)
    reports = []
    t = threading.Thread(target=lambda: reports.append(buf.interrupt()))
    t.start()
    t.join(timeout=5)
    assert reports[0].played == pytest.approx(PERIOD / RATE)
    assert buf.pull(PERIOD) == bytes(2 * PERIOD)


def test_overrun_drops_the_excess_counts_it_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0, max_buffer_s=0.1)
    with caplog.at_level("WARNING", logger="gemini_live.audio"):
        buf.push(ramp(3000))
    stats = buf.stats()
    assert stats.overruns == 1
    assert stats.frames_dropped_overrun == 600
    assert buf.position().buffered == pytest.approx(0.1)
    assert "dropped" in caplog.text
    assert run_device(buf, 10)[: 2 * 2400] == ramp(2400)


def test_resamples_to_the_sink_rate_and_copies_mono_to_every_channel() -> None:
    buf = PlaybackBuffer(48_000, 2, target_latency_ms=0, resampler="builtin")
    buf.push(tone(0.1, RATE, frequency=440, amplitude=0.5), RATE)
    buf.end_turn()
    out = array("h", run_device(buf, 12, 480))
    left, right = out[0::2], out[1::2]
    assert left == right
    played = buf.stats().frames_played
    assert played == 4800  # 100 ms at 48 kHz
    assert max(left) > 0.45 * 32767
    assert buf.position().received == pytest.approx(0.1)


def test_soxr_backend_gives_the_same_length() -> None:
    pytest.importorskip("soxr")
    buf = PlaybackBuffer(16_000, target_latency_ms=0, resampler="soxr")
    buf.push(tone(0.25, RATE), RATE)
    buf.end_turn()
    run_device(buf, 30, 160)
    assert buf.stats().frames_played == 4000


@pytest.mark.parametrize(
    ("data", "rate", "error"),
    [
        (b"\x00", RATE, ValueError),  # odd byte count
        ("text", RATE, TypeError),
        (b"\x00\x00", 0, ValueError),
        (b"\x00\x00", 24000.0, TypeError),
    ],
)
def test_bad_input_is_a_typed_error(data: object, rate: object, error: type[Exception]) -> None:
    buf = PlaybackBuffer()
    with pytest.raises(error):
        buf.push(data, rate)  # type: ignore[arg-type]
    assert buf.stats().frames_played == 0


def test_bad_configuration_is_rejected() -> None:
    with pytest.raises(ValueError):
        PlaybackBuffer(0)
    with pytest.raises(ValueError):
        PlaybackBuffer(channels=0)
    with pytest.raises(ValueError):
        PlaybackBuffer(target_latency_ms=-1)
    with pytest.raises(ValueError):
        PlaybackBuffer(resampler="fast")  # type: ignore[arg-type]


def test_take_returns_what_is_playable_without_padding() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=40)
    buf.push(ramp(480))  # 20 ms: below the target
    assert buf.take(480) == b""
    buf.push(ramp(960, 481))
    assert buf.take(480) == ramp(480)
    assert buf.take(10_000) == ramp(960, 481)
    assert buf.take(10) == b""
    assert buf.stats().underruns == 0  # a self-paced sink never underruns
    assert not buf.finished
    buf.close()
    assert buf.finished


async def test_reader_waits_for_the_target_then_drains_and_ends_on_close() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=40)
    reader = PlaybackReader(buf)
    first = asyncio.create_task(reader.read(480))
    await asyncio.sleep(0)
    buf.push(ramp(480))  # 20 ms: not yet playable
    await asyncio.sleep(0)
    assert not first.done()
    buf.push(ramp(960, 481))
    async with asyncio.timeout(2):
        assert await first == ramp(480)
        buf.close()
        rest = b""
        while chunk := await reader.read(10_000):
            rest += chunk
    assert rest == ramp(960, 481)
    with pytest.raises(RuntimeError):
        buf.push(ramp(2))
    reader.close()


async def test_reader_is_woken_by_a_push_from_another_thread() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0, lock=threading.Lock())
    reader = PlaybackReader(buf)
    loop = asyncio.get_running_loop()
    pending = asyncio.create_task(reader.read(100))
    await asyncio.sleep(0)
    await loop.run_in_executor(None, buf.push, ramp(50))
    async with asyncio.timeout(2):
        assert await pending == ramp(50)


def test_local_barge_in_discards_the_rest_of_the_reply_until_the_service_confirms() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0)
    buf.push(ramp(4800))
    run_device(buf, 10)  # 100 ms heard
    local = buf.interrupt(discard_rest=True)  # the client's VAD heard the user
    assert (local.played, local.dropped) == (pytest.approx(0.1), pytest.approx(0.1))
    buf.push(ramp(2400))  # in flight before the service saw activityStart: never played
    assert buf.pull(PERIOD) == bytes(2 * PERIOD)
    assert buf.position().turn == 1
    final = buf.interrupt()  # the service's Interrupted
    assert (final.turn, final.played, final.dropped) == (1, pytest.approx(0.1), pytest.approx(0.2))
    buf.push(ramp(480))  # the next reply plays normally
    assert buf.position().turn == 2
    assert buf.pull(PERIOD) == ramp(PERIOD)


def test_end_turn_also_ends_discarding() -> None:
    buf = PlaybackBuffer(RATE, target_latency_ms=0)
    buf.push(ramp(480))
    buf.interrupt(discard_rest=True)
    buf.end_turn()  # TurnComplete without an Interrupted
    buf.push(ramp(480))
    assert buf.pull(480) == ramp(480)

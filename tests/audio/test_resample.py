"""Tests for gemini_live.audio.resample."""

from __future__ import annotations

import functools
import itertools
import math
import random

import pytest

from gemini_live.audio.pcm import decode_pcm16, encode_pcm16, rms_dbfs
from gemini_live.audio.resample import StreamingResampler, resample_pcm16


@functools.cache  # the same tones serve several tests
def _sine(freq: float, rate: int, seconds: float = 1.0, amplitude: float = 12_000) -> bytes:
    n = round(rate * seconds)
    return encode_pcm16(
        round(amplitude * math.sin(2 * math.pi * freq * i / rate)) for i in range(n)
    )


def _middle(pcm: bytes, fraction: float = 0.1) -> bytes:
    """Drop the edges, where the zero padding fades the signal in and out."""
    samples = len(pcm) // 2
    cut = int(samples * fraction)
    return pcm[2 * cut : 2 * (samples - cut)]


def _frequency(pcm: bytes, rate: int) -> float:
    samples = decode_pcm16(pcm)
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


def test_equal_rates_are_an_exact_identity() -> None:
    data = bytes(random.Random(1).randbytes(1000))
    out = resample_pcm16(data, 16_000, 16_000)
    assert out == data and type(out) is bytes
    assert resample_pcm16(bytearray(data), 24_000, 24_000) == data
    stream = StreamingResampler(16_000, 16_000)
    assert stream.process(data[:10]) + stream.process(data[10:]) + stream.flush() == data


@pytest.mark.parametrize(
    ("n", "from_rate", "to_rate"),
    [
        (0, 48_000, 16_000),
        (1, 48_000, 16_000),
        (2, 48_000, 16_000),
        (3, 48_000, 16_000),
        (1, 16_000, 24_000),
        (3, 16_000, 24_000),
        (16_000, 16_000, 24_000),
        (44_100, 44_100, 16_000),
        (1_000, 44_100, 16_000),
        (999, 22_050, 16_000),
        (777, 8_000, 48_000),
        (12_345, 24_000, 16_000),
        (10, 11_025, 44_100),
    ],
)
def test_output_length(n: int, from_rate: int, to_rate: int) -> None:
    out = resample_pcm16(bytes(2 * n), from_rate, to_rate)
    assert len(out) == 2 * round(n * to_rate / from_rate)


@pytest.mark.parametrize(
    ("from_rate", "to_rate"),
    [(48_000, 16_000), (16_000, 24_000), (44_100, 16_000), (24_000, 16_000), (8_000, 16_000)],
)
def test_440_hz_stays_440_hz(from_rate: int, to_rate: int) -> None:
    out = resample_pcm16(_sine(440, from_rate), from_rate, to_rate)
    assert _frequency(_middle(out), to_rate) == pytest.approx(440, abs=3)
    # The passband level is preserved too.
    assert rms_dbfs(_middle(out)) == pytest.approx(rms_dbfs(_sine(440, from_rate)), abs=0.1)


def test_downsampling_filters_what_would_alias() -> None:
    # 12 kHz is above the new 8 kHz Nyquist: naive decimation would fold it to 4 kHz intact.
    tone = _sine(12_000, 48_000)
    out = _middle(resample_pcm16(tone, 48_000, 16_000))
    assert rms_dbfs(out) < rms_dbfs(tone) - 50
    naive = encode_pcm16(decode_pcm16(tone)[::3])
    assert rms_dbfs(naive) > rms_dbfs(tone) - 1  # the failure mode the filter prevents


def test_speech_band_is_flat_when_downsampling() -> None:
    for freq in (200, 1_000, 3_000, 5_000):
        tone = _sine(freq, 48_000)
        out = _middle(resample_pcm16(tone, 48_000, 16_000))
        assert rms_dbfs(out) == pytest.approx(rms_dbfs(tone), abs=0.2), freq


def test_dc_is_preserved() -> None:
    out = decode_pcm16(_middle(resample_pcm16(encode_pcm16([1000] * 4800), 48_000, 16_000)))
    assert set(out) == {1000}
    out = decode_pcm16(_middle(resample_pcm16(encode_pcm16([-777] * 1600), 16_000, 24_000)))
    assert set(out) == {-777}


def test_overshoot_is_clipped() -> None:
    square = encode_pcm16(([32767] * 20 + [-32768] * 20) * 100)
    out = decode_pcm16(resample_pcm16(square, 16_000, 24_000))
    assert max(out) == 32767 and min(out) == -32768


@pytest.mark.parametrize(
    ("from_rate", "to_rate"),
    [(48_000, 16_000), (16_000, 24_000), (44_100, 16_000), (22_050, 16_000), (8_000, 11_025)],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_streaming_equals_one_shot(from_rate: int, to_rate: int, seed: int) -> None:
    rng = random.Random(seed)
    signal = encode_pcm16(rng.randint(-20_000, 20_000) for _ in range(rng.randint(500, 3000)))
    expected = resample_pcm16(signal, from_rate, to_rate)
    stream = StreamingResampler(from_rate, to_rate)
    out, pos = [], 0
    while pos < len(signal):
        size = 2 * rng.randint(0, 200)
        out.append(stream.process(signal[pos : pos + size]))
        pos += size
    out.append(stream.flush())
    assert b"".join(out) == expected


def test_streaming_emits_progressively_and_resets_on_flush() -> None:
    signal = _sine(440, 48_000, seconds=0.5)
    stream = StreamingResampler(48_000, 16_000)
    first = b"".join(
        stream.process(c) for c in (signal[i : i + 1920] for i in range(0, 48_000, 1920))
    )
    # Only a few samples are held back for the filter's look-ahead.
    assert len(first) >= len(signal) // 3 - 2 * 20
    tail = stream.flush()
    assert first + tail == resample_pcm16(signal, 48_000, 16_000)
    # After flush the resampler starts a new stream.
    assert stream.process(signal) + stream.flush() == first + tail
    stream.process(signal[:1000])
    stream.reset()
    assert stream.process(signal) + stream.flush() == first + tail
    assert (stream.from_rate, stream.to_rate) == (48_000, 16_000)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((b"abc", 16_000, 24_000), ValueError, "even"),
        (("abcd", 16_000, 24_000), TypeError, "bytes"),
        ((b"", 0, 24_000), ValueError, "from_rate"),
        ((b"", 16_000, -1), ValueError, "to_rate"),
        ((b"", 16_000.0, 24_000), TypeError, "from_rate"),
    ],
)
def test_validation(args: tuple[object, ...], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        resample_pcm16(*args)  # type: ignore[arg-type]


def test_streaming_rejects_odd_chunks() -> None:
    with pytest.raises(ValueError, match="even"):
        StreamingResampler(16_000, 24_000).process(b"\x00")

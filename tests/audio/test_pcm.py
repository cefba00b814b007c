"""Tests for gemini_live.audio.pcm."""

from __future__ import annotations

import math

import pytest

from gemini_live.audio import pcm
from gemini_live.audio.pcm import (
    audio_mime_type,
    chunk_pcm16,
    decode_pcm16,
    duration_seconds,
    encode_pcm16,
    is_jpeg,
    is_png,
    parse_audio_mime_rate,
    rms_dbfs,
    silence,
    stereo_to_mono,
    validate_pcm16,
)


def test_constants() -> None:
    assert (pcm.INPUT_RATE, pcm.OUTPUT_RATE) == (16_000, 24_000)
    assert (pcm.BYTES_PER_SAMPLE, pcm.CHANNELS) == (2, 1)


def test_audio_mime_type() -> None:
    assert audio_mime_type(16_000) == "audio/pcm;rate=16000"
    assert audio_mime_type(24_000) == "audio/pcm;rate=24000"


@pytest.mark.parametrize(
    ("rate", "error"),
    [(0, ValueError), (-8000, ValueError), ("16000", TypeError), (True, TypeError)],
)
def test_audio_mime_type_rejects_bad_rates(rate: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="rate"):
        audio_mime_type(rate)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("audio/pcm;rate=16000", 16000),
        ("audio/pcm; rate=24000", 24000),
        ("Audio/PCM;Rate=8000", 8000),
        ('audio/pcm;rate="44100"', 44100),
        ("audio/pcm;channels=1;rate=48000", 48000),
        ("audio/l16;rate=22050", 22050),
        ("audio/pcm", None),
        ("audio/pcm;rate=", None),
        ("audio/pcm;rate=abc", None),
        ("audio/pcm;rate=0", None),
        ("audio/pcm;rate=-16000", None),
        ("image/jpeg;rate=1", None),
        ("", None),
    ],
)
def test_parse_audio_mime_rate(mime: str, expected: int | None) -> None:
    assert parse_audio_mime_rate(mime) == expected


def test_mime_round_trip() -> None:
    for rate in (8000, 16000, 24000, 44100, 48000):
        assert parse_audio_mime_rate(audio_mime_type(rate)) == rate


@pytest.mark.parametrize("data", [b"", b"\x00\x01", bytearray(4), memoryview(b"\x00" * 6)])
def test_validate_accepts_whole_samples(data: bytes) -> None:
    validate_pcm16(data)


def test_validate_rejects_odd_length() -> None:
    with pytest.raises(ValueError, match=r"even number of bytes.*got 3 bytes"):
        validate_pcm16(b"abc")


@pytest.mark.parametrize("data", ["abcd", [0, 0], 123, None])
def test_validate_rejects_non_bytes(data: object) -> None:
    with pytest.raises(TypeError, match="bytes, bytearray or memoryview"):
        validate_pcm16(data)  # type: ignore[arg-type]


def test_encode_is_little_endian_and_clips() -> None:
    assert encode_pcm16([1, -2]) == b"\x01\x00\xfe\xff"
    assert encode_pcm16([40000, -40000]) == encode_pcm16([32767, -32768])
    assert list(decode_pcm16(encode_pcm16([0, 1, -1, 32767, -32768]))) == [
        0,
        1,
        -1,
        32767,
        -32768,
    ]
    assert list(decode_pcm16(memoryview(b"\x10\x00"))) == [16]


def test_chunking_sizes_and_content() -> None:
    data = bytes(range(256)) * 125  # 32000 bytes = 1 s at 16 kHz
    chunks = list(chunk_pcm16(data, 16_000))
    assert len(chunks) == 50 and {len(c) for c in chunks} == {640}
    assert b"".join(chunks) == data
    chunks = list(chunk_pcm16(data[:1000], 16_000, chunk_ms=10))
    assert [len(c) for c in chunks] == [320, 320, 320, 40]
    assert b"".join(chunks) == data[:1000]
    assert list(chunk_pcm16(b"", 16_000)) == []


def test_chunking_rounds_to_whole_samples() -> None:
    # 11025 Hz * 20 ms = 220.5 samples: rounded, never a half sample.
    chunks = list(chunk_pcm16(bytes(2000), 11_025))
    assert all(len(c) % 2 == 0 for c in chunks)
    assert len(chunks[0]) == 2 * round(220.5)
    assert len(next(chunk_pcm16(bytes(10), 1000, chunk_ms=0.1))) == 2  # at least one sample


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"chunk_ms": 0}, ValueError),
        ({"chunk_ms": -20}, ValueError),
        ({"chunk_ms": float("inf")}, ValueError),
        ({"chunk_ms": "20"}, TypeError),
        ({"rate": 0}, ValueError),
    ],
)
def test_chunking_validation(kwargs: dict[str, object], error: type[Exception]) -> None:
    args: dict[str, object] = {"rate": 16_000, **kwargs}
    with pytest.raises(error):
        list(chunk_pcm16(bytes(4), **args))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="even"):
        list(chunk_pcm16(bytes(3), 16_000))


def test_duration_seconds() -> None:
    assert duration_seconds(32_000, 16_000) == 1.0
    assert duration_seconds(48_000, 24_000) == 1.0
    assert duration_seconds(0, 16_000) == 0.0
    with pytest.raises(ValueError, match="nbytes"):
        duration_seconds(-2, 16_000)
    with pytest.raises(ValueError, match="rate"):
        duration_seconds(2, 0)


def _sine(amplitude: float, n: int = 16_000, period: int = 40) -> bytes:
    return encode_pcm16(round(amplitude * math.sin(2 * math.pi * i / period)) for i in range(n))


def test_rms_dbfs_levels() -> None:
    assert rms_dbfs(b"") == -math.inf
    assert rms_dbfs(bytes(100)) == -math.inf
    assert rms_dbfs(encode_pcm16([32767, -32768] * 100)) == pytest.approx(0.0, abs=0.001)
    assert rms_dbfs(_sine(32767)) == pytest.approx(-3.01, abs=0.02)
    assert rms_dbfs(_sine(32767)) - rms_dbfs(_sine(16383.5)) == pytest.approx(6.02, abs=0.02)


def test_stereo_to_mono() -> None:
    stereo = encode_pcm16([100, 200, -100, -300, 32767, 32767, -32768, -32768, 1, 2])
    assert list(decode_pcm16(stereo_to_mono(stereo))) == [150, -200, 32767, -32768, 1]
    assert stereo_to_mono(b"") == b""
    with pytest.raises(ValueError, match="4 bytes"):
        stereo_to_mono(bytes(6))
    with pytest.raises(TypeError):
        stereo_to_mono("abcd")  # type: ignore[arg-type]


def test_silence() -> None:
    assert silence(20, 16_000) == bytes(640)
    assert silence(0, 24_000) == b""
    assert silence(1.5, 16_000) == bytes(48)
    with pytest.raises(ValueError, match="ms"):
        silence(-1, 16_000)
    with pytest.raises(ValueError, match="rate"):
        silence(10, 0)


@pytest.mark.parametrize(
    ("data", "jpeg", "png"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", True, False),
        (bytearray(b"\xff\xd8\xff\xdb"), True, False),
        (memoryview(b"\xff\xd8\xff"), True, False),
        (b"\x89PNG\r\n\x1a\n\x00\x00", False, True),
        (memoryview(b"\x89PNG\r\n\x1a\n"), False, True),
        (b"\xff\xd8", False, False),
        (b"\x89PNG", False, False),
        (b"GIF89a", False, False),
        (b"", False, False),
    ],
)
def test_image_sniffing(data: bytes, jpeg: bool, png: bool) -> None:
    assert is_jpeg(data) is jpeg
    assert is_png(data) is png

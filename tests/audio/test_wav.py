"""Tests for gemini_live.audio.wav; fixtures are written into tmp_path."""

from __future__ import annotations

import io
import itertools
import math
import random
import struct
import wave
from pathlib import Path

import pytest

from gemini_live.audio.pcm import decode_pcm16, encode_pcm16
from gemini_live.audio.resample import resample_pcm16
from gemini_live.audio.wav import WavInfo, read_wav_as_pcm16, wav_info, write_wav_pcm16


def _base_signal(n: int = 1600, *, coarse: bool = False) -> list[int]:
    """A 440 Hz tone at 16 kHz; ``coarse`` keeps it representable in 8 bits."""
    values = [round(20_000 * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(n)]
    return [v - v % 256 for v in values] if coarse else values


def _encode(sample: int, width: int, rng: random.Random) -> bytes:
    """One 16-bit value as a ``width``-byte WAV sample, with random bits below the top 16."""
    if width == 1:
        return bytes([(sample >> 8) + 128])
    low_bits = 8 * (width - 2)
    value = (sample << low_bits) | rng.getrandbits(low_bits) if low_bits else sample
    return value.to_bytes(width, "little", signed=True)


def _write_fixture(path: Path, lanes: list[list[int]], width: int, rate: int) -> None:
    rng = random.Random(width)
    frames = b"".join(
        b"".join(_encode(lane[i], width, rng) for lane in lanes) for i in range(len(lanes[0]))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(len(lanes))
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)


def _riff(fmt: bytes, data: bytes, *, extra_chunks: bytes = b"") -> bytes:
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra_chunks
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _fmt(tag: int, channels: int, rate: int, bits: int, block_align: int) -> bytes:
    return struct.pack("<HHIIHH", tag, channels, rate, rate * block_align, block_align, bits)


def _extensible(channels: int, rate: int, bits: int, container: int, sub_tag: int) -> bytes:
    block_align = channels * container
    guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    return (
        _fmt(0xFFFE, channels, rate, 8 * container, block_align)
        + struct.pack("<HHI", 22, bits, 0)
        + struct.pack("<H", sub_tag)
        + guid_tail
    )


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_round_trip_every_depth_and_channel_count(
    tmp_path: Path, width: int, channels: int
) -> None:
    signal = _base_signal(coarse=width == 1)
    path = tmp_path / f"w{width}c{channels}.wav"
    _write_fixture(path, [signal] * channels, width, 16_000)
    assert read_wav_as_pcm16(path) == encode_pcm16(signal)
    assert read_wav_as_pcm16(str(path)) == encode_pcm16(signal)
    info = wav_info(path)
    assert info == WavInfo(
        sample_rate=16_000, channels=channels, bits_per_sample=8 * width, frames=1600, format_tag=1
    )
    assert info.duration_seconds == pytest.approx(0.1)
    assert info.is_integer_pcm


def test_stereo_is_averaged(tmp_path: Path) -> None:
    path = tmp_path / "lr.wav"
    _write_fixture(path, [[1000, -3, 32767], [3000, 0, -32768]], 2, 16_000)
    assert list(decode_pcm16(read_wav_as_pcm16(path))) == [2000, -2, -1]


def test_multichannel_is_averaged(tmp_path: Path) -> None:
    path = tmp_path / "quad.wav"
    _write_fixture(path, [[400], [800], [-400], [0]], 2, 16_000)
    assert list(decode_pcm16(read_wav_as_pcm16(path))) == [200]


@pytest.mark.parametrize(("rate", "target"), [(48_000, 16_000), (44_100, 16_000), (16_000, 24_000)])
def test_any_rate_is_resampled(tmp_path: Path, rate: int, target: int) -> None:
    n = rate // 2
    tone = [round(15_000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n)]
    path = tmp_path / "tone.wav"
    _write_fixture(path, [tone, tone], 2, rate)
    out = read_wav_as_pcm16(path, target_rate=target)
    assert out == resample_pcm16(encode_pcm16(tone), rate, target)
    assert len(out) == 2 * round(n * target / rate)
    samples = decode_pcm16(out)[target // 20 : -target // 20]
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    assert crossings / 2 / (len(samples) / target) == pytest.approx(440, abs=4)


def test_extensible_24_bit(tmp_path: Path) -> None:
    signal = [0, 1, -1, 32767, -32768, 1234]
    data = b"".join((s << 8 | 0x7F).to_bytes(3, "little", signed=True) for s in signal)
    path = tmp_path / "ext.wav"
    path.write_bytes(_riff(_extensible(1, 16_000, 24, 3, 0x0001), data))
    assert list(decode_pcm16(read_wav_as_pcm16(path))) == signal
    assert wav_info(path).format_tag == 1


def test_file_objects_and_odd_chunks() -> None:
    data = encode_pcm16([5, -5, 7])
    # An odd-sized LIST chunk before the data must be skipped with its pad byte.
    odd = b"LIST" + struct.pack("<I", 3) + b"abc\x00"
    raw = _riff(_fmt(1, 1, 16_000, 16, 2), data, extra_chunks=odd)
    assert read_wav_as_pcm16(io.BytesIO(raw)) == data


def test_truncated_data_keeps_whole_frames() -> None:
    raw = _riff(_fmt(1, 2, 16_000, 16, 4), encode_pcm16([10, 20, 30, 40, 50, 60]))
    # Cut mid-frame: the claimed data size is now too large and the last frame is partial.
    assert list(decode_pcm16(read_wav_as_pcm16(io.BytesIO(raw[:-6])))) == [15]
    assert wav_info(io.BytesIO(raw[:-6])).frames == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"'.*bad\.wav' is empty"),
        (b"hello, this is text", r"'.*bad\.wav' is not a WAV file"),
        (b"RIFX\x00\x00\x00\x00WAVE", r"'.*bad\.wav' is not an RF64/RIFX WAV"),
        (_riff(_fmt(3, 1, 16_000, 32, 4), bytes(8)), r"'.*bad\.wav' is IEEE float"),
        (_riff(_fmt(7, 1, 8_000, 8, 1), bytes(8)), r"'.*bad\.wav' is mu-law"),
        (_riff(_fmt(0x55, 1, 8_000, 0, 1), bytes(8)), r"is MP3"),
        (_riff(_fmt(0x1234, 1, 8_000, 16, 2), bytes(8)), r"is format 0x1234"),
        (_riff(_extensible(1, 16_000, 32, 4, 3), bytes(8)), r"is IEEE float"),
        (_riff(_fmt(1, 1, 16_000, 64, 8), bytes(16)), r"64-bit samples"),
        (_riff(_fmt(1, 1, 16_000, 16, 2), b""), r"'.*bad\.wav' contains no audio frames"),
        (_riff(_fmt(1, 0, 16_000, 16, 2), bytes(4)), r"invalid header: 0 channels"),
        (_riff(b"\x01\x00", bytes(4)), r"no usable 'fmt ' chunk"),
        (_riff(_fmt(1, 1, 16_000, 16, 2), b"")[:-8], r"no 'data' chunk"),
    ],
)
def test_errors_name_the_file(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_wav_as_pcm16(path)


def test_file_object_errors() -> None:
    with pytest.raises(ValueError, match="'<file object>' is empty"):
        read_wav_as_pcm16(io.BytesIO(b""))
    with pytest.raises(TypeError, match="binary mode"):
        read_wav_as_pcm16(io.StringIO("RIFF"))  # type: ignore[arg-type]


def test_target_rate_validation(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="target_rate"):
        read_wav_as_pcm16(tmp_path / "x.wav", target_rate=0)


def test_wav_info_reads_any_format() -> None:
    info = wav_info(io.BytesIO(_riff(_fmt(3, 2, 48_000, 32, 8), bytes(80))))
    assert info == WavInfo(
        sample_rate=48_000, channels=2, bits_per_sample=32, frames=10, format_tag=3
    )
    assert not info.is_integer_pcm


def test_write_then_read_with_wave(tmp_path: Path) -> None:
    pcm = encode_pcm16(_base_signal(480))
    path = tmp_path / "out.wav"
    write_wav_pcm16(path, pcm)
    with wave.open(str(path), "rb") as check:
        assert (check.getnchannels(), check.getsampwidth(), check.getframerate()) == (1, 2, 24_000)
        assert check.getnframes() == 480
        assert check.readframes(480) == pcm
    assert read_wav_as_pcm16(path, target_rate=24_000) == pcm
    write_wav_pcm16(str(path), pcm[:4], rate=16_000)
    assert wav_info(path) == WavInfo(16_000, 1, 16, 2, 1)


def test_write_to_file_object_leaves_it_open() -> None:
    buffer = io.BytesIO()
    buffer.write(b"prefix")
    write_wav_pcm16(buffer, bytearray(b"\x01\x00\x02\x00"), rate=8_000)
    assert not buffer.closed
    raw = buffer.getvalue()
    assert raw.startswith(b"prefixRIFF")
    assert read_wav_as_pcm16(io.BytesIO(raw[6:]), target_rate=8_000) == b"\x01\x00\x02\x00"


@pytest.mark.parametrize(
    ("pcm", "rate", "error"),
    [(b"abc", 24_000, ValueError), ("ab", 24_000, TypeError), (b"ab", 0, ValueError)],
)
def test_write_validation(tmp_path: Path, pcm: object, rate: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        write_wav_pcm16(tmp_path / "x.wav", pcm, rate)  # type: ignore[arg-type]
    assert not (tmp_path / "x.wav").exists()

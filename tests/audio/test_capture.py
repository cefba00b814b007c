"""CaptureConverter and HalfDuplex: any device format to exact 20 ms PCM16 chunks; gating."""

from __future__ import annotations

import math
from array import array

import pytest

from gemini_live.audio.capture import CaptureConverter, HalfDuplex
from gemini_live.audio.pcm import decode_pcm16, rms_dbfs
from gemini_live.audio.synth import tone


def sine_float32(seconds: float, rate: int, channels: int, freq: float = 440.0) -> bytes:
    n = round(seconds * rate)
    frames = [0.5 * math.sin(2 * math.pi * freq * i / rate) for i in range(n)]
    return array("f", [x for x in frames for _ in range(channels)]).tobytes()


@pytest.mark.parametrize("backend", ["builtin", "soxr"])
def test_48k_stereo_float_becomes_20ms_mono_chunks_at_16k(backend: str) -> None:
    if backend == "soxr":
        pytest.importorskip("soxr")
    conv = CaptureConverter(
        48_000, channels=2, sample_format="float32", resampler=backend  # type: ignore[arg-type]
    )
    data = sine_float32(1.0, 48_000, 2)
    chunks: list[bytes] = []
    # Odd block sizes, as drivers deliver them (in whole frames).
    step = 8 * 441
    for i in range(0, len(data), step):
        chunks += conv.push(data[i : i + step])
    chunks += conv.flush()
    assert {len(c) for c in chunks} == {640}  # 320 samples = 20 ms at 16 kHz
    assert len(chunks) == 50
    level = rms_dbfs(b"".join(chunks[5:-5]))
    assert level == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.3)


def test_int16_mono_at_the_target_rate_passes_through_exactly() -> None:
    conv = CaptureConverter(16_000)
    pcm = tone(0.1, 16_000)
    chunks = conv.push(pcm[:1000]) + conv.push(pcm[1000:])
    assert b"".join(chunks) == pcm
    assert conv.frames_in == 1600


@pytest.mark.parametrize(
    ("fmt", "raw", "expected"),
    [
        ("int32", array("i", [1 << 30, -(1 << 30)]).tobytes(), [16384, -16384]),
        ("int8", array("b", [64, -64]).tobytes(), [16384, -16384]),
        ("uint8", bytes([192, 64]), [16384, -16384]),
        ("float32", array("f", [2.0, -2.0]).tobytes(), [32767, -32767]),  # clipped
    ],
)
def test_sample_formats(fmt: str, raw: bytes, expected: list[int]) -> None:
    conv = CaptureConverter(16_000, sample_format=fmt, chunk_ms=5)  # type: ignore[arg-type]
    conv.push(raw)
    assert list(decode_pcm16(conv.flush()[0]))[:2] == expected


def test_channels_are_averaged() -> None:
    conv = CaptureConverter(16_000, channels=2, chunk_ms=5)
    (chunk,) = conv.push(array("h", [1000, 3000] * 80).tobytes())
    assert set(decode_pcm16(chunk)) == {2000}
    assert conv.flush() == []


def test_bad_blocks_are_typed_errors_and_consume_nothing() -> None:
    conv = CaptureConverter(16_000, channels=2)
    with pytest.raises(ValueError, match="whole frames of 4 bytes"):
        conv.push(b"\x00" * 6)
    with pytest.raises(TypeError, match="buffer"):
        conv.push("audio")
    assert conv.frames_in == 0
    with pytest.raises(ValueError):
        CaptureConverter(16_000, sample_format="float64")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CaptureConverter(0)


def test_half_duplex_mutes_while_speaking_and_for_the_release() -> None:
    speaking = [False]
    gate = HalfDuplex(lambda: speaking[0], release_ms=40)
    chunk = tone(0.02, 16_000)
    assert gate.admit(chunk) == chunk
    speaking[0] = True
    assert gate.admit(chunk) == bytes(len(chunk))
    speaking[0] = False
    # 40 ms of release = two more 20 ms chunks of silence, then the microphone again.
    assert [gate.admit(chunk) == chunk for _ in range(3)] == [False, False, True]
    assert gate.muted_chunks == 3


@pytest.mark.parametrize("fmt", ["int16", "int32", "float32", "int8", "uint8"])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_the_numpy_path_gives_exactly_the_pure_result(fmt: str, channels: int) -> None:
    pytest.importorskip("numpy")
    from gemini_live.audio.capture import SAMPLE_FORMATS, to_mono_pcm16

    rng = __import__("random").Random(5)
    n = 301 * channels
    if fmt == "float32":
        raw = array("f", [rng.uniform(-1.3, 1.3) for _ in range(n)]).tobytes()
    else:
        raw = bytes(rng.getrandbits(8) for _ in range(n * SAMPLE_FORMATS[fmt]))
    fast = to_mono_pcm16(raw, fmt, channels)
    assert fast == to_mono_pcm16(raw, fmt, channels, fast=False)
    assert len(fast) == 2 * 301

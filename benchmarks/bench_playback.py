"""Playback buffer cost: CPU per second of model audio, from AudioChunk bytes to device periods.

Run ``python benchmarks/bench_playback.py``. 60 s of model audio (24 kHz PCM16 mono, in the
service's 40 ms chunks) is pushed into a :class:`~gemini_live.audio.playback.PlaybackBuffer`
and pulled by a simulated device in 10 ms periods, interleaved as in real life (one chunk in,
four periods out), with a barge-in flush every 10 s. It prints process time per second of audio
(best of 3) for the sink formats that matter:

* 24 kHz mono: the model's own format (no conversion: the buffer's floor cost);
* 48 kHz stereo, the usual device format, with the ``soxr`` backend (when installed) and with the
  built-in pure-Python resampler.

It also prints the other direction, the microphone path: 60 s of 48 kHz stereo ``float32``
device blocks (10 ms each) decoded, averaged to mono and resampled to 16 kHz as
:class:`~gemini_live.audio.capture.CaptureConverter` does, with numpy + ``soxr`` (the
``[audio]`` extra) and in pure Python.
"""

from __future__ import annotations

import math
import time
from array import array

from gemini_live.audio.backends import create_resampler, soxr_available
from gemini_live.audio.capture import to_mono_pcm16
from gemini_live.audio.playback import PlaybackBuffer
from gemini_live.audio.synth import synthesize

__all__ = ["main"]

SECONDS = 60
CHUNK = 960 * 2  # 40 ms at 24 kHz


def workload(buffer: PlaybackBuffer, audio: bytes) -> None:
    period = buffer.sink_rate // 100
    chunks_per_flush = 250  # 10 s
    for n, i in enumerate(range(0, len(audio), CHUNK), 1):
        buffer.push(audio[i : i + CHUNK])
        for _ in range(4):
            buffer.pull(period)
        if n % chunks_per_flush == 0:
            buffer.interrupt()
    buffer.end_turn()


def measure(rate: int, channels: int, backend: str) -> float:
    speech = synthesize("the quick brown fox jumps over the lazy dog", 24_000)
    audio = (speech * (SECONDS * 48_000 // len(speech) + 1))[: SECONDS * 48_000]
    best = float("inf")
    for _ in range(3):
        buffer = PlaybackBuffer(rate, channels, resampler=backend)  # type: ignore[arg-type]
        start = time.process_time()
        workload(buffer, audio)
        best = min(best, time.process_time() - start)
    stats = buffer.stats()
    assert stats.overruns == 0, stats
    return best / SECONDS * 1000


def measure_capture(fast: bool) -> float:
    """The work CaptureConverter does per block: decode + downmix, then resample."""
    block = array("f", [0.3 * math.sin(i / 7.0) for i in range(480 * 2)]).tobytes()  # 10 ms
    best = float("inf")
    for _ in range(3):
        resampler = create_resampler(48_000, 16_000, backend="soxr" if fast else "builtin")
        start = time.process_time()
        for _ in range(SECONDS * 100):
            resampler.process(to_mono_pcm16(block, "float32", 2, fast=fast))
        best = min(best, time.process_time() - start)
    return best / SECONDS * 1000


def main() -> None:
    print(f"{'sink':>16} {'resampler':>10} {'CPU ms per s of audio':>22}")
    print(f"{'24 kHz mono':>16} {'none':>10} {measure(24_000, 1, 'builtin'):>22.3f}")
    if soxr_available():
        print(f"{'48 kHz stereo':>16} {'soxr':>10} {measure(48_000, 2, 'soxr'):>22.3f}")
    else:
        print("soxr not installed: pip install 'gemini-live[audio]'")
    print(f"{'48 kHz stereo':>16} {'builtin':>10} {measure(48_000, 2, 'builtin'):>22.3f}")
    print()
    print("microphone: 48 kHz stereo float32 -> 16 kHz mono PCM16, CPU ms per s of audio")
    if soxr_available():
        print(f"{'numpy + soxr':>27} {measure_capture(True):>10.3f}")
    print(f"{'pure Python':>27} {measure_capture(False):>10.3f}")


if __name__ == "__main__":
    main()

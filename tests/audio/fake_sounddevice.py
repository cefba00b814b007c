"""A stand-in for the ``sounddevice`` module: streams that call back from their own thread.

Behaves like the real module where the adapters care: ``query_devices(device, kind)`` returns a
device dict (or raises ``PortAudioError``), ``RawInputStream``/``RawOutputStream`` take
``callback``/``finished_callback``, ``start``/``stop``/``close``, and callbacks get a buffer,
a frame count, a time object and flags with ``input_overflow``/``output_underflow``. The test
decides the blocks, the flags and when the device vanishes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["STREAM_ARGS", "FakeSoundDevice", "Flags"]


class PortAudioError(Exception):
    pass


@dataclass
class Flags:
    input_overflow: bool = False
    output_underflow: bool = False


# sounddevice 0.5's Raw*Stream keyword arguments: anything else is a TypeError, as there.
STREAM_ARGS = (
    "samplerate",
    "blocksize",
    "device",
    "channels",
    "dtype",
    "latency",
    "extra_settings",
    "callback",
    "finished_callback",
    "clip_off",
    "dither_off",
    "never_drop_input",
    "prime_output_buffers_using_stream_callback",
)


class _Stream:
    def __init__(self, owner: FakeSoundDevice, kind: str, **kwargs: Any) -> None:
        unknown = set(kwargs) - set(STREAM_ARGS)
        if unknown:
            raise TypeError(f"unexpected keyword arguments {sorted(unknown)}")
        if owner.refuse_open:
            raise PortAudioError("Invalid sample rate [PaErrorCode -9997]")
        self.kwargs = kwargs
        self.kind = kind
        self.callback = kwargs["callback"]
        self.finished_callback = kwargs.get("finished_callback")
        self.active = False
        self.closed = False
        owner.streams.append(self)

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True

    def _in_thread(self, fn: Any) -> None:
        # PortAudio calls back on its own thread; so does the fake.
        t = threading.Thread(target=fn)
        t.start()
        t.join(timeout=5)

    def deliver(self, blocks: list[bytes], flags: list[Flags] | None = None) -> None:
        """Input: call the callback once per block, from a driver thread."""
        frame = self.kwargs["channels"] * {"int16": 2, "int32": 4, "float32": 4}[
            self.kwargs["dtype"]
        ]

        def run() -> None:
            for i, block in enumerate(blocks):
                status = flags[i] if flags else Flags()
                self.callback(memoryview(block), len(block) // frame, None, status)

        self._in_thread(run)

    def render(self, frames: int, periods: int, flags: Flags | None = None) -> list[bytes]:
        """Output: ask the callback for ``frames`` frames, ``periods`` times."""
        out: list[bytes] = []
        size = frames * self.kwargs["channels"] * 2

        def run() -> None:
            for _ in range(periods):
                buf = bytearray(size)
                self.callback(memoryview(buf), frames, None, flags or Flags())
                out.append(bytes(buf))

        self._in_thread(run)
        return out

    def vanish(self) -> None:
        """The device disappears: PortAudio ends the stream and calls finished_callback."""
        self.active = False
        if self.finished_callback is not None:
            self._in_thread(self.finished_callback)


class FakeSoundDevice:
    PortAudioError = PortAudioError

    def __init__(
        self,
        *,
        input_rate: int = 48_000,
        output_rate: int = 48_000,
        input_channels: int = 2,
        output_channels: int = 2,
        has_input: bool = True,
    ) -> None:
        self.input_rate = input_rate
        self.output_rate = output_rate
        self.input_channels = input_channels
        self.output_channels = output_channels
        self.has_input = has_input
        self.refuse_open = False
        self.streams: list[_Stream] = []

    def query_devices(self, device: Any = None, kind: str | None = None) -> dict[str, Any]:
        if kind == "input" and not self.has_input:
            raise PortAudioError("Error querying device -1")
        if device not in (None, 0, "fake"):
            raise ValueError(f"No {kind} device matching {device!r}")
        return {
            "name": "fake",
            "max_input_channels": self.input_channels,
            "max_output_channels": self.output_channels,
            "default_samplerate": float(
                self.input_rate if kind == "input" else self.output_rate
            ),
        }

    def RawInputStream(self, **kwargs: Any) -> _Stream:
        return _Stream(self, "input", **kwargs)

    def RawOutputStream(self, **kwargs: Any) -> _Stream:
        return _Stream(self, "output", **kwargs)

"""Microphone and Speaker over a fake sounddevice whose streams call back from a driver thread."""

from __future__ import annotations

import asyncio
import inspect
import math
import sys
import threading
from array import array

import pytest

from gemini_live.audio.capture import HalfDuplex
from gemini_live.audio.playback import PlaybackBuffer
from gemini_live.audio.synth import tone
from gemini_live.errors import AudioDeviceError
from gemini_live.media import Microphone, Speaker, devices, require_sounddevice
from tests.audio.fake_sounddevice import STREAM_ARGS, FakeSoundDevice, Flags


def stereo_int16_sine(seconds: float, rate: int) -> bytes:
    n = round(seconds * rate)
    return array(
        "h", [int(8000 * math.sin(2 * math.pi * 300 * i / rate)) for i in range(n) for _ in "LR"]
    ).tobytes()


async def take(mic: Microphone, n: int) -> list[bytes]:
    out: list[bytes] = []
    async with asyncio.timeout(5):
        async for chunk in mic:
            out.append(chunk)
            if len(out) == n:
                break
    return out


async def test_microphone_yields_20ms_16k_chunks_from_a_48k_stereo_device() -> None:
    sd = FakeSoundDevice(input_rate=48_000, input_channels=2)
    async with Microphone(channels=2, backend=sd) as mic:
        (stream,) = sd.streams
        assert stream.kwargs["samplerate"] == 48_000
        assert stream.kwargs["dtype"] == "int16"
        assert stream.active
        audio = stereo_int16_sine(0.5, 48_000)
        block = 4 * 512  # 512 frames per callback, as a driver might use
        stream.deliver([audio[i : i + block] for i in range(0, len(audio), block)])
        chunks = await take(mic, 24)
    assert {len(c) for c in chunks} == {640}
    assert mic.device_rate == 48_000
    assert stream.closed


async def test_input_overflow_flags_are_counted() -> None:
    sd = FakeSoundDevice(input_channels=1, input_rate=16_000)
    async with Microphone(backend=sd) as mic:
        block = tone(0.02, 16_000)
        sd.streams[0].deliver([block] * 3, [Flags(), Flags(input_overflow=True), Flags()])
        await take(mic, 3)
    assert mic.overflows == 1


async def test_a_slow_consumer_loses_the_oldest_chunks_counted() -> None:
    sd = FakeSoundDevice(input_channels=1, input_rate=16_000)
    async with Microphone(backend=sd, max_queued_chunks=4) as mic:
        blocks = [tone(0.02, 16_000, frequency=200 + 50 * i) for i in range(10)]
        sd.streams[0].deliver(blocks)
        got = await take(mic, 4)
    assert mic.dropped_chunks == 6
    assert got == blocks[6:]


async def test_half_duplex_gate_mutes_the_microphone_while_the_model_speaks() -> None:
    sd = FakeSoundDevice(input_channels=1, input_rate=16_000)
    gate = HalfDuplex(lambda: True)
    async with Microphone(backend=sd, half_duplex=gate) as mic:
        sd.streams[0].deliver([tone(0.02, 16_000)] * 2)
        got = await take(mic, 2)
    assert got == [bytes(640)] * 2


async def test_a_vanishing_device_raises_a_device_error_from_the_iterator() -> None:
    sd = FakeSoundDevice(input_channels=1, input_rate=16_000)
    async with Microphone(backend=sd) as mic:
        sd.streams[0].deliver([tone(0.02, 16_000)])
        sd.streams[0].vanish()
        got: list[bytes] = []
        with pytest.raises(AudioDeviceError, match="disconnected"):
            async with asyncio.timeout(5):
                async for chunk in mic:
                    got.append(chunk)
    assert len(got) == 1  # the audio before the failure is still delivered


async def test_a_silent_device_is_reported_after_the_stall_timeout() -> None:
    sd = FakeSoundDevice(input_channels=1)
    async with Microphone(backend=sd, stall_timeout=0.05) as mic:
        with pytest.raises(AudioDeviceError, match="no audio from the microphone"):
            await take(mic, 1)


async def test_missing_or_unusable_devices_give_one_clear_error() -> None:
    with pytest.raises(AudioDeviceError, match="no usable default input device"):
        Microphone(backend=FakeSoundDevice(has_input=False)).start()
    with pytest.raises(AudioDeviceError, match="no usable device 'usb mic'"):
        Microphone(device="usb mic", backend=FakeSoundDevice()).start()
    with pytest.raises(AudioDeviceError, match="3 requested"):
        Microphone(channels=3, backend=FakeSoundDevice()).start()
    refusing = FakeSoundDevice()
    refusing.refuse_open = True
    with pytest.raises(AudioDeviceError, match="could not open the speaker"):
        Speaker(backend=refusing).start()


def test_missing_portaudio_or_sounddevice_is_one_device_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_portaudio(name: str) -> object:
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(devices.importlib, "import_module", no_portaudio)
    with pytest.raises(AudioDeviceError, match="libportaudio2"):
        require_sounddevice()

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails: not installed
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(AudioDeviceError, match=r"gemini-live\[audio\]"):
        require_sounddevice()


async def test_speaker_plays_the_buffer_at_the_device_rate_and_stops_within_a_period() -> None:
    sd = FakeSoundDevice(output_rate=48_000, output_channels=2)
    async with Speaker(backend=sd, target_latency_ms=0) as speaker:
        (stream,) = sd.streams
        assert stream.kwargs["samplerate"] == 48_000
        assert stream.kwargs["channels"] == 2
        assert stream.kwargs["blocksize"] == 960  # 20 ms periods
        assert stream.kwargs["latency"] == "low"
        assert stream.kwargs["dtype"] == "int16"
        buffer = speaker.buffer
        buffer.push(tone(1.0, 24_000, amplitude=0.5), 24_000)
        played = stream.render(960, 10, Flags(output_underflow=True))
        assert all(max(array("h", p)) > 10_000 for p in played[1:])
        report = buffer.interrupt()
        after = stream.render(960, 1)
    assert report.played == pytest.approx(0.2)
    assert report.dropped == pytest.approx(0.8, abs=0.01)
    assert after == [bytes(960 * 4)]
    assert speaker.device_underflows == 10


async def test_speaker_device_failure_is_kept_and_raised_by_watch() -> None:
    sd = FakeSoundDevice()
    speaker = Speaker(PlaybackBuffer(48_000, 2, lock=threading.Lock()), backend=sd)
    speaker.start()
    watcher = asyncio.create_task(speaker.watch())
    await asyncio.sleep(0)
    assert not watcher.done()
    sd.streams[0].vanish()
    assert isinstance(speaker.error, AudioDeviceError)
    with pytest.raises(AudioDeviceError, match="speaker stream stopped"):
        async with asyncio.timeout(5):
            await watcher
    speaker.close()


async def test_closing_the_speaker_is_not_a_failure() -> None:
    sd = FakeSoundDevice()
    speaker = Speaker(PlaybackBuffer(48_000, 2, lock=threading.Lock()), backend=sd)
    speaker.start()
    speaker.close()
    sd.streams[0].vanish()  # PortAudio reports the end of a stream we stopped ourselves
    assert speaker.error is None


def test_the_fake_accepts_exactly_what_the_real_sounddevice_accepts() -> None:
    try:
        import sounddevice as sd
    except (ImportError, OSError):  # not installed, or no PortAudio library
        pytest.skip("the real sounddevice is not usable here")
    for factory in (sd.RawInputStream, sd.RawOutputStream):
        params = [p for p in inspect.signature(factory.__init__).parameters if p != "self"]
        assert tuple(params) == STREAM_ARGS


def test_a_speaker_refuses_a_buffer_without_a_lock() -> None:
    with pytest.raises(ValueError, match=r"lock=threading\.Lock"):
        Speaker(PlaybackBuffer(48_000, 2), backend=FakeSoundDevice())

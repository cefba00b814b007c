"""Fault injection knobs."""

from __future__ import annotations

import asyncio
import base64
import json
import os

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from gemini_live.audio.synth import tone
from gemini_live.testing.emulator import Emulator, Fault
from tests.testing.emu_client import RawClient, kinds

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}
UPDATE = {"contextUpdate": {"systemInstruction": {"parts": [{"text": "x"}]}}}


async def open_session(emu: Emulator, **setup: object) -> RawClient:
    client = await RawClient.open(emu.url_for())
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def test_close_after_n_client_messages(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.close(1011, "boom", after_client_messages=2))
    client = await open_session(live_emulator)
    await client.send(UPDATE)
    await client.send(UPDATE)
    assert await client.expect_close() == (1011, "boom")
    assert [m.index for m in live_emulator.last_session.consumed] == [0, 1, 2]
    assert [f.name for f in live_emulator.faults.injected] == ["close"]
    # The next attempt is clean.
    client = await open_session(live_emulator)
    await client.send(UPDATE)
    await client.send(UPDATE)
    await client.text("ok")
    assert (await client.turn())[-1]["serverContent"]["turnComplete"]
    await client.close()


async def test_close_after_n_server_frames_and_during_setup(live_emulator: Emulator) -> None:
    live_emulator.faults.next(Fault.close(1011, "after one", after_server_frames=1))
    live_emulator.faults.next(Fault.close(1011, "in setup"))
    client = await open_session(live_emulator)
    assert await client.expect_close() == (1011, "after one")
    client = await RawClient.open(live_emulator.url_for())
    await client.send({"setup": {"model": "models/gemini-3.8-live"}})
    assert await client.expect_close() == (1011, "in setup")
    assert client.frames == []
    assert live_emulator.faults.pending == 0


async def test_close_mid_turn(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.close(1011, "Internal error occurred.", at="mid_turn"))
    client = await open_session(live_emulator, **TEXT)
    await client.text("hello there")
    code, _ = await client.expect_close()
    assert code == 1011
    assert kinds(client.frames) == ["setupComplete", "text"]


async def test_abort_mid_audio(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.abort(at="mid_audio"))
    client = await open_session(live_emulator)
    pcm = tone(0.2)
    with pytest.raises(ConnectionClosedError) as info:
        async with asyncio.timeout(3):
            for i in range(0, len(pcm), 1280):
                await client.audio(pcm[i : i + 1280])
            await client.ws.recv()
    assert info.value.rcvd is None  # no close frame: 1006 for the client
    assert live_emulator.faults.count("abort") == 1


async def test_delay_and_never_setup_complete(live_emulator: Emulator) -> None:
    live_emulator.faults.next(Fault.delay_setup_complete(0.3))
    live_emulator.faults.next(Fault.no_setup_complete())
    loop = asyncio.get_running_loop()
    start = loop.time()
    client = await open_session(live_emulator)
    assert loop.time() - start >= 0.3
    await client.close()
    client = await RawClient.open(live_emulator.url_for())
    await client.send({"setup": {"model": "models/gemini-3.8-live"}})
    with pytest.raises(TimeoutError):
        await client.recv(timeout=0.3)
    await client.close()


async def test_malformed_unknown_and_go_away_frames(live_emulator: Emulator) -> None:
    live_emulator.inject(
        Fault.malformed_frame(),
        Fault.unknown_message(after_server_frames=1),
        Fault.go_away(5.0, at="turn_complete"),
    )
    client = await open_session(live_emulator, **TEXT)
    async with asyncio.timeout(3):
        raw = [await client.ws.recv() for _ in range(2)]
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw[0] if "not json" in raw[0] else raw[1])
    unknown = json.loads(raw[1] if "not json" in raw[0] else raw[0])
    assert list(unknown) == ["emulatorFutureMessage"]
    await client.text("hi")
    await client.turn()
    assert await client.recv() == {"goAway": {"timeLeft": "5s"}}
    await client.text("still works")
    await client.turn()
    await client.close()
    assert sorted(f.name for f in live_emulator.faults.injected) == [
        "go_away",
        "malformed_frame",
        "unknown_message",
    ]


async def test_oversized_frame(live_emulator: Emulator) -> None:
    live_emulator.faults.next(Fault.oversized_frame())
    live_emulator.faults.next(Fault.oversized_frame(3 * 1024 * 1024))
    client = await open_session(live_emulator)
    with pytest.raises(ConnectionClosed) as info:
        async with asyncio.timeout(3):
            await client.ws.recv()
    assert info.value.sent is not None and info.value.sent.code == 1009  # client's max_size
    big = await RawClient.open(live_emulator.url_for(), max_size=None)
    assert "setupComplete" in await big.setup()
    async with asyncio.timeout(3):
        data = await big.ws.recv()
    assert len(data) >= 3 * 1024 * 1024
    part = json.loads(data)["serverContent"]["modelTurn"]["parts"][0]["inlineData"]
    assert base64.b64decode(part["data"]) == bytes(len(base64.b64decode(part["data"])))
    await big.close()


async def test_refuse_resumption_and_unresumable(live_emulator: Emulator) -> None:
    live_emulator.faults.next(Fault.unresumable())
    client = await open_session(live_emulator, sessionResumption={}, **TEXT)
    await client.text("a")
    await client.turn()
    assert await client.recv() == {"sessionResumptionUpdate": {"resumable": False}}
    await client.close()
    client = await open_session(live_emulator, sessionResumption={}, **TEXT)
    await client.text("a")
    await client.turn()
    handle = (await client.recv())["sessionResumptionUpdate"]["newHandle"]
    await client.close()
    live_emulator.inject(Fault.refuse_resumption())
    again = await RawClient.open(live_emulator.url_for())
    await again.send(
        {"setup": {"model": "models/gemini-3.8-live", "sessionResumption": {"handle": handle}}}
    )
    assert await again.expect_close() == (1008, "Requested entity was not found.")


async def test_stall_blocks_the_client_writer(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.stall())
    client = await RawClient.open(live_emulator.url_for(), compression=None)
    assert "setupComplete" in await client.setup()
    frame = json.dumps(
        {
            "realtimeInput": {
                "video": {
                    "mimeType": "image/jpeg",
                    "data": base64.b64encode(os.urandom(48 * 1024)).decode(),
                }
            }
        }
    )
    sent = 0
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1.5):
            while sent < 40 * 1024 * 1024:
                await client.ws.send(frame)
                sent += len(frame)
    assert sent < 40 * 1024 * 1024
    client.ws.transport.abort()


async def test_stall_for_a_while_then_resume(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.stall(0.4))
    loop = asyncio.get_running_loop()
    client = await open_session(live_emulator, **TEXT)
    start = loop.time()
    await client.text("hi")
    await client.turn()
    assert loop.time() - start >= 0.3
    await client.close()


async def test_slow_pongs(live_emulator: Emulator) -> None:
    loop = asyncio.get_running_loop()
    client = await open_session(live_emulator)
    start = loop.time()
    async with asyncio.timeout(2):
        await (await client.ws.ping())
    assert loop.time() - start < 0.2
    await client.close()
    live_emulator.inject(Fault.slow_pongs(0.4))
    client = await open_session(live_emulator)
    start = loop.time()
    async with asyncio.timeout(2):
        await (await client.ws.ping())
    assert loop.time() - start >= 0.35
    await client.close()


async def test_always_faults_apply_to_every_attempt(live_emulator: Emulator) -> None:
    live_emulator.inject(Fault.close(1011, "flaky", after_server_frames=1), always=True)
    for _ in range(2):
        client = await open_session(live_emulator)
        assert await client.expect_close() == (1011, "flaky")
    assert [f.connection for f in live_emulator.faults.injected] == [1, 2]
    live_emulator.faults.clear()
    client = await open_session(live_emulator)
    await client.close()


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault.close(at="whenever")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault.stall(-1)
    assert Fault.oversized_frame(1024).payload is not None

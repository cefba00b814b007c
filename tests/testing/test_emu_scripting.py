"""Scenario scripting, the JSONL recorder and replays."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from gemini_live.testing.emulator import Emulator, Fault, Pause, ReplayServer, Scenario
from tests.testing.emu_client import RawClient, text_of

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}
SAY = {"serverContent": {"modelTurn": {"parts": [{"text": "scripted"}]}}}
DONE = {"serverContent": {"turnComplete": True}}


async def test_scripted_replies_replace_the_model(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    scenario = (
        Scenario()
        .on_setup(reply=[{"setupComplete": {}}, {"goAway": {"timeLeft": "1s"}}])
        .on_text("hi", reply=[SAY, Pause(0.05), DONE])
        .on_text("once", reply=[SAY, DONE], once=True)
        .on_kind("toolResponse", then_close=(1011, "scripted close"))
    )
    emu = await live_emulator_factory(scenario=scenario)
    client = await RawClient.open(emu.url_for())
    assert await client.setup(**TEXT) == {"setupComplete": {}}
    assert await client.recv() == {"goAway": {"timeLeft": "1s"}}
    await client.text("hi")
    assert await client.turn() == [SAY, DONE]
    await client.text("once")
    assert await client.turn() == [SAY, DONE]
    await client.text("once")
    assert text_of(await client.turn()) == "Echo: once"  # the rule was used up: the model answers
    await client.send({"toolResponse": {"functionResponses": [{"id": "x", "response": {}}]}})
    assert await client.expect_close() == (1011, "scripted close")
    assert scenario.matched == ["setup", "text 'hi'", "text 'once'", "kind toolResponse"]
    assert [m.kind for m in emu.last_session.consumed][-1] == "toolResponse"


async def test_scenarios_by_path_prefix_and_raw_frames(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    scenario = Scenario().on_message(
        lambda m: m.get("realtimeInput", {}).get("text") == "raw", reply=["not json", b"\x00\x01"]
    )
    emu = await live_emulator_factory(scenarios={"scenario-x": scenario})
    client = await RawClient.open(emu.url_for(prefix="scenario-x"))
    await client.setup(**TEXT)
    await client.text("raw")
    async with asyncio.timeout(3):
        assert await client.ws.recv() == "not json"
        assert await client.ws.recv() == b"\x00\x01"
    await client.close()
    plain = await RawClient.open(emu.url_for())
    await plain.setup(**TEXT)
    await plain.text("raw")
    assert text_of(await plain.turn()) == "Echo: raw"
    await plain.close()


async def test_unvalidated_setup_with_a_scripted_reply(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    scenario = Scenario(validate=False).on_setup(reply=[{"serverContent": {"turnComplete": True}}])
    emu = await live_emulator_factory(scenario=scenario)
    client = await RawClient.open(emu.url_for())
    await client.send({"setup": {"model": "models/not-a-model", "weird": 1}})
    assert await client.recv() == {"serverContent": {"turnComplete": True}}
    await client.close()


async def run_session(emu: Emulator) -> list[dict]:
    client = await RawClient.open(emu.url_for() + "?key=secret-key")
    await client.setup(**TEXT)
    await client.text("hello")
    await client.turn()
    await client.close()
    return client.frames


async def test_recorder_writes_both_directions(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    async with Emulator(record_to=path) as emu:
        frames = await run_session(emu)
        async with asyncio.timeout(3):
            await emu.last_session.wait_disconnected()
    text = path.read_text()
    assert "secret-key" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0]["event"] == "open" and "?" not in records[0]["path"]
    c2s = [json.loads(r["text"]) for r in records if r.get("dir") == "c2s"]
    s2c = [json.loads(r["text"]) for r in records if r.get("dir") == "s2c"]
    assert list(c2s[0]) == ["setup"] and c2s[1] == {"realtimeInput": {"text": "hello"}}
    assert s2c == frames
    assert records[-1]["event"] == "close" and records[-1]["by"] == "client"
    assert all(r["conn"] == 1 for r in records)
    times = [r["t"] for r in records]
    assert times == sorted(times)


async def test_replay_answers_like_the_recording(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    async with Emulator(record_to=path) as emu:
        original = await run_session(emu)
        emu.inject(Fault.close(1011, "recorded close", after_client_messages=1))
        client = await RawClient.open(emu.url_for())
        await client.setup(**TEXT)
        await client.send({"contextUpdate": {"systemInstruction": {"parts": [{"text": "x"}]}}})
        assert await client.expect_close() == (1011, "recorded close")
    async with Emulator.replay(path) as replay:
        assert isinstance(replay, ReplayServer)
        assert [c["client_frames"] for c in replay.describe()] == [2, 2]
        replayed = await run_session(replay)  # type: ignore[arg-type]
        assert replayed == original
        client = await RawClient.open(replay.url_for())
        await client.setup(**TEXT)
        await client.send({"anything": 1})
        assert await client.expect_close() == (1011, "recorded close")
        extra = await RawClient.open(replay.url_for())
        assert (await extra.expect_close())[0] == 1011


async def test_strict_replay_detects_mismatches(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    async with Emulator(record_to=path) as emu:
        await run_session(emu)
    async with ReplayServer(path, strict=True) as replay:
        client = await RawClient.open(replay.url_for())
        await client.setup(**TEXT)
        await client.text("something else")
        code, reason = await client.expect_close()
        assert code == 1007 and "frame 2" in reason
        assert replay.mismatches == [(1, 2)]


def test_scenario_builder_is_chainable() -> None:
    scenario = Scenario().on_text("a").on_kind("realtimeInput", field="audio")
    assert len(scenario.rules) == 2
    assert scenario.match({"realtimeInput": {"audio": {}}}) is scenario.rules[1]
    assert scenario.match({"realtimeInput": {"text": "a"}}) is scenario.rules[0]
    assert (
        scenario.match({"clientContent": {"turns": [{"role": "user", "parts": [{"text": "a"}]}]}})
        is not None
    )
    with pytest.raises(AttributeError):
        scenario.rules[0].once = True  # type: ignore[misc]

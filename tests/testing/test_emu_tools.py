"""Function calling: blocking, NON_BLOCKING with scheduling, cancellation."""

from __future__ import annotations

import pytest

from gemini_live.testing.emulator import Emulator
from tests.testing.emu_client import RawClient, kinds, text_of

TEXT = {"responseModalities": ["TEXT"]}
WEATHER = [
    {
        "functionDeclarations": [
            {"name": "get_weather", "behavior": "BLOCKING"},
            {"name": "get_time", "behavior": "BLOCKING"},
            {"name": "search", "behavior": "NON_BLOCKING"},
        ]
    }
]


async def open_session(emu: Emulator, url: str | None = None, **setup: object) -> RawClient:
    client = await RawClient.open(url or emu.url_for())
    setup.setdefault("generationConfig", TEXT)
    setup.setdefault("tools", WEATHER)
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def assert_silent(client: RawClient, seconds: float = 0.2) -> None:
    with pytest.raises(TimeoutError):
        await client.recv(timeout=seconds)


def response(call_id: str, name: str, output: object, **extra: object) -> dict:
    return {
        "toolResponse": {
            "functionResponses": [
                {"id": call_id, "name": name, "response": {"output": output}, **extra}
            ]
        }
    }


async def test_blocking_call_holds_the_turn_until_answered(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, sessionResumption={})
    await client.text('call get_weather {"city": "Paris"}')
    frame = await client.recv()
    assert frame == {
        "toolCall": {
            "functionCalls": [{"id": "fc-1", "name": "get_weather", "args": {"city": "Paris"}}]
        }
    }
    await assert_silent(client)  # turnComplete is held
    await client.send(response("fc-1", "get_weather", {"temp_c": 21}))
    frames = await client.turn()
    assert text_of(frames) == 'Result of get_weather: {"temp_c":21}'
    assert kinds(frames)[-2:] == ["generationComplete", "turnComplete"]
    update = await client.recv()
    assert update["sessionResumptionUpdate"]["resumable"] is True
    assert live_emulator.last_session.transcript == (
        'user: call get_weather {"city": "Paris"}',
        'function_call: get_weather {"city":"Paris"}',
        'function_response: get_weather {"output":{"temp_c":21}}',
        'model: Result of get_weather: {"temp_c":21}',
    )
    await client.close()


async def test_parallel_calls_wait_for_every_response(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator)
    await client.text("call get_weather {}; call get_time {}")
    calls = (await client.recv())["toolCall"]["functionCalls"]
    assert [(c["id"], c["name"]) for c in calls] == [("fc-1", "get_weather"), ("fc-2", "get_time")]
    await client.send(response("fc-2", "get_time", "noon"))
    await assert_silent(client)
    await client.send(
        {
            "tool_response": {
                "function_responses": [{"id": "fc-1", "response": {"error": "offline"}}]
            }
        }
    )
    frames = await client.turn()
    assert text_of(frames) == 'Error from get_weather: "offline" Result of get_time: "noon"'
    assert live_emulator.stats.tool_calls == 2
    await client.close()


async def test_non_blocking_default_on_38_and_when_idle(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, tools=[{"functionDeclarations": [{"name": "f"}]}])
    await client.text("call f {}")
    frames = await client.turn()
    assert kinds(frames)[0] == "toolCall"
    assert text_of(frames) == "Working on f."
    await client.send(response("fc-1", "f", 42))
    assert text_of(await client.turn()) == "Result of f: 42"
    await client.close()


async def test_blocking_by_default_on_25(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator,
        model="models/gemini-2.5-flash-native-audio-preview-12-2025",
        tools=[{"functionDeclarations": [{"name": "f"}]}],
    )
    await client.text("call f")
    assert "toolCall" in await client.recv()
    await assert_silent(client)
    await client.close()


async def test_non_blocking_scheduling(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(text_pace=0.04)
    client = await open_session(emu)
    await client.text("call search {}")
    await client.turn()
    # SILENT: history only.
    await client.send(response("fc-1", "search", "interim", scheduling="SILENT", willContinue=True))
    await assert_silent(client)
    assert emu.last_session.conversation[-1].role == "function_response"
    # WHEN_IDLE while the model talks: answered after the current output.
    await client.text("say a b c d e f")
    head = await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await client.send(response("fc-1", "search", "more", scheduling="WHEN_IDLE", willContinue=True))
    first = head + await client.turn()
    assert text_of(first) == "a b c d e f"
    assert text_of(await client.turn()) == 'Result of search: "more"'
    # INTERRUPT while the model talks: cut off, then answered at once.
    await client.text("say g h i j k l")
    await client.recv_until(lambda f: "modelTurn" in f.get("serverContent", {}))
    await client.send(response("fc-1", "search", "final", scheduling="INTERRUPT"))
    cut = await client.turn()
    assert kinds(cut)[-2:] == ["interrupted", "turnComplete"]
    assert "toolCallCancellation" not in kinds(cut)
    assert text_of(await client.turn()) == 'Result of search: "final"'
    await client.close()


async def test_interruption_cancels_pending_calls_and_late_results_are_ignored(
    live_emulator: Emulator,
) -> None:
    client = await open_session(live_emulator)
    await client.text("call get_weather {}")
    assert "toolCall" in await client.recv()
    await client.text("never mind")
    frames = await client.turn()
    assert frames[0] == {"toolCallCancellation": {"ids": ["fc-1"]}}
    assert kinds(frames)[1:] == ["interrupted", "turnComplete"]
    assert text_of(await client.turn()) == "Echo: never mind"
    await client.send(response("fc-1", "get_weather", "late"))
    await client.send(response("fc-99", "get_weather", "unknown"))
    await assert_silent(client)
    await client.text("still here")
    assert text_of(await client.turn()) == "Echo: still here"
    await client.close()


async def test_unknown_ids_can_close_the_connection(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(unknown_tool_response="close")
    client = await open_session(emu)
    await client.send(response("fc-7", "get_weather", 1))
    code, reason = await client.expect_close()
    assert code == 1007 and "fc-7" in reason


async def test_scheduling_is_an_unknown_field_on_vertex(live_emulator: Emulator) -> None:
    client = await open_session(
        live_emulator,
        live_emulator.url_for("vertex"),
        model="publishers/google/models/gemini-3.8-live",
    )
    await client.send(response("fc-1", "search", 1, scheduling="SILENT"))
    code, reason = await client.expect_close()
    assert code == 1007
    assert "Unknown name \"scheduling\" at 'tool_response.function_responses[0]'" in reason


async def test_non_blocking_rejected_on_31(live_emulator: Emulator) -> None:
    client = await RawClient.open(live_emulator.url_for())
    await client.send(
        {"setup": {"model": "models/gemini-3.1-flash-live-preview", "tools": WEATHER}}
    )
    code, _ = await client.expect_close()
    assert code == 1007

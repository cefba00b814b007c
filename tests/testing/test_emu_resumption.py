"""Session resumption: handles, exact restore, transparent indexes, rejections."""

from __future__ import annotations

import asyncio

from gemini_live.testing.emulator import EmulatedSession, Emulator
from tests.testing.emu_client import RawClient, text_of

TEXT = {"responseModalities": ["TEXT"]}
VERTEX_MODEL = "publishers/google/models/gemini-3.8-live"


async def open_session(emu: Emulator, url: str | None = None, **setup: object) -> RawClient:
    client = await RawClient.open(url or emu.url_for())
    setup.setdefault("generationConfig", TEXT)
    assert "setupComplete" in await client.setup(**setup)  # type: ignore[arg-type]
    return client


async def say(client: RawClient, text: str) -> tuple[str, dict]:
    """Send text; return the reply text and the resumption update that follows the turn."""
    await client.text(text)
    reply = text_of(await client.turn())
    update = (await client.recv())["sessionResumptionUpdate"]
    return reply, update


async def wait_ended(session: EmulatedSession) -> None:
    async with asyncio.timeout(3):
        await session.wait_disconnected()


async def test_handles_restore_the_exact_state(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, sessionResumption={})
    _, first = await say(client, "alpha")
    assert first["resumable"] is True and "lastConsumedClientMessageIndex" not in first
    _, second = await say(client, "beta")
    await client.close()
    session = live_emulator.last_session
    await wait_ended(session)

    resumed = await open_session(live_emulator, sessionResumption={"handle": first["newHandle"]})
    assert (await say(resumed, "recap"))[0] == "Recap: alpha"
    await resumed.close()
    await wait_ended(session)

    again = await open_session(live_emulator, sessionResumption={"handle": second["newHandle"]})
    assert (await say(again, "recap"))[0] == "Recap: alpha | beta"
    await again.close()
    assert live_emulator.sessions == [session]
    assert session.connections == 3
    assert session.resumed_from == [first["newHandle"], second["newHandle"]]
    # Everything consumed, across connections, in order.
    assert [(m.connection, m.index, m.kind) for m in session.consumed] == [
        (1, 0, "setup"),
        (1, 1, "realtimeInput"),
        (1, 2, "realtimeInput"),
        (2, 0, "setup"),
        (2, 1, "realtimeInput"),
        (3, 0, "setup"),
        (3, 1, "realtimeInput"),
    ]
    assert live_emulator.stats.resumptions == 2
    # The lineage of the final state: connection 1 up to the second handle, then connection 3.
    assert [(m.connection, m.index) for m in session.effective_consumed] == [
        (1, 0),
        (1, 1),
        (1, 2),
        (3, 0),
        (3, 1),
    ]


async def test_lineage_drops_messages_after_the_resumed_handle(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, sessionResumption={})
    _, update = await say(client, "kept")
    await client.send({"realtimeInput": {"text": "lost"}})
    await client.turn()
    await client.close()
    session = live_emulator.last_session
    await wait_ended(session)
    resumed = await open_session(live_emulator, sessionResumption={"handle": update["newHandle"]})
    assert (await say(resumed, "recap"))[0] == "Recap: kept"
    await resumed.close()
    texts = [m.payload.get("text") for m in session.effective_consumed if m.kind != "setup"]
    assert texts == ["kept", "recap"]
    assert [m.payload.get("text") for m in session.consumed if m.kind != "setup"] == [
        "kept",
        "lost",
        "recap",
    ]


async def test_transparent_indexes_on_vertex(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(resumption_update_every=3)
    url = emu.url_for("vertex", version="v1beta1")
    client = await open_session(
        emu, url, model=VERTEX_MODEL, sessionResumption={"transparent": True}
    )
    _, update = await say(client, "a")  # message 1
    assert update["lastConsumedClientMessageIndex"] == "1"
    for _ in range(2):  # messages 2 and 3
        await client.send({"contextUpdate": {"systemInstruction": {"parts": [{"text": "x"}]}}})
    periodic = (await client.recv())["sessionResumptionUpdate"]
    assert periodic["resumable"] is True
    assert periodic["lastConsumedClientMessageIndex"] == "3"
    await client.close()
    await wait_ended(emu.last_session)
    # Indexes restart on the new connection: its setup is 0 again.
    resumed = await open_session(
        emu,
        url,
        model=VERTEX_MODEL,
        sessionResumption={"transparent": True, "handle": periodic["newHandle"]},
    )
    reply, update = await say(resumed, "instruction")
    assert reply == "Instruction: x"
    assert update["lastConsumedClientMessageIndex"] == "1"
    await resumed.close()


async def test_not_resumable_while_generating_or_calls_pending(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    emu = await live_emulator_factory(resumption_update_every=1, text_pace=0.05)
    client = await open_session(
        emu,
        sessionResumption={},
        tools=[{"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]}],
    )
    await client.text("say one two three")
    update = await client.recv()
    assert update == {"sessionResumptionUpdate": {"resumable": False}}
    await client.turn()
    assert (await client.recv())["sessionResumptionUpdate"]["resumable"] is True
    await client.text("call f {}")
    frames = await client.recv_until(lambda f: "sessionResumptionUpdate" in f)
    assert frames[-1] == {"sessionResumptionUpdate": {"resumable": False}}
    await client.turn()
    # The turn ended but the NON_BLOCKING call is still pending.
    assert (await client.recv()) == {"sessionResumptionUpdate": {"resumable": False}}
    await client.close()


async def test_unknown_and_expired_handles_are_refused(live_emulator_factory) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    emu = await live_emulator_factory(clock=lambda: now[0], handle_ttl=60.0)
    bogus = await RawClient.open(emu.url_for())
    await bogus.send(
        {
            "setup": {
                "model": "models/gemini-3.8-live",
                "sessionResumption": {"handle": "no-such-handle"},
            }
        }
    )
    assert await bogus.expect_close() == (1008, "Requested entity was not found.")

    client = await open_session(emu, sessionResumption={})
    _, update = await say(client, "hello")
    await client.close()
    await wait_ended(emu.last_session)
    now[0] += 59.0
    ok = await open_session(emu, sessionResumption={"handle": update["newHandle"]})
    await ok.close()
    await wait_ended(emu.last_session)
    now[0] += 61.0
    late = await RawClient.open(emu.url_for())
    await late.send(
        {
            "setup": {
                "model": "models/gemini-3.8-live",
                "sessionResumption": {"handle": update["newHandle"]},
            }
        }
    )
    assert await late.expect_close() == (1008, "Requested entity was not found.")


async def test_resuming_while_the_old_socket_is_open_is_1011(live_emulator: Emulator) -> None:
    client = await open_session(live_emulator, sessionResumption={})
    _, update = await say(client, "hello")
    second = await RawClient.open(live_emulator.url_for())
    await second.send(
        {
            "setup": {
                "model": "models/gemini-3.8-live",
                "sessionResumption": {"handle": update["newHandle"]},
            }
        }
    )
    code, _ = await second.expect_close()
    assert code == 1011
    assert (await say(client, "still alive"))[0] == "Echo: still alive"
    await client.close()


async def test_concurrent_resume_allowed_when_configured_and_model_must_match(
    live_emulator_factory,  # type: ignore[no-untyped-def]
) -> None:
    emu = await live_emulator_factory(reject_concurrent_resume=False)
    client = await open_session(emu, sessionResumption={})
    _, update = await say(client, "hello")
    second = await open_session(emu, sessionResumption={"handle": update["newHandle"]})
    await second.close()
    other = await RawClient.open(emu.url_for())
    await other.send(
        {
            "setup": {
                "model": "models/gemini-3.1-flash-live-preview",
                "sessionResumption": {"handle": update["newHandle"]},
            }
        }
    )
    code, reason = await other.expect_close()
    assert code == 1007 and "model" in reason
    await client.close()


async def test_frames_sent_before_the_client_closes_are_all_consumed() -> None:
    # The client sends a burst and closes at once: the close arrives while the emulator is
    # still working through the burst, and the resumption update it owes after every message
    # can no longer be sent. The frames the client sent before closing still count as
    # consumed (the exactly-once audits read this log); once 17 of 30 went missing here.
    async with Emulator(resumption_update_every=1) as emu:
        client = await open_session(emu, sessionResumption={})
        audio = {"mimeType": "audio/pcm;rate=16000", "data": "AAAA"}
        for i in range(30):
            await client.send({"realtimeInput": {"audio": audio} if i % 2 else {"text": f"m{i}"}})
        await client.ws.close()
        session = emu.last_session
        await wait_ended(session)
    assert [c.index for c in session.consumed] == list(range(31))  # setup (0), then the 30

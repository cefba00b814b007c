"""Turn records read back from the emulator's JSONL recording match the live ones."""

from __future__ import annotations

from pathlib import Path

from gemini_live import ResumptionUpdate, TextDelta
from gemini_live.conversation import Conversation
from gemini_live.conversation.recording import replay_recording
from gemini_live.testing import Emulator
from tests.conversation.helpers import connect_to, drop_server_socket, next_notice, read_until


async def test_a_recording_replays_into_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    reply = "say " + " ".join(f"w{i}" for i in range(20))
    async with (
        Emulator(text_pace=0.005, resumption_update_every=1, record_to=path) as emu,
        connect_to(emu) as session,
    ):
        events = session.events()
        async with Conversation(session, late_transcription_grace=0) as convo:
            notices = convo.events()
            writer = convo.writer()
            await writer.send_text("hello")
            await next_notice(notices)
            while not (await read_until(events, ResumptionUpdate)).resumable:
                pass
            turn_two = session.events()
            await writer.send_text(reply)
            await read_until(turn_two, TextDelta)
            drop_server_socket(emu)
            await next_notice(notices, timeout=10)

    replayed = replay_recording(path, late_transcription_grace=0)
    live = convo.records
    assert [r.lines() for r in replayed.records] == [r.lines() for r in live]
    assert replayed.records[1].superseded_text  # the answer was cut, then given again
    assert len(replayed.records[1].reconnects) == 1
    assert replayed.records[1].reconnects[0].resumed_with_handle
    assert replayed.records[1].reconnects[0].replayed == live[1].reconnects[0].replayed
    assert [r.latency.input_end_kind for r in replayed.records] == ["text", "text"]
    assert replayed.metrics().turns == 2 and replayed.metrics().reconnects == 1
    for record in replayed.records:
        assert record.latency.first_text is not None and record.latency.first_text >= 0
